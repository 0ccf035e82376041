"""A text's delivery is shown beside its notice: on the consumer's notification list and to staff in the
admin, never with the text's body (it may hold a code) or the full number."""

import pytest
from django.urls import reverse
from django.utils import translation

from tests.factories import StaffFactory
from trustplatform.notifications.models import OutboundMessage
from trustplatform.notifications.services import message_deliver, notification_send

from .conftest import WEBHOOK_TOKEN

pytestmark = pytest.mark.django_db


def _texted_notice(solapi, reader, *, key: str):
    with translation.override("ko"):
        notice = notification_send(user=reader, title="B2612 예약이 확정되었습니다: 해운대 호텔, 2026-12-24.",
                                   sms_text=True, key=key)
    message = OutboundMessage.objects.get(notification=notice)
    message_deliver(message_id=message.pk)
    message.refresh_from_db()
    return notice, message, solapi.messages[-1]


def _report(client, solapi, *reports):
    answer = client.post(reverse("notifications:solapi_report", args=[WEBHOOK_TOKEN]),
                         data=solapi.payload(*reports), content_type="application/json")
    assert answer.status_code == 200


@pytest.mark.parametrize("language", ["ko", "en"])
def test_the_notification_list_shows_what_became_of_each_text(client, solapi, reader, language):
    _sent_notice, sent, sent_out = _texted_notice(solapi, reader, key="listings:owner-link:1")
    _delivered_notice, delivered, delivered_out = _texted_notice(solapi, reader, key="listings:owner-link:2")
    _failed_notice, failed, failed_out = _texted_notice(solapi, reader, key="listings:owner-link:3")
    _report(client, solapi, solapi.report(delivered_out.message_id, "4000"),
            solapi.report(failed_out.message_id, "3032"))
    client.force_login(reader)

    page = client.get(reverse("accounts:profile"), HTTP_ACCEPT_LANGUAGE=language)

    html = page.content.decode()
    with translation.override(language):
        for message, tone in ((sent, ""), (delivered, "ok"), (failed, "rejected")):
            message.refresh_from_db()
            assert f'class="badge delivery {tone}"' in html
            assert str(message.delivery_label) in html
        assert str(OutboundMessage(channel="sms", status="sent", delivery="delivered").delivery_label) in html
        assert str(OutboundMessage(channel="sms", status="sent", delivery="failed").delivery_label) in html
    assert "01024681357" not in html and sent.recipient_hint in html


def test_a_notice_without_a_text_shows_no_delivery(client, solapi, reader):
    notification_send(user=reader, title="알림만 있는 소식")
    client.force_login(reader)
    html = client.get(reverse("accounts:profile")).content.decode()
    assert "알림만 있는 소식" in html and "badge delivery" not in html


def test_staff_see_each_texts_delivery_and_never_its_body(client, solapi, reader):
    notice, message, alimtalk = _texted_notice(solapi, reader, key="booking:8:confirmed:guest")
    assert alimtalk.type == "ATA"
    fallback = solapi.replacement(alimtalk.message_id)
    _report(client, solapi, solapi.report(alimtalk.message_id, "3104"),
            solapi.report(fallback.message_id, "4000"))
    agent = StaffFactory(group="agents", language="en")
    client.force_login(agent)

    with translation.override("en"):
        notices, texts, detail = (
            client.get(url, HTTP_ACCEPT_LANGUAGE="en") for url in (
                reverse("admin:notifications_notification_changelist"),
                reverse("admin:notifications_outboundmessage_changelist"),
                reverse("admin:notifications_outboundmessage_change", args=[message.pk]),
            )
        )

    for page in (notices, texts, detail):
        assert page.status_code == 200
        assert "Delivered by text message instead of KakaoTalk" in page.content.decode()
    shown = detail.content.decode()
    assert alimtalk.message_id in shown and "3104" in shown  # the reports, with the carrier's codes
    assert message.body not in shown and "01024681357" not in shown
