"""Money in and out through the payment provider, its webhook events, and API idempotency."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition


class Payment(ConcurrentTransitionMixin, models.Model):
    """A payer's payment into an agreement, confirmed only by the provider's signed webhook."""

    class Method(models.TextChoices):
        CARD = "card", _("Card")
        VIRTUAL_ACCOUNT = "virtual_account", _("Virtual bank account")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for payment")
        PAID = "paid", _("Paid")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Cancelled")

    agreement = models.ForeignKey("EscrowAgreement", on_delete=models.PROTECT, related_name="payments")
    amount_krw = models.BigIntegerField(_("amount (KRW)"))
    method = models.CharField(_("method"), max_length=20, choices=Method.choices)
    provider = models.CharField(max_length=20)
    provider_payment_id = models.CharField(max_length=100, unique=True)
    virtual_account = models.CharField(_("virtual account"), max_length=40, blank=True)
    status = FSMField(_("status"), default=Status.PENDING, choices=Status.choices, protected=True)
    created_at = models.DateTimeField(auto_now_add=True)
    paid_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        constraints = [
            models.CheckConstraint(condition=Q(amount_krw__gt=0), name="escrow_payment_amount_positive"),
            # At most one paid payment per agreement: a second capture is refunded, never kept.
            models.UniqueConstraint(
                fields=["agreement"], condition=Q(status="paid"), name="escrow_payment_one_paid_per_agreement"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.provider_payment_id} ₩{self.amount_krw:,}"

    @transition(field=status, source=Status.PENDING, target=Status.PAID)
    def mark_paid(self, *, by=None, reason: str = "") -> None:
        pass

    @transition(field=status, source=Status.PENDING, target=Status.FAILED)
    def mark_failed(self, *, by=None, reason: str = "") -> None:
        pass

    @transition(field=status, source=Status.PENDING, target=Status.CANCELLED)
    def cancel(self, *, by=None, reason: str = "") -> None:
        pass


class Payout(ConcurrentTransitionMixin, models.Model):
    """Money sent from a partner's payable account to its bank, held until the provider confirms."""

    class Status(models.TextChoices):
        REQUESTED = "requested", _("Sent to the bank")
        PAID = "paid", _("Paid")
        FAILED = "failed", _("Failed")

    partner = models.ForeignKey("partners.Partner", on_delete=models.PROTECT, related_name="payouts")
    amount_krw = models.BigIntegerField(_("amount (KRW)"))
    hold = models.OneToOneField("ledger.Hold", on_delete=models.PROTECT, related_name="payout")
    provider = models.CharField(max_length=20)
    provider_payout_id = models.CharField(max_length=100, unique=True)
    status = FSMField(_("status"), default=Status.REQUESTED, choices=Status.choices, protected=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    settled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("payout")
        verbose_name_plural = _("payouts")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(amount_krw__gt=0), name="escrow_payout_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.partner} ₩{self.amount_krw:,} ({self.get_status_display()})"

    @transition(field=status, source=Status.REQUESTED, target=Status.PAID)
    def mark_paid(self, *, by=None, reason: str = "") -> None:
        pass

    @transition(field=status, source=Status.REQUESTED, target=Status.FAILED)
    def mark_failed(self, *, by=None, reason: str = "") -> None:
        pass


class ProviderEvent(models.Model):
    """A webhook event from the payment provider, stored once under its id; a repeat changes nothing."""

    provider = models.CharField(max_length=20)
    event_id = models.CharField(max_length=100)
    event_type = models.CharField(max_length=50)
    payload = models.JSONField()
    received_at = models.DateTimeField(auto_now_add=True)
    outcome = models.CharField(max_length=50, blank=True)

    class Meta:
        verbose_name = _("provider event")
        verbose_name_plural = _("provider events")
        ordering = ["-received_at"]
        constraints = [
            models.UniqueConstraint(fields=["provider", "event_id"], name="escrow_provider_event_once"),
        ]

    def __str__(self) -> str:
        return f"{self.provider}:{self.event_id} {self.event_type}"
