"""Questions consumers send the agents' team (1:1 문의), and the messages of each conversation."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition


class Inquiry(ConcurrentTransitionMixin, models.Model):
    """A consumer's question, optionally about one of their own bookings, deposits or listings.

    Open → answered (an agent replied) → open again when the consumer writes back → closed by an agent.
    """

    class Category(models.TextChoices):
        STAY = "stay", _("A stay or booking")
        DEPOSIT = "deposit", _("A deposit held by Ansim")
        HOME = "home", _("A home listing")
        SAFE_NUMBER = "safe_number", _("A safe number")
        PAYMENT = "payment", _("A payment or refund")
        ACCOUNT = "account", _("My account")
        OTHER = "other", _("Something else")

    class Status(models.TextChoices):
        OPEN = "open", _("Waiting for an answer")
        ANSWERED = "answered", _("Answered")
        CLOSED = "closed", _("Closed")

    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("asked by"), on_delete=models.PROTECT, related_name="+"
    )
    category = models.CharField(_("topic"), max_length=12, choices=Category.choices)
    # What it is about: one of the requester's own objects, checked when they chose it (subjects.py).
    subject_type = models.ForeignKey(
        "contenttypes.ContentType", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    subject_id = models.PositiveBigIntegerField(null=True, blank=True)
    subject = GenericForeignKey("subject_type", "subject_id")
    subject_label = models.CharField(_("concerning"), max_length=200, blank=True)
    status = FSMField(_("status"), default=Status.OPEN, choices=Status.choices, protected=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("agent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("asked"), auto_now_add=True)
    last_message_at = models.DateTimeField(_("last message"), default=timezone.now)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    class Meta:
        verbose_name = _("customer question")
        verbose_name_plural = _("customer questions")
        ordering = ["last_message_at", "id"]  # the queue: longest waiting first
        permissions = [("answer_inquiry", _("Can answer customers' questions"))]
        indexes = [
            models.Index(fields=["status", "last_message_at"], name="support_inquiry_queue"),
            models.Index(fields=["requester", "-created_at"], name="support_inquiry_requester"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(subject_type__isnull=True, subject_id__isnull=True)
                | Q(subject_type__isnull=False, subject_id__isnull=False),
                name="support_inquiry_subject_whole",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_category_display()}"

    @transition(
        field=status,
        source=[Status.OPEN, Status.ANSWERED],
        target=Status.ANSWERED,
        permission="support.answer_inquiry",
    )
    def answer(self, *, by=None, reason: str = "") -> None:
        if self.assignee_id is None:
            self.assignee = by  # whoever answers first takes it

    @transition(field=status, source=Status.ANSWERED, target=Status.OPEN)
    def reopen(self, *, by=None, reason: str = "") -> None:
        pass

    @transition(
        field=status,
        source=[Status.OPEN, Status.ANSWERED],
        target=Status.CLOSED,
        permission="support.answer_inquiry",
    )
    def close(self, *, by=None, reason: str = "") -> None:
        self.closed_at = timezone.now()


class InquiryMessage(models.Model):
    """One message of the conversation, from the consumer or an agent. Never edited (append-only)."""

    inquiry = models.ForeignKey(Inquiry, on_delete=models.PROTECT, related_name="messages")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    from_staff = models.BooleanField(_("from the Ansim team"), default=False)
    body = models.TextField(_("message"))
    created_at = models.DateTimeField(_("sent"), auto_now_add=True)

    class Meta:
        verbose_name = _("question message")
        verbose_name_plural = _("question messages")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["author", "created_at"], name="support_message_author")]

    def __str__(self) -> str:
        return f"{self.inquiry} · {self.created_at:%Y-%m-%d %H:%M}"
