"""The double-entry ledger: every won that moves on the platform moves here, once.

A transfer takes an amount from one account (debit) and gives it to another (credit); balances
are the running sum of transfers. Transfers are append-only (PostgreSQL refuses UPDATE/DELETE);
corrections are new transfers. Accounts that must not go negative are held to it by a CHECK
constraint on balance minus the amount reserved by pending holds. The ledger belongs to the
platform: every app moves money through `trustplatform.ledger.services` and reads it through
`trustplatform.ledger.selectors`.
"""

import re

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from .reasons import reason_shown

# The platform's own accounts by code, and the others by the pattern of the name they were opened with.
PLATFORM_ACCOUNT_NAMES = {
    "platform-psp-clearing": _("PSP clearing (payments in)"),
    "platform-payouts-sent": _("Payouts sent to banks"),
    "platform-capital": _("Platform capital"),
    "platform-guarantee-fund": _("Guarantee fund"),
    "platform-operating": _("Operating account"),
    "platform-fee-revenue": _("Fee revenue"),
}
_ACCOUNT_NAME_PATTERNS = (
    (re.compile(r"^Held in trust: agreement #(?P<id>\d+)$"), _("Held in trust: agreement #%(id)s")),
    (re.compile(r"^Held in trust: booking (?P<code>.+)$"), _("Held in trust: booking %(code)s")),
    (re.compile(r"^Guarantee charges: (?P<partner>.+)$"), _("Guarantee charges: %(partner)s")),
    (re.compile(r"^Payable to consumer #(?P<id>\d+)$"), _("Payable to consumer #%(id)s")),
    (re.compile(r"^Payable to (?P<partner>.+)$"), _("Payable to %(partner)s")),
)


class LedgerAccount(models.Model):
    class Kind(models.TextChoices):
        PLATFORM = "platform", _("Platform")
        EXTERNAL = "external", _("Outside world (PSP, banks)")
        CONSUMER = "consumer", _("Consumer")
        PARTNER = "partner", _("Partner")
        HOLDING = "holding", _("Held in trust")

    code = models.SlugField(
        _("code"),
        max_length=100,
        unique=True,
        help_text=_("Stable name, e.g. platform-guarantee-fund or partner-12-payable."),
    )
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="ledger_accounts",
    )
    partner = models.ForeignKey(
        "partners.Partner", null=True, blank=True, on_delete=models.PROTECT, related_name="ledger_accounts"
    )
    # Only accounts standing for the outside world may go below zero (money came in from there).
    allow_negative = models.BooleanField(_("may go negative"), default=False)
    # A busy receiving account (fee revenue: a share of every release) would make every payout wait
    # on its one row. Credits to such an account are queued (PendingCredit) and folded into the
    # balance in batches; its true balance is balance_krw plus what is queued.
    queued_credits = models.BooleanField(_("credits queued"), default=False)
    balance_krw = models.BigIntegerField(_("balance (KRW)"), default=0)
    reserved_krw = models.BigIntegerField(_("reserved by pending holds (KRW)"), default=0)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        db_table = "escrow_ledgeraccount"  # the name it had under escrow: the rows stayed in place
        verbose_name = _("ledger account")
        verbose_name_plural = _("ledger accounts")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(allow_negative=True) | Q(balance_krw__gte=F("reserved_krw")),
                name="escrow_account_not_overdrawn",
            ),
            models.CheckConstraint(condition=Q(reserved_krw__gte=0), name="escrow_account_reserved_positive"),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        """The name in the reader's language: the rows keep the English name the services wrote."""
        if self.code in PLATFORM_ACCOUNT_NAMES:
            return str(PLATFORM_ACCOUNT_NAMES[self.code])
        for pattern, text in _ACCOUNT_NAME_PATTERNS:
            match = pattern.match(self.name)
            if match:
                return str(text % match.groupdict())
        return self.name

    @property
    def available_krw(self) -> int:
        return self.balance_krw - self.reserved_krw


class Transfer(models.Model):
    """One movement of money between two accounts. Never updated, never deleted."""

    idempotency_key = models.CharField(_("idempotency key"), max_length=200, unique=True)
    debit_account = models.ForeignKey(
        LedgerAccount, verbose_name=_("from"), on_delete=models.PROTECT, related_name="debits"
    )
    credit_account = models.ForeignKey(
        LedgerAccount, verbose_name=_("to"), on_delete=models.PROTECT, related_name="credits"
    )
    amount_krw = models.BigIntegerField(_("amount (KRW)"))
    reason = models.CharField(_("reason"), max_length=300)
    subject_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    subject_id = models.CharField(max_length=64, blank=True)
    metadata = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)

    class Meta:
        db_table = "escrow_transfer"  # the name it had under escrow: the rows stayed in place
        verbose_name = _("transfer")
        verbose_name_plural = _("transfers")
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount_krw__gt=0), name="escrow_transfer_amount_positive"),
            models.CheckConstraint(
                condition=~Q(debit_account=F("credit_account")), name="escrow_transfer_two_accounts"
            ),
        ]
        indexes = [models.Index(fields=["subject_type", "subject_id"])]

    def __str__(self) -> str:
        reason = reason_shown(self.reason)
        return f"₩{self.amount_krw:,} {self.debit_account_id}→{self.credit_account_id} ({reason})"


class PendingCredit(models.Model):
    """A movement of a queued account not yet folded into its balance (then deleted): a credit, or,
    for a queued account that may go below zero, a debit (a negative amount).

    Folding deletes the rows it adds, in one statement under the account's row lock, so a movement
    committed later is never skipped and none is counted twice.
    """

    account = models.ForeignKey(LedgerAccount, on_delete=models.PROTECT, related_name="pending_credits")
    transfer = models.OneToOneField(Transfer, on_delete=models.PROTECT, related_name="pending_credit")
    amount_krw = models.BigIntegerField(_("amount (KRW)"))

    class Meta:
        db_table = "escrow_pendingcredit"  # the name it had under escrow: the rows stayed in place
        verbose_name = _("queued credit")
        verbose_name_plural = _("queued credits")
        constraints = [
            models.CheckConstraint(
                condition=~Q(amount_krw=0), name="ledger_pendingcredit_amount_not_zero"
            ),
        ]

    def __str__(self) -> str:
        return f"₩{self.amount_krw:,} → {self.account_id}"


class Hold(ConcurrentTransitionMixin, models.Model):
    """Money reserved on an account now and moved (posted) or let go (voided) later, exactly once."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        POSTED = "posted", _("Posted")
        VOIDED = "voided", _("Voided")

    idempotency_key = models.CharField(_("idempotency key"), max_length=200, unique=True)
    debit_account = models.ForeignKey(
        LedgerAccount, verbose_name=_("from"), on_delete=models.PROTECT, related_name="holds_out"
    )
    credit_account = models.ForeignKey(
        LedgerAccount, verbose_name=_("to"), on_delete=models.PROTECT, related_name="holds_in"
    )
    amount_krw = models.BigIntegerField(_("amount (KRW)"))
    reason = models.CharField(_("reason"), max_length=300)
    status = FSMField(_("status"), default=Status.PENDING, choices=Status.choices, protected=True)
    transfer = models.OneToOneField(
        Transfer, null=True, blank=True, on_delete=models.PROTECT, related_name="hold"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    settled_at = models.DateTimeField(_("settled"), null=True, blank=True)

    class Meta:
        db_table = "escrow_hold"  # the name it had under escrow: the rows stayed in place
        verbose_name = _("hold")
        verbose_name_plural = _("holds")
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount_krw__gt=0), name="escrow_hold_amount_positive"),
            models.CheckConstraint(
                condition=~Q(debit_account=F("credit_account")), name="escrow_hold_two_accounts"
            ),
            # A posted hold points at its transfer; no other state does.
            models.CheckConstraint(
                condition=Q(status="posted", transfer__isnull=False)
                | (~Q(status="posted") & Q(transfer__isnull=True)),
                name="escrow_hold_posted_has_transfer",
            ),
        ]

    def __str__(self) -> str:
        return f"₩{self.amount_krw:,} {self.get_status_display()} ({reason_shown(self.reason)})"

    @transition(field=status, source=Status.PENDING, target=Status.POSTED)
    def post(self, *, by=None, reason: str = "", transfer: Transfer) -> None:
        self.transfer = transfer

    @transition(field=status, source=Status.PENDING, target=Status.VOIDED)
    def void(self, *, by=None, reason: str = "") -> None:
        pass


class FundTopUp(ConcurrentTransitionMixin, models.Model):
    """Money finance moves from the operating account into the guarantee fund, exactly once.

    Above the four-eyes threshold a second finance person approves before it executes; the requester
    never approves their own (a CHECK constraint says so too). Executed means its transfer exists.
    """

    class Status(models.TextChoices):
        REQUESTED = "requested", _("Requested")
        APPROVED = "approved", _("Approved")
        EXECUTED = "executed", _("Executed")
        REJECTED = "rejected", _("Rejected")

    amount_krw = models.BigIntegerField(_("amount (KRW)"))
    reason = models.TextField(_("reason"))
    status = FSMField(_("status"), default=Status.REQUESTED, choices=Status.choices, protected=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("requested by"), on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(_("requested"), auto_now_add=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    executed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("executed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    executed_at = models.DateTimeField(_("executed"), null=True, blank=True)
    rejected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("rejected by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    rejected_at = models.DateTimeField(_("rejected"), null=True, blank=True)
    rejection_reason = models.TextField(_("why it was rejected"), blank=True)
    transfer = models.OneToOneField(
        Transfer,
        verbose_name=_("transfer"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("guarantee fund top-up")
        verbose_name_plural = _("guarantee fund top-ups")
        ordering = ["-requested_at"]
        permissions = [
            ("request_fundtopup", _("Can request and execute guarantee fund top-ups")),
            ("approve_fundtopup", _("Can approve or reject guarantee fund top-ups")),
            ("fund_operating_account", _("Can record capital paid in and sweep fee revenue")),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(amount_krw__gt=0), name="ledger_fundtopup_amount_positive"),
            # Four eyes: whoever asked for the money never approves it.
            models.CheckConstraint(
                condition=Q(approved_by__isnull=True) | ~Q(approved_by=F("requested_by")),
                name="ledger_fundtopup_four_eyes",
            ),
            models.CheckConstraint(
                condition=Q(status="executed", transfer__isnull=False)
                | (~Q(status="executed") & Q(transfer__isnull=True)),
                name="ledger_fundtopup_executed_has_transfer",
            ),
        ]

    def __str__(self) -> str:
        return _("Top-up #%(id)s of ₩%(amount)s") % {"id": self.pk, "amount": f"{self.amount_krw:,}"}

    @property
    def idempotency_key(self) -> str:
        return f"fund-topup:{self.pk}"

    @transition(field=status, source=Status.REQUESTED, target=Status.APPROVED)
    def approve(self, *, by=None, reason: str = "") -> None:
        pass

    @transition(field=status, source=[Status.REQUESTED, Status.APPROVED], target=Status.REJECTED)
    def reject(self, *, by=None, reason: str = "") -> None:
        pass

    @transition(field=status, source=[Status.REQUESTED, Status.APPROVED], target=Status.EXECUTED)
    def execute(self, *, by=None, reason: str = "", transfer: Transfer) -> None:
        self.transfer = transfer


class GuaranteeFundAlert(models.Model):
    """One row per Korean day on which finance was told the fund is below its floor: at most one a day."""

    day = models.DateField(_("day (KST)"), unique=True)
    balance_krw = models.BigIntegerField(_("fund balance (KRW)"))
    floor_krw = models.BigIntegerField(_("floor (KRW)"))
    created_at = models.DateTimeField(_("sent"), auto_now_add=True)

    class Meta:
        verbose_name = _("guarantee fund alert")
        verbose_name_plural = _("guarantee fund alerts")
        ordering = ["-day"]

    def __str__(self) -> str:
        return f"{self.day}: ₩{self.balance_krw:,} < ₩{self.floor_krw:,}"
