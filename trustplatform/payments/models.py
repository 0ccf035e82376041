"""Payments of every app's subjects, their refunds, payouts to partners, and the providers' events.

The tables of payments, payouts and events were escrow's and keep their names (`db_table`); booking
payments were merged into the same table.
"""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from trustplatform.fields import EncryptedTextField


class Payment(ConcurrentTransitionMixin, models.Model):
    """A payer's payment for a subject (an agreement, a booking), confirmed only by the provider's
    signed webhook. The subject's app decides what a paid, failed or refunded payment means."""

    class Method(models.TextChoices):
        CARD = "card", _("Card")
        VIRTUAL_ACCOUNT = "virtual_account", _("Virtual bank account")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for payment")
        PAID = "paid", _("Paid")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Cancelled")
        REFUNDED = "refunded", _("Refunded")

    subject_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    subject_id = models.BigIntegerField()
    subject = GenericForeignKey("subject_type", "subject_id")
    payer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("payer"), on_delete=models.PROTECT, related_name="payments"
    )
    amount_krw = models.BigIntegerField(_("amount (KRW)"))
    refunded_krw = models.BigIntegerField(_("refunded (KRW)"), default=0)
    method = models.CharField(_("method"), max_length=20, choices=Method.choices)
    provider = models.CharField(_("provider"), max_length=20)
    provider_payment_id = models.CharField(max_length=100, unique=True)
    virtual_account = models.CharField(_("virtual account"), max_length=60, blank=True)
    virtual_account_expires_at = models.DateTimeField(_("virtual account open until"), null=True, blank=True)
    status = FSMField(_("status"), default=Status.PENDING, choices=Status.choices, protected=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)

    class Meta:
        db_table = "escrow_payment"
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        constraints = [
            models.CheckConstraint(condition=Q(amount_krw__gt=0), name="escrow_payment_amount_positive"),
            models.CheckConstraint(
                condition=Q(refunded_krw__gte=0, refunded_krw__lte=F("amount_krw")),
                name="payments_payment_refund_within_amount",
            ),
            # At most one paid payment per subject: a second capture is refunded, never kept.
            models.UniqueConstraint(
                fields=["subject_type", "subject_id"],
                condition=Q(status="paid"),
                name="payments_payment_one_paid_per_subject",
            ),
        ]
        indexes = [models.Index(fields=["subject_type", "subject_id"], name="payments_payment_subject")]

    def __str__(self) -> str:
        return f"{self.provider_payment_id} ₩{self.amount_krw:,}"

    @property
    def refundable_krw(self) -> int:
        return self.amount_krw - self.refunded_krw if self.status == self.Status.PAID else 0

    @transition(field=status, source=Status.PENDING, target=Status.PAID)
    def mark_paid(self, *, by=None, reason: str = "") -> None:
        pass

    @transition(field=status, source=Status.PENDING, target=Status.FAILED)
    def mark_failed(self, *, by=None, reason: str = "") -> None:
        pass

    @transition(field=status, source=Status.PENDING, target=Status.CANCELLED)
    def cancel(self, *, by=None, reason: str = "") -> None:
        pass

    @transition(field=status, source=Status.PAID, target=Status.REFUNDED)
    def mark_refunded(self, *, by=None, reason: str = "") -> None:
        pass


class Refund(ConcurrentTransitionMixin, models.Model):
    """Money back to the payer through the provider, whole or in part, once per key.

    The amount is reserved on the payer's consumer payable account when asked for, and leaves the
    ledger when the provider confirms the cancellation; a refused one gives the reservation back.
    """

    class Status(models.TextChoices):
        AWAITING_ACCOUNT = "awaiting_account", _("Waiting for the bank account to refund to")
        REQUESTED = "requested", _("Sent to the provider")
        DONE = "done", _("Refunded")
        FAILED = "failed", _("Refused by the provider")

    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="refunds")
    amount_krw = models.BigIntegerField(_("amount (KRW)"))
    key = models.CharField(_("idempotency key"), max_length=200, unique=True)
    reason = models.CharField(_("reason"), max_length=300)
    hold = models.OneToOneField("ledger.Hold", on_delete=models.PROTECT, related_name="refund")
    provider_refund_id = models.CharField(max_length=100, unique=True)
    status = FSMField(_("status"), default=Status.REQUESTED, choices=Status.choices, protected=True)
    failure = models.CharField(_("provider's answer"), max_length=200, blank=True)
    # Where a virtual-account payment goes back to ("bank|number|holder", encrypted); erased once the
    # refund is settled.
    refund_account = EncryptedTextField(blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    settled_at = models.DateTimeField(_("settled at"), null=True, blank=True)

    class Meta:
        verbose_name = _("refund")
        verbose_name_plural = _("refunds")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount_krw__gt=0), name="payments_refund_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.payment} −₩{self.amount_krw:,} ({self.get_status_display()})"

    @transition(field=status, source=Status.AWAITING_ACCOUNT, target=Status.REQUESTED)
    def account_given(self, *, by=None, reason: str = "") -> None:
        pass

    @transition(field=status, source=Status.REQUESTED, target=Status.DONE)
    def mark_done(self, *, by=None, reason: str = "") -> None:
        pass

    @transition(field=status, source=[Status.REQUESTED, Status.AWAITING_ACCOUNT], target=Status.FAILED)
    def mark_failed(self, *, by=None, reason: str = "") -> None:
        pass


class PayoutAccount(models.Model):
    """The bank account a payee (a partner, or a consumer withdrawing their credit) is paid to.

    The bank's holder name is checked through the provider before it is kept; the number is encrypted
    at rest and shown masked. A payee has at most one current account: a new one replaces it, and
    when it replaces another, payouts wait `PAYMENTS_PAYOUT_ACCOUNT_HOLD_HOURS` (a hijacked login
    changing the account is caught by the owners, who are all told, before money leaves).
    """

    partner = models.ForeignKey("partners.Partner", null=True, blank=True, on_delete=models.PROTECT,
                                related_name="payout_accounts")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                             related_name="payout_accounts")
    bank = models.CharField(_("bank"), max_length=30)
    number = EncryptedTextField(_("account number"))
    number_hint = models.CharField(_("account number"), max_length=20)
    holder = models.CharField(_("account holder"), max_length=60)
    provider = models.CharField(max_length=20)
    # The provider's record of the check (PortOne's account verification id) and of the payee.
    verification_id = models.CharField(max_length=100, blank=True)
    provider_payee_id = models.CharField(max_length=100, blank=True)
    verified_at = models.DateTimeField(_("holder checked at"))
    payouts_from = models.DateTimeField(_("payouts allowed from"))
    registered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("registered"), auto_now_add=True)
    replaced_at = models.DateTimeField(_("replaced"), null=True, blank=True)

    class Meta:
        verbose_name = _("payout account")
        verbose_name_plural = _("payout accounts")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(partner__isnull=True, user__isnull=False)
                           | Q(partner__isnull=False, user__isnull=True)),
                name="payments_payoutaccount_one_payee",
            ),
            models.UniqueConstraint(
                fields=["partner"], condition=Q(replaced_at__isnull=True, partner__isnull=False),
                name="payments_payoutaccount_one_current_per_partner"),
            models.UniqueConstraint(
                fields=["user"], condition=Q(replaced_at__isnull=True, user__isnull=False),
                name="payments_payoutaccount_one_current_per_user"),
        ]

    def __str__(self) -> str:
        from .banks import bank_name

        return f"{bank_name(self.bank)} {self.number_hint} ({self.holder})"


class Payout(ConcurrentTransitionMixin, models.Model):
    """Money sent from a payee's payable account (a partner's, or a consumer's credit) to its bank
    account, held until the provider confirms it arrived; a bounced payout gives the money back."""

    class Status(models.TextChoices):
        REQUESTED = "requested", _("Sent to the bank")
        PAID = "paid", _("Paid")
        FAILED = "failed", _("Failed")

    partner = models.ForeignKey("partners.Partner", null=True, blank=True, on_delete=models.PROTECT,
                                related_name="payouts")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                             related_name="payouts")
    account = models.ForeignKey(PayoutAccount, null=True, blank=True, on_delete=models.PROTECT,
                                related_name="payouts", verbose_name=_("to the account"))
    amount_krw = models.BigIntegerField(_("amount (KRW)"))
    hold = models.OneToOneField("ledger.Hold", on_delete=models.PROTECT, related_name="payout")
    provider = models.CharField(max_length=20)
    provider_payout_id = models.CharField(max_length=100, unique=True)
    status = FSMField(_("status"), default=Status.REQUESTED, choices=Status.choices, protected=True)
    failure = models.CharField(_("bank's answer"), max_length=200, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    settled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "escrow_payout"
        verbose_name = _("payout")
        verbose_name_plural = _("payouts")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(amount_krw__gt=0), name="escrow_payout_amount_positive"),
            models.CheckConstraint(
                condition=(Q(partner__isnull=True, user__isnull=False)
                           | Q(partner__isnull=False, user__isnull=True)),
                name="payments_payout_one_payee",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.partner or self.user} ₩{self.amount_krw:,} ({self.get_status_display()})"

    @transition(field=status, source=Status.REQUESTED, target=Status.PAID)
    def mark_paid(self, *, by=None, reason: str = "") -> None:
        pass

    @transition(field=status, source=Status.REQUESTED, target=Status.FAILED)
    def mark_failed(self, *, by=None, reason: str = "") -> None:
        pass


class ProviderEvent(models.Model):
    """A webhook event from a payment provider, stored once under its id; a repeat changes nothing."""

    provider = models.CharField(max_length=20)
    event_id = models.CharField(max_length=100)
    event_type = models.CharField(max_length=50)
    payload = models.JSONField()
    received_at = models.DateTimeField(auto_now_add=True)
    # Empty while the event waits for a worker to apply it (see payments.services.provider_event_receive).
    outcome = models.CharField(max_length=50, blank=True)
    # What the provider answered when asked about the event, kept for the worker that applies it:
    # a list of [event type, data] pairs (ProviderEventData without its id).
    facts = models.JSONField(default=list, blank=True)
    applied_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "escrow_providerevent"
        verbose_name = _("provider event")
        verbose_name_plural = _("provider events")
        ordering = ["-received_at"]
        constraints = [
            models.UniqueConstraint(fields=["provider", "event_id"], name="escrow_provider_event_once"),
        ]
        indexes = [
            # The worker's sweep finds the few events still waiting without reading the applied ones.
            models.Index(fields=["received_at"], name="payments_event_waiting",
                         condition=models.Q(outcome="")),
        ]

    def __str__(self) -> str:
        from .words import event_type_words, provider_words

        return f"{provider_words(self.provider)} {self.event_id} {event_type_words(self.event_type)}"


class SandboxCharge(models.Model):
    """The sandbox provider's own record of a checkout (what a real PSP keeps on its side), so that
    fetching a payment from the sandbox answers from the provider's state, not from ours."""

    provider_payment_id = models.CharField(max_length=100, unique=True)
    amount_krw = models.BigIntegerField()
    method = models.CharField(max_length=20)
    status = models.CharField(max_length=20, default="pending")
    cancelled_krw = models.BigIntegerField(default=0)
    refund_refs = models.JSONField(default=list, blank=True)  # the keys' references it cancelled for
    virtual_account = models.CharField(max_length=40, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("sandbox charge")
        verbose_name_plural = _("sandbox charges")

    def __str__(self) -> str:
        return self.provider_payment_id


class SandboxPayout(models.Model):
    """The sandbox bank's own record of a payout it was asked to make, so that reconciliation asks the
    sandbox what it sent instead of reading our own rows back."""

    provider_payout_id = models.CharField(max_length=100, unique=True)
    amount_krw = models.BigIntegerField()
    account_hint = models.CharField(max_length=20)
    status = models.CharField(max_length=20)  # paid or failed
    failure = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("sandbox payout")
        verbose_name_plural = _("sandbox payouts")

    def __str__(self) -> str:
        return self.provider_payout_id
