import pytest
from django.utils import timezone

from tests.factories import UserFactory
from tests.fakes import solapi as fake_solapi

VERIFY_TEMPLATE = "KA01TP-verify"
BOOKING_TEMPLATE = "KA01TP-booking-confirmed"
WEBHOOK_TOKEN = "solapi-report-token-0123456789abcdef"


@pytest.fixture
def solapi(settings):
    """SOLAPI as the SMS backend, against a local fake of its API (tests/fakes/solapi.py) with the real
    SDK pointed at it; two 알림톡 templates approved, as their Korean notices read."""
    fake = fake_solapi.FakeSolapi(templates={
        VERIFY_TEMPLATE: "[안심] 인증번호는 #{code}입니다. #{minutes}분 후에 만료됩니다.",
        BOOKING_TEMPLATE: "[Ansim] #{code} 예약이 확정되었습니다: #{property}, #{day}.",
    }).start()
    settings.SMS_BACKEND = "trustplatform.notifications.solapi.SolapiSmsBackend"
    settings.SOLAPI_API_KEY = fake_solapi.API_KEY
    settings.SOLAPI_API_SECRET = fake_solapi.API_SECRET
    settings.SOLAPI_SENDER = fake_solapi.SENDER
    settings.SOLAPI_KAKAO_PFID = fake_solapi.PFID
    settings.SOLAPI_KAKAO_TEMPLATES = {"phone-verification": VERIFY_TEMPLATE,
                                       "booking:confirmed:guest": BOOKING_TEMPLATE}
    settings.SOLAPI_BASE_URL = fake.url
    settings.SOLAPI_WEBHOOK_TOKEN = WEBHOOK_TOKEN
    settings.SOLAPI_WEBHOOK_SOURCES = []
    settings.SOLAPI_REDELIVERIES = 2
    yield fake
    fake.stop()


@pytest.fixture
def reader(db):
    """A Korean reader whose mobile number is verified, so notices are texted to them too."""
    return UserFactory(language="ko", phone="+821024681357", phone_verified_at=timezone.now())
