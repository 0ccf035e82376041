"""SOLAPI's delivery reports: taken only at the secret URL (SOLAPI signs nothing), stored once, applied
to the text they are about: delivered, not delivered, KakaoTalk failed and the text went instead, or a
passing failure that sends the text again."""

import json

import pytest
from django.urls import reverse
from django.utils import translation

from trustplatform.notifications import tasks
from trustplatform.notifications.models import DeliveryReport, OutboundMessage
from trustplatform.notifications.services import message_deliver, message_enqueue

from .conftest import WEBHOOK_TOKEN

pytestmark = pytest.mark.django_db


def _sent(solapi, *, body: str = "[안심] 예약이 확정되었습니다.", key: str = "listings:owner-link:3"):
    message = message_enqueue(channel="sms", to="+821024681357", body=body, key=key)
    message_deliver(message_id=message.pk)
    message.refresh_from_db()
    return message, solapi.messages[-1]


def _post(client, body: bytes, *, token: str = WEBHOOK_TOKEN, **extra):
    return client.post(reverse("notifications:solapi_report", args=[token]), data=body,
                       content_type="application/json", **extra)


def test_a_delivered_report_marks_the_text_delivered(client, solapi):
    message, sent = _sent(solapi)

    answer = _post(client, solapi.payload(solapi.report(sent.message_id, "4000")))

    assert answer.status_code == 200 and answer.json()["outcomes"] == ["delivered"]
    message.refresh_from_db()
    assert (message.delivery, message.delivery_code) == ("delivered", "4000") and message.delivered_at
    report = DeliveryReport.objects.get()
    assert (report.message, report.status_code, report.outcome) == (message, "4000", "delivered")
    assert "to" not in report.payload and "from" not in report.payload  # no phone number is kept


def test_a_repeated_report_changes_nothing_and_answers_with_the_first_outcome(client, solapi):
    message, sent = _sent(solapi)
    failed = solapi.payload(solapi.report(sent.message_id, "3032", event_id="ED-ONCE"))  # no subscriber

    first, again = _post(client, failed), _post(client, failed)

    assert first.json()["outcomes"] == again.json()["outcomes"] == ["failed"]
    assert DeliveryReport.objects.count() == 1
    message.refresh_from_db()
    assert (message.delivery, message.redeliveries) == ("failed", 0)  # not a passing failure: not sent again


@pytest.mark.parametrize("token", ["wrong-token-0123456789abcdef-xyz", WEBHOOK_TOKEN[:-1]])
def test_a_report_at_a_wrong_token_is_refused_and_changes_nothing(client, solapi, token):
    message, sent = _sent(solapi)

    answer = _post(client, solapi.payload(solapi.report(sent.message_id, "4000")), token=token)

    assert answer.status_code == 403 and answer.json()["code"] == "bad_token"
    message.refresh_from_db()
    assert message.delivery == "sent" and not DeliveryReport.objects.exists()


def test_no_report_is_taken_while_no_token_is_set(client, solapi, settings):
    settings.SOLAPI_WEBHOOK_TOKEN = ""
    assert _post(client, b"[]", token="x").status_code == 403


def test_reports_come_only_from_the_listed_sources(client, solapi, settings):
    message, sent = _sent(solapi)
    settings.SOLAPI_WEBHOOK_SOURCES = ["203.0.113.0/24"]
    body = solapi.payload(solapi.report(sent.message_id, "4000"))

    refused = _post(client, body)  # the test client calls from 127.0.0.1
    taken = _post(client, body, REMOTE_ADDR="203.0.113.40")

    assert refused.status_code == 403 and refused.json()["code"] == "bad_source"
    assert taken.status_code == 200
    message.refresh_from_db()
    assert message.delivery == "delivered"


@pytest.mark.parametrize("body", [b"not json", b'{"data": 1}', b'[{"eventDataId": "E1", "data": {}}]'])
def test_a_body_that_is_not_solapis_reports_is_a_400(client, solapi, body):
    answer = _post(client, body)
    assert answer.status_code == 400 and answer.json()["code"] == "invalid_report"
    assert not DeliveryReport.objects.exists()


@pytest.mark.parametrize("keep_fields", [True, False])
@pytest.mark.parametrize("fallback_first", [False, True])
def test_kakao_fails_and_the_text_solapi_sent_instead_is_delivered(client, solapi, keep_fields,
                                                                    fallback_first):
    """Either report may come first, and SOLAPI's fallback text is found by our reference or, without
    it, by its group."""
    message, alimtalk = _sent(solapi, body="[안심] 인증번호는 123456입니다. 10분 후에 만료됩니다.",
                              key="phone-verification:77")
    assert alimtalk.type == "ATA"
    fallback = solapi.replacement(alimtalk.message_id, keep_fields=keep_fields)
    reports = [solapi.report(alimtalk.message_id, "3104"), solapi.report(fallback.message_id, "4000")]

    answer = _post(client, solapi.payload(*(reversed(reports) if fallback_first else reports)))

    outcomes = answer.json()["outcomes"]
    assert sorted(outcomes) == ["delivered", "fell_back"]
    message.refresh_from_db()
    assert (message.delivery, message.fell_back, message.sent_as) == ("delivered", True, "ATA")
    with translation.override("en"):
        assert str(message.delivery_label) == "Delivered by text message instead of KakaoTalk"


def test_a_alimtalk_delivered_on_kakaotalk(client, solapi):
    message, alimtalk = _sent(solapi, body="[안심] 인증번호는 654321입니다. 10분 후에 만료됩니다.",
                              key="phone-verification:78")
    _post(client, solapi.payload(solapi.report(alimtalk.message_id, "4000")))
    message.refresh_from_db()
    with translation.override("en"):
        assert str(message.delivery_label) == "Delivered on KakaoTalk"


def test_a_text_that_failed_for_a_passing_reason_is_sent_again_later_a_bounded_number_of_times(
    client, solapi, monkeypatch, django_capture_on_commit_callbacks
):
    later = []
    monkeypatch.setattr(tasks.message_deliver_task, "apply_async",
                        lambda args, countdown: later.append((args, countdown)))
    message, first = _sent(solapi)

    sent_ids = [first.message_id]
    for _ in range(2):  # the phone is off (3043): sent again, 1 then 2 minutes later
        with django_capture_on_commit_callbacks(execute=True):
            answer = _post(client, solapi.payload(solapi.report(sent_ids[-1], "3043")))
        assert answer.json()["outcomes"] == ["redelivering"]
        message_deliver(message_id=message.pk)
        sent_ids.append(solapi.messages[-1].message_id)
    last = _post(client, solapi.payload(solapi.report(sent_ids[-1], "3043")))

    assert [countdown for _args, countdown in later] == [60, 120]
    assert len(set(sent_ids)) == 3 and last.json()["outcomes"] == ["failed"]
    message.refresh_from_db()
    assert (message.delivery, message.redeliveries, message.status) == ("failed", 2, "sent")


def test_a_late_report_of_an_attempt_sent_again_since_is_superseded(client, solapi, monkeypatch):
    monkeypatch.setattr(tasks.message_deliver_task, "apply_async", lambda args, countdown: None)
    message, first = _sent(solapi)
    _post(client, solapi.payload(solapi.report(first.message_id, "3042")))  # no signal: sent again
    message_deliver(message_id=message.pk)
    second = solapi.messages[-1]

    delivered = _post(client, solapi.payload(solapi.report(second.message_id, "4000")))
    late = _post(client, solapi.payload(solapi.report(first.message_id, "3032")))

    assert delivered.json()["outcomes"] == ["delivered"] and late.json()["outcomes"] == ["superseded"]
    message.refresh_from_db()
    assert message.delivery == "delivered"


def test_a_report_after_delivery_never_undoes_it(client, solapi):
    message, sent = _sent(solapi)
    _post(client, solapi.payload(solapi.report(sent.message_id, "4000")))
    pending = _post(client, solapi.payload(solapi.report(sent.message_id, "3000")))
    assert pending.json()["outcomes"] == ["pending"]
    message.refresh_from_db()
    assert message.delivery == "delivered"


def test_a_report_of_a_message_we_did_not_send_is_kept_as_unknown(client, solapi):
    message, sent = _sent(solapi)
    report = solapi.report(sent.message_id, "4000")
    report["data"].update(messageId="M4V-SOMEONE-ELSE", groupId="G4V-SOMEONE-ELSE",
                          customFields={"ref": "1-1:forged-signature"})

    answer = _post(client, json.dumps([report]).encode())

    assert answer.json()["outcomes"] == ["unknown_message"]
    message.refresh_from_db()
    assert message.delivery == "sent"
    assert OutboundMessage.objects.filter(delivery="delivered").count() == 0


def test_a_report_that_comes_before_the_provider_has_answered_still_counts(client, solapi, monkeypatch):
    """SOLAPI may report a delivery before its answer to the send is recorded: the report finds the
    message by our reference, and recording the answer afterwards does not undo "delivered"."""
    from trustplatform.notifications.delivery import delivery_report_receive
    from trustplatform.notifications.solapi import SolapiSmsBackend, reports_parse

    deliver = SolapiSmsBackend.deliver
    outcomes = []

    def reported_at_once(self, **kwargs):
        sent = deliver(self, **kwargs)
        body = solapi.payload(solapi.report(sent.message_id, "4000"))
        outcomes.extend(delivery_report_receive(provider="solapi", report=report)
                        for report in reports_parse(body))
        return sent

    monkeypatch.setattr(SolapiSmsBackend, "deliver", reported_at_once)
    message, sent = _sent(solapi)

    assert outcomes == ["delivered"]
    assert (message.status, message.delivery, message.provider_message_id) == (
        "sent", "delivered", sent.message_id)
