from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from trustplatform.fields import EncryptedTextField


class Notification(models.Model):
    """An in-app notice shown to one user (consumer pages, portal, admin header)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="notifications")
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("message"), blank=True)
    url = models.CharField(_("link"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at", "created_at"])]

    def __str__(self) -> str:
        return self.title

    @property
    def text(self):
        """The latest text sent for this notice, or None (prefetch `texts` when listing notices)."""
        texts = [message for message in self.texts.all() if message.channel == "sms"]
        return max(texts, key=lambda message: message.pk) if texts else None


class OutboundMessage(models.Model):
    """A text or email to send, stored first (outbox) and delivered by a worker exactly once.

    The recipient is encrypted; `idempotency_key` makes a repeated request return the same row.
    `status` is our side (the worker handed it over or gave up); `delivery` is the carrier's, from the
    provider's delivery reports (backends without reports stop at "sent"). Reports arrive in any order,
    so `delivery` is set by conditional updates under the row's lock, not by a state machine.
    """

    class Channel(models.TextChoices):
        SMS = "sms", _("Text message")
        EMAIL = "email", _("Email")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    class Delivery(models.TextChoices):
        NONE = "", _("Not sent yet")
        SENT = "sent", _("Sent")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Not delivered")

    class SentAs(models.TextChoices):
        SMS = "SMS", _("Text message (SMS)")
        LMS = "LMS", _("Long text message (LMS)")
        ATA = "ATA", _("KakaoTalk notice (알림톡)")

    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    recipient = EncryptedTextField(_("recipient"))
    recipient_hint = models.CharField(_("recipient"), max_length=100)
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    body = models.TextField(_("message"))
    idempotency_key = models.CharField(max_length=200, unique=True)
    # What the message is about, from its key without the ids ("booking:confirmed:guest"): it chooses
    # the 알림톡 template and is what staff filter by.
    kind = models.CharField(_("kind"), max_length=100, blank=True)
    notification = models.ForeignKey(Notification, on_delete=models.SET_NULL, null=True, blank=True,
                                      related_name="texts", verbose_name=_("notification"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices,
                              default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    provider = models.CharField(_("provider"), max_length=20, blank=True)
    provider_message_id = models.CharField(_("provider's message id"), max_length=100, blank=True)
    provider_group_id = models.CharField(_("provider's group id"), max_length=100, blank=True)
    sent_as = models.CharField(_("sent as"), max_length=3, choices=SentAs.choices, blank=True)
    delivery = models.CharField(_("delivery"), max_length=10, choices=Delivery.choices, blank=True,
                                default=Delivery.NONE)
    fell_back = models.BooleanField(_("fell back to a text message"), default=False)
    delivery_code = models.CharField(_("carrier's status code"), max_length=10, blank=True)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)
    redeliveries = models.PositiveSmallIntegerField(_("sent again"), default=0)
    last_error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        verbose_name = _("outbound message")
        verbose_name_plural = _("outbound messages")
        indexes = [
            models.Index(fields=["status", "created_at"]),
            models.Index(fields=["provider", "provider_message_id"]),
            models.Index(fields=["provider", "provider_group_id"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} → {self.recipient_hint}"

    @property
    def delivery_label(self):
        """What a person reads about this text: sent, delivered or not, on KakaoTalk or as a text
        message, and whether it came as a text message because KakaoTalk could not take it."""
        if self.status in (self.Status.QUEUED, self.Status.SENDING):
            return _("Being sent")
        if self.delivery == self.Delivery.FAILED or self.status == self.Status.FAILED:
            return _("Not delivered")
        if self.channel == self.Channel.EMAIL:
            return _("Sent")
        delivered = self.delivery == self.Delivery.DELIVERED
        if self.fell_back:
            return (_("Delivered by text message instead of KakaoTalk") if delivered
                    else _("Sent by text message instead of KakaoTalk"))
        if self.sent_as == self.SentAs.ATA:
            return _("Delivered on KakaoTalk") if delivered else _("Sent on KakaoTalk")
        return _("Text message delivered") if delivered else _("Text message sent")

    @property
    def delivery_tone(self) -> str:
        """The badge class the label is shown with (consumer pages)."""
        if self.delivery == self.Delivery.FAILED or self.status == self.Status.FAILED:
            return "rejected"
        if self.delivery == self.Delivery.DELIVERED:
            return "ok"
        return "applied" if self.fell_back else ""


class DeliveryReport(models.Model):
    """A provider's delivery report, stored once under its event id; a repeat changes nothing and is
    answered with the first outcome. The payload keeps no phone number."""

    provider = models.CharField(_("provider"), max_length=20)
    event_id = models.CharField(_("event id"), max_length=100)
    message = models.ForeignKey(OutboundMessage, on_delete=models.SET_NULL, null=True, blank=True,
                                related_name="reports", verbose_name=_("message"))
    status_code = models.CharField(_("carrier's status code"), max_length=10, blank=True)
    payload = models.JSONField(default=dict)
    outcome = models.CharField(_("outcome"), max_length=50, blank=True)
    received_at = models.DateTimeField(_("received"), auto_now_add=True)

    class Meta:
        verbose_name = _("delivery report")
        verbose_name_plural = _("delivery reports")
        ordering = ["-received_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["provider", "event_id"], name="notifications_report_once"),
        ]

    def __str__(self) -> str:
        return f"{self.provider}:{self.event_id} {self.status_code}"
