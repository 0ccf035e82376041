import itertools
import xml.etree.ElementTree as ET
from datetime import timedelta
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone
from twilio.request_validator import RequestValidator

from masking import services
from masking.services import Party
from tests.masking.factories import ProxyNumberFactory

_sids = itertools.count(1)


def mobile(n: int) -> str:
    """A distinct, valid Korean mobile number per n."""
    return f"+8210{20000000 + n:08d}"


@pytest.fixture(autouse=True)
def _celery_eager():
    """Tasks run in-process when their transaction commits, as a worker would run them."""
    from trustplatform.celery import app

    before = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = before


@pytest.fixture
def pool(db):
    """pool(size): that many new numbers in the pool."""
    return ProxyNumberFactory.create_batch


@pytest.fixture
def open_session(db):
    def make(consumer=None, business=None, hours=3, **kwargs):
        consumer, business = consumer or mobile(1), business or mobile(2)
        return services.session_open(
            consumer=Party(phone=consumer, label="고객"), business=Party(phone=business, label="배달 기사"),
            expires_at=kwargs.pop("expires_at", timezone.now() + timedelta(hours=hours)), **kwargs)
    return make


def numbers_of(session) -> dict[str, str]:
    """side -> the proxy number that side dials."""
    return {p.side: p.proxy_number.e164 for p in session.participants.select_related("proxy_number")}


class Telco:
    """Plays Twilio: posts webhooks signed by the official `twilio` package to the public URL."""

    def __init__(self, token: str):
        self.client = Client()
        self.validator = RequestValidator(token)

    def post(self, path: str, params: dict, *, signature: str | None = None, tamper: dict | None = None):
        url = settings.SITE_URL + path
        signature = self.validator.compute_signature(url, params) if signature is None else signature
        body = {**params, **(tamper or {})}
        return self.client.post(path, urlencode(body), content_type="application/x-www-form-urlencoded",
                                HTTP_X_TWILIO_SIGNATURE=signature)

    def call(self, *, caller: str, proxy: str, sid: str | None = None, **kwargs):
        sid = sid or f"CA{next(_sids):032x}"
        params = {"CallSid": sid, "AccountSid": "AC" + "1" * 32, "From": caller, "To": proxy,
                  "CallStatus": "ringing", "Direction": "inbound"}
        return self.post("/hooks/telephony/voice/", params, **kwargs)

    def text(self, *, caller: str, proxy: str, body: str, sid: str | None = None, **kwargs):
        sid = sid or f"SM{next(_sids):032x}"
        params = {"MessageSid": sid, "SmsSid": sid, "AccountSid": "AC" + "1" * 32, "From": caller,
                  "To": proxy, "Body": body}
        return self.post("/hooks/telephony/sms/", params, **kwargs)


@pytest.fixture
def telco(settings):
    return Telco(settings.MASKING_SANDBOX_AUTH_TOKEN)


def twiml(response) -> ET.Element:
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("application/xml")
    root = ET.fromstring(response.content)
    assert root.tag == "Response"
    return root


def dialled(root: ET.Element) -> list[tuple[str, str]]:
    """(caller id shown, number rung) for every <Dial><Number> in a TwiML answer."""
    return [(dial.get("callerId"), number.text)
            for dial in root.iter("Dial") for number in dial.iter("Number")]
