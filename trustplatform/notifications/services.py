import logging
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from trustplatform import pii

from . import sms
from .delivery import message_reference, notice_kind
from .models import DeliveryReport, Notification, OutboundMessage
from .phrase import Phrase as Phrase  # the words of a notice: callers import it from here
from .phrase import label_of as label_of  # a choice's label for a Phrase
from .phrase import render_for

logger = logging.getLogger(__name__)


def _stale_claim() -> timedelta:
    """A claim older than twice the task time limit belongs to a dead worker: its task was killed."""
    return max(timedelta(minutes=10), timedelta(seconds=2 * settings.CELERY_TASK_TIME_LIMIT))


def message_enqueue(*, channel: str, to: str, body: str, key: str, subject: str = "", kind: str = "",
                    notification: Notification | None = None) -> OutboundMessage:
    """Store a message in the outbox and deliver it after commit; the same key returns the same row.
    `kind` (what the message is about: it may choose a 알림톡 template) defaults to the key without ids;
    `notification` is the notice the text repeats, where its delivery is shown."""
    from .tasks import message_deliver_task

    hint = pii.mask_phone(to) if channel == OutboundMessage.Channel.SMS else _mask_email(to)
    try:
        with transaction.atomic():
            message = OutboundMessage.objects.create(
                channel=channel, recipient=to, recipient_hint=hint, subject=subject, body=body,
                idempotency_key=key, kind=kind or notice_kind(key), notification=notification,
            )
    except IntegrityError:
        return OutboundMessage.objects.get(idempotency_key=key)
    message_deliver_task.delay_on_commit(message.pk)
    return message


def _mask_email(address: str) -> str:
    local, _at, domain = address.partition("@")
    return f"{local[:1]}***@{domain}" if domain else "***"


def message_deliver(*, message_id: int) -> bool:
    """Send one queued message. Claimed with a conditional UPDATE, so it goes out at most once
    per claim; returns False when another run already claimed or sent it, or the provider refused it
    for good (then it is failed at once: sending it again would be refused again)."""
    now = timezone.now()
    claimed = OutboundMessage.objects.filter(pk=message_id, status=OutboundMessage.Status.QUEUED).update(
        status=OutboundMessage.Status.SENDING, claimed_at=now, attempts=F("attempts") + 1
    )
    if not claimed:
        return False
    message = OutboundMessage.objects.get(pk=message_id)
    rows = OutboundMessage.objects.filter(pk=message_id)
    try:
        provider, sent = _send(message)
    except sms.SmsRejected as exc:
        rows.update(status=OutboundMessage.Status.FAILED, delivery=OutboundMessage.Delivery.FAILED,
                    delivery_code=exc.code[:10], last_error=str(exc)[:500])
        logger.warning("message %s refused by the provider: %s", message_id, exc.code)
        return False
    except Exception as exc:  # any other provider failure: record it, the task's retries or the sweep decide
        rows.update(
            status=OutboundMessage.Status.QUEUED if message.attempts < 5 else OutboundMessage.Status.FAILED,
            last_error=str(exc)[:500],
        )
        raise
    rows.update(status=OutboundMessage.Status.SENT, sent_at=timezone.now(), provider=provider,
                provider_message_id=sent.message_id[:100], provider_group_id=sent.group_id[:100],
                sent_as=sent.sent_as, fell_back=sent.fell_back, last_error="")
    # A report may have come in while the provider answered: it knows better than "sent".
    rows.filter(delivery=OutboundMessage.Delivery.NONE).update(delivery=OutboundMessage.Delivery.SENT)
    return True


def _send(message: OutboundMessage) -> tuple[str, sms.Sent]:
    """Hand one claimed message to its provider: the provider's name and what it accepted."""
    if message.channel == OutboundMessage.Channel.SMS:
        backend = sms.get_backend()
        sent = backend.deliver(to=message.recipient, body=message.body, sender=settings.SMS_SENDER,
                               kind=message.kind, reference=message_reference(message))
        return backend.provider, sent
    send_mail(message.subject, message.body, settings.DEFAULT_FROM_EMAIL, [message.recipient])
    return "", sms.Sent(message_id="")


def messages_requeue_stale_ids() -> list[int]:
    """Ids of messages to deliver again: claimed by a worker that died, or queued and not picked up
    (a failed send or a lost task)."""
    cutoff = timezone.now() - _stale_claim()
    OutboundMessage.objects.filter(
        status=OutboundMessage.Status.SENDING, claimed_at__lt=cutoff
    ).update(status=OutboundMessage.Status.QUEUED)
    return list(
        OutboundMessage.objects.filter(status=OutboundMessage.Status.QUEUED, created_at__lt=cutoff)
        .values_list("pk", flat=True)[:1000]
    )


def notification_send(*, user, title, body="", url: str = "", sms_text: bool = False,
                      key: str = "") -> Notification:
    """Show a notice in the app and, when asked and the number is verified, text it too.

    `title` and `body` are plain text, a lazy message or a Phrase; the notice and the text are
    written in the recipient's language (accounts' User.language), whoever sends them."""
    title, body = render_for(user, title), render_for(user, body)
    notification = Notification.objects.create(user=user, title=title, body=body, url=url)
    if sms_text and user.phone and user.phone_verified:
        message_enqueue(channel="sms", to=user.phone, body=f"[Ansim] {title}",
                        key=key or f"notification:{notification.pk}", notification=notification)
    return notification


def staff_notify(*, group: str, title, body="", url: str = "") -> int:
    """Notify every active member of a staff group (agents, inspectors, finance) and superusers,
    each in their own language (see notification_send)."""
    users = get_user_model().objects.filter(is_active=True, is_staff=True).filter(
        Q(groups__name=group) | Q(is_superuser=True)
    ).distinct()
    notices = [
        Notification(user=user, title=render_for(user, title), body=render_for(user, body), url=url)
        for user in users
    ]
    Notification.objects.bulk_create(notices)
    return len(notices)


def notification_mark_read(*, user, notification_id: int) -> bool:
    """Mark one of `user`'s notices read (again is a no-op); False when `user` has no such notice."""
    notices = Notification.objects.filter(pk=notification_id, user=user)
    notices.filter(read_at__isnull=True).update(read_at=timezone.now())
    return notices.exists()


def notifications_purge(*, days: int | None = None) -> int:
    """Delete read notices, sent messages and delivery reports past the retention period."""
    cutoff = timezone.now() - timedelta(days=days or settings.NOTIFICATION_RETENTION_DAYS)
    read, _a = Notification.objects.filter(read_at__lt=cutoff).delete()
    sent, _b = OutboundMessage.objects.filter(status=OutboundMessage.Status.SENT, sent_at__lt=cutoff).delete()
    reports, _c = DeliveryReport.objects.filter(received_at__lt=cutoff).delete()
    return read + sent + reports
