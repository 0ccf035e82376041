"""What the carrier says became of a text: delivery reports, stored once, shown on the notice.

A report is stored under the provider's event id (a unique constraint): a repeat changes nothing and
is answered with the first outcome. It is applied under the message row's lock, since reports of one
message (a 알림톡 that failed, the SMS SOLAPI sent instead, its delivery) may arrive together and in
any order: "delivered" is never undone, a failed 알림톡 only marks the fallback, and a text that failed
for a passing reason is sent again a bounded number of times, later each time.
"""

import logging
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from .models import DeliveryReport, OutboundMessage

logger = logging.getLogger(__name__)

_REFERENCE_SALT = "notifications.delivery.reference"


@dataclass(frozen=True)
class ReportData:
    """One delivery report, as a provider module reads it."""

    event_id: str
    message_id: str
    group_id: str
    sent_as: str  # SMS, LMS or ATA
    code: str  # the provider's status code, kept for staff
    state: str  # "pending", "delivered" or "failed"
    passing: bool  # a failure worth sending again (the phone was off, busy…)
    reference: str  # ours (message_reference), when the provider carries it back
    payload: dict  # what is kept of the report: no phone number


def notice_kind(key: str) -> str:
    """What a message is about, from its idempotency key without the ids: "booking:7:confirmed:guest"
    → "booking:confirmed:guest", "phone-verification:12" → "phone-verification"."""
    return ":".join(part for part in key.split(":") if part and not part.isdigit())[:100]


def message_reference(message: OutboundMessage) -> str:
    """Our signed name for one attempt at a message, carried in the provider's custom fields: a report
    finds its message by it (even before the provider's id is stored), and a report of an attempt
    since replaced by a new one is told apart. Signed, so another server on the same provider account
    never matches our messages."""
    return signing.Signer(salt=_REFERENCE_SALT).sign(f"{message.pk}-{message.attempts}")


def _reference_read(reference: str) -> tuple[int, int] | None:
    try:
        pk, _dash, attempt = signing.Signer(salt=_REFERENCE_SALT).unsign(reference).partition("-")
        return int(pk), int(attempt)
    except (signing.BadSignature, ValueError):
        return None


def delivery_report_receive(*, provider: str, report: ReportData) -> str:
    """Apply one verified delivery report once; a repeat of its event id returns the first outcome.
    Locks the message the report is about."""
    first = DeliveryReport.objects.filter(provider=provider, event_id=report.event_id).first()
    if first is not None:
        return first.outcome or "duplicate"
    try:
        with transaction.atomic():
            message, current = _message_locked(provider=provider, report=report)
            record = DeliveryReport.objects.create(provider=provider, event_id=report.event_id,
                                                   message=message, status_code=report.code,
                                                   payload=report.payload)
            if message is None:
                outcome = "unknown_message"
            elif not current:
                outcome = "superseded"  # an earlier attempt's report: the text was sent again since
            else:
                outcome = _apply(message, report)
            DeliveryReport.objects.filter(pk=record.pk).update(outcome=outcome)
            return outcome
    except IntegrityError:
        first = DeliveryReport.objects.filter(provider=provider, event_id=report.event_id).first()
        if first is None:
            raise
        return first.outcome or "duplicate"


def _message_locked(*, provider: str, report: ReportData) -> tuple[OutboundMessage | None, bool]:
    """The message a report is about, locked, and whether the report is of its latest attempt."""
    messages = OutboundMessage.objects.select_for_update()
    named = _reference_read(report.reference)
    if named is not None:
        # Ours by its signature, even before the provider's ids are stored (a report may come first).
        message = messages.filter(pk=named[0]).first()
        if message is not None:
            return message, message.attempts == named[1]
    # A report without our reference (a fallback SMS may not carry it): the provider's ids.
    for field, value in (("provider_message_id", report.message_id), ("provider_group_id", report.group_id)):
        message = messages.filter(provider=provider, **{field: value}).first() if value else None
        if message is not None:
            return message, True
    return None, False


def _apply(message: OutboundMessage, report: ReportData) -> str:
    rows = OutboundMessage.objects.filter(pk=message.pk)
    # SOLAPI's fallback text is a message of its own in the group of the 알림톡 it replaces.
    instead = message.sent_as == OutboundMessage.SentAs.ATA and report.sent_as in ("SMS", "LMS")
    if report.state == "pending":
        rows.filter(delivery=OutboundMessage.Delivery.NONE).update(delivery=OutboundMessage.Delivery.SENT)
        return "pending"
    if report.state == "delivered":
        rows.update(delivery=OutboundMessage.Delivery.DELIVERED, delivered_at=timezone.now(),
                    delivery_code=report.code, fell_back=message.fell_back or instead)
        return "delivered"
    if message.sent_as == OutboundMessage.SentAs.ATA and report.sent_as == "ATA":
        # KakaoTalk could not deliver; SOLAPI sends the text instead and reports it separately.
        rows.update(fell_back=True, delivery_code=report.code)
        return "fell_back"
    if message.delivery == OutboundMessage.Delivery.DELIVERED:
        return "already_delivered"
    if report.passing and message.status == OutboundMessage.Status.SENT and (
        message.redeliveries < settings.SOLAPI_REDELIVERIES
    ):
        return _redeliver(message, code=report.code)
    rows.update(delivery=OutboundMessage.Delivery.FAILED, delivery_code=report.code)
    logger.warning("text %s was not delivered: %s", message.pk, report.code)
    return "failed"


def _redeliver(message: OutboundMessage, *, code: str) -> str:
    """Queue the text again, 1, 2, 4… minutes later; the worker sends it as a new attempt."""
    from .tasks import message_deliver_task

    OutboundMessage.objects.filter(pk=message.pk).update(
        status=OutboundMessage.Status.QUEUED, delivery=OutboundMessage.Delivery.NONE, delivery_code=code,
        redeliveries=F("redeliveries") + 1,
    )
    countdown = 60 * 2 ** message.redeliveries
    transaction.on_commit(lambda: message_deliver_task.apply_async((message.pk,), countdown=countdown))
    return "redelivering"
