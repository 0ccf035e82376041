"""Texts through SOLAPI: the real SDK against a local fake of SOLAPI's API (tests/fakes/solapi.py)."""

import pytest
from django.utils import translation

from tests.factories import UserFactory
from tests.fakes import solapi as fake_solapi
from trustplatform.accounts.services import phone_verification_start
from trustplatform.notifications.models import OutboundMessage
from trustplatform.notifications.services import message_deliver, message_enqueue
from trustplatform.notifications.sms import text_bytes, text_type
from trustplatform.notifications.tasks import message_deliver_task

from .conftest import VERIFY_TEMPLATE

pytestmark = pytest.mark.django_db

PHONE = "+821024681357"


def _text(body: str, *, key: str = "listings:owner-link:7") -> OutboundMessage:
    message = message_enqueue(channel="sms", to=PHONE, body=body, key=key)
    message_deliver(message_id=message.pk)
    message.refresh_from_db()
    return message


@pytest.mark.parametrize(("body", "expected"), [
    ("가" * 44 + "12", "SMS"),  # 90 bytes in EUC-KR: the most a short text holds
    ("가" * 45 + "1", "LMS"),  # 91 bytes
    ("a" * 90, "SMS"),
    ("[안심] 예약이 확정되었습니다: 해운대 호텔, 12월 24일 오후 3시 체크인. "
     "숙소에는 안심번호로 연락하세요.", "LMS"),  # 101 bytes
])
def test_a_text_goes_as_sms_up_to_90_bytes_in_euc_kr_and_as_lms_past_them(solapi, body, expected):
    message = _text(body)

    sent = solapi.messages[-1]
    assert (text_type(body), sent.type, message.sent_as) == (expected, expected, expected)
    assert (sent.to, sent.sender, sent.text) == ("01024681357", fake_solapi.SENDER, body)
    assert message.status == OutboundMessage.Status.SENT
    assert message.delivery == OutboundMessage.Delivery.SENT
    assert (message.provider, message.provider_message_id, message.provider_group_id) == (
        "solapi", sent.message_id, sent.group_id)


def test_a_character_euc_kr_lacks_counts_two_bytes():
    assert text_bytes("가a") == 3
    assert text_bytes("😀") == 2


def test_every_request_carries_solapis_hmac_signature_which_the_fake_checks(solapi, settings):
    _text("[안심] 첫 번째 문자")
    assert solapi.refused_auth == [] and len(solapi.requests) == 1

    settings.SOLAPI_API_SECRET = "not-the-secret"
    message = _text("[안심] 두 번째 문자", key="listings:owner-link:8")

    assert solapi.refused_auth == ["SignatureDoesNotMatch"]
    assert len(solapi.messages) == 1
    # A refusal for good: failed at once, not sent again by the task's retries.
    assert (message.status, message.delivery, message.attempts) == ("failed", "failed", 1)
    assert "SignatureDoesNotMatch" in message.last_error


def test_a_verification_code_goes_as_alimtalk_and_asks_solapi_for_the_sms_fallback(solapi):
    user = UserFactory(language="ko")
    with translation.override("ko"):
        verification = phone_verification_start(user=user, phone="010-2468-1357", client_ip="203.0.113.9")
    message = OutboundMessage.objects.get(idempotency_key=f"phone-verification:{verification.pk}")
    message_deliver(message_id=message.pk)

    sent = solapi.messages[-1]
    assert sent.type == "ATA"
    assert sent.kakao == {"pfId": fake_solapi.PFID, "templateId": VERIFY_TEMPLATE, "disableSms": False}
    assert sent.text.startswith("[안심] 인증번호는 ")
    assert sent.custom_fields["ref"]  # our reference rides along, for the reports
    message.refresh_from_db()
    assert (message.kind, message.sent_as, message.fell_back) == ("phone-verification", "ATA", False)


def test_a_alimtalk_kakao_refuses_at_once_goes_out_as_a_text_instead(solapi):
    """An English reader's code is not the Korean template's text: SOLAPI refuses the 알림톡 (1043),
    and the same text goes as an SMS at once."""
    message = _text("[Ansim] Your code is 123456.", key="phone-verification:41")

    assert [sent.type for sent in solapi.messages] == ["SMS"]
    refused = solapi.requests[0]["messages"][0]
    assert refused["type"] == "ATA" and refused["kakaoOptions"]["templateId"] == VERIFY_TEMPLATE
    assert (message.sent_as, message.fell_back, message.status) == ("SMS", True, "sent")
    with translation.override("en"):
        assert str(message.delivery_label) == "Sent by text message instead of KakaoTalk"


def test_a_notice_kakao_has_no_template_for_goes_as_a_text(solapi, settings):
    settings.SOLAPI_KAKAO_TEMPLATES = {}
    message = _text("[안심] 인증번호는 123456입니다. 10분 후에 만료됩니다.", key="phone-verification:42")
    assert [request["messages"][0]["type"] for request in solapi.requests] == ["SMS"]
    assert (message.sent_as, message.fell_back) == ("SMS", False)


@pytest.mark.parametrize("fault", ["500", "html"])
def test_a_provider_failure_on_its_side_is_retried_with_backoff_until_sent(solapi, fault):
    message = message_enqueue(channel="sms", to=PHONE, body="[안심] 예약 확정", key="booking:9:x")
    solapi.fail_next(fault)
    solapi.fail_next(fault)

    message_deliver_task.apply(args=[message.pk])  # the retries run at once here, without their waits

    message.refresh_from_db()
    assert (message.status, message.attempts, len(solapi.messages)) == ("sent", 3, 1)
    assert message.provider_message_id == solapi.messages[0].message_id
    assert message_deliver_task.retry_backoff and message_deliver_task.max_retries == 5


def test_the_retries_are_bounded_and_the_text_is_failed_after_them(solapi):
    message = message_enqueue(channel="sms", to=PHONE, body="[안심] 예약 확정", key="booking:9:y")
    for _ in range(7):
        solapi.fail_next("500")

    message_deliver_task.apply(args=[message.pk])

    message.refresh_from_db()
    assert (message.status, message.attempts) == ("failed", 5)
    assert len(solapi.faults) == 2  # five sends were tried, no more
    with translation.override("en"):
        assert str(message.delivery_label) == "Not delivered"


def test_solapi_out_of_reach_is_retried(solapi):
    message = message_enqueue(channel="sms", to=PHONE, body="[안심] 알림", key="booking:9:z")
    solapi.stop()
    with pytest.raises(ConnectionError):
        message_deliver(message_id=message.pk)
    message.refresh_from_db()
    assert (message.status, message.attempts) == ("queued", 1)
    assert message.last_error


def test_a_sender_solapi_does_not_know_is_refused_for_good(solapi, settings):
    settings.SOLAPI_SENDER = "0299999999"
    message = _text("[안심] 알림")
    assert (message.status, message.delivery, message.delivery_code) == ("failed", "failed", "1062")
    assert solapi.messages == []


def test_a_number_outside_korea_is_never_handed_to_solapi(solapi):
    message = message_enqueue(channel="sms", to="+12025550123", body="[Ansim] hi", key="listings:x:9")
    assert message_deliver(message_id=message.pk) is False
    message.refresh_from_db()
    assert (message.status, message.delivery_code) == ("failed", "not_korean")
    assert solapi.requests == []


def test_a_notice_texted_to_its_reader_is_linked_to_the_notice(solapi, reader):
    from trustplatform.notifications.services import notification_send

    with translation.override("ko"):
        notice = notification_send(user=reader, title="예약이 확정되었습니다.", sms_text=True,
                                   key="booking:5:confirmed:guest")
    message = OutboundMessage.objects.get()
    assert (message.notification, message.kind) == (notice, "booking:confirmed:guest")
    assert notice.text == message
