"""Escrow agreements: the terms both sides accept, the conditions that release the money, and the
milestones of a renovation."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition


class EscrowAgreement(ConcurrentTransitionMixin, models.Model):
    """Money a payer (consumer) places in trust for a payee (partner) until the agreed conditions hold.

    A deal made through a brokerage names it as `broker`: it may confirm the conditions named for it
    and follow the agreement, but it is never paid: every release credits the payee only."""

    class Template(models.TextChoices):
        RENTAL_DEPOSIT = "rental_deposit", _("Rental deposit")
        RENOVATION = "renovation", _("Renovation")
        CUSTOM = "custom", _("Custom")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PROPOSED = "proposed", _("Proposed")
        AGREED = "agreed", _("Agreed")
        FUNDED = "funded", _("Funded")
        DISPUTED = "disputed", _("In dispute")
        RELEASED = "released", _("Released")
        REFUNDED = "refunded", _("Refunded")
        RESOLVED = "resolved", _("Resolved")
        EXPIRED = "expired", _("Expired")

    template = models.CharField(_("template"), max_length=20, choices=Template.choices)
    title = models.CharField(_("title"), max_length=200)
    # None while the agreement waits for the owner of `payer_email` to sign up (services/invitations.py).
    payer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("payer"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="escrow_agreements",
    )
    # The address a business proposed the agreement to; blank when the payer started it themselves.
    payer_email = models.EmailField(_("payer's email"), blank=True)
    payee = models.ForeignKey(
        "partners.Partner",
        verbose_name=_("payee"),
        on_delete=models.PROTECT,
        related_name="escrow_agreements",
    )
    # The brokerage that arranged the deal (중개): confirms its conditions, never receives money.
    broker = models.ForeignKey(
        "partners.Partner",
        verbose_name=_("broker"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="brokered_escrow_agreements",
    )
    amount_krw = models.BigIntegerField(_("amount (KRW)"))
    # The payer's payments into the agreement (the platform's payments module).
    payments = GenericRelation(
        "payments.Payment", content_type_field="subject_type", object_id_field="subject_id",
        related_query_name="agreement",
    )
    terms = models.JSONField(_("terms"), default=dict)
    terms_hash = models.CharField(_("terms fingerprint"), max_length=64, blank=True)
    property_address = models.CharField(_("property address"), max_length=200, blank=True)
    status = FSMField(_("status"), default=Status.DRAFT, choices=Status.choices, protected=True)
    payer_accepted_hash = models.CharField(max_length=64, blank=True)
    payee_accepted_hash = models.CharField(max_length=64, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    proposed_at = models.DateTimeField(null=True, blank=True)
    agreed_at = models.DateTimeField(null=True, blank=True)
    funded_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    fund_by = models.DateTimeField(_("fund by"), null=True, blank=True)

    class Meta:
        verbose_name = _("escrow agreement")
        verbose_name_plural = _("escrow agreements")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount_krw__gt=0), name="escrow_agreement_amount_positive"),
            # The broker of a deal is never the business paid by it.
            models.CheckConstraint(
                condition=Q(broker__isnull=True) | ~Q(broker=models.F("payee")),
                name="escrow_agreement_broker_is_not_payee",
            ),
            # Without a payer an agreement names the address it waits for, and goes no further than
            # proposed: nobody can accept, pay or be paid back under it.
            models.CheckConstraint(
                condition=Q(payer__isnull=False)
                | (~Q(payer_email="") & Q(status__in=["draft", "proposed", "expired"])),
                name="escrow_agreement_payer_or_waiting_address",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.title}"

    @property
    def payer_known(self) -> bool:
        """Whether the business may see who pays: the payer started the agreement or accepted its terms.
        Before that it sees the address it typed, so a proposal never tells whether an account uses it."""
        return self.payer_id is not None and (not self.payer_email or bool(self.payer_accepted_hash))

    @property
    def payer_shown(self) -> str:
        """The payer as the business's pages show them (see payer_known)."""
        return str(self.payer) if self.payer_known else self.payer_email

    @property
    def holding_code(self) -> str:
        return f"agreement-{self.pk}-holding"

    @transition(field=status, source=Status.DRAFT, target=Status.PROPOSED)
    def propose(self, *, by=None, reason: str = "") -> None:
        pass

    @transition(field=status, source=Status.PROPOSED, target=Status.AGREED)
    def agree(self, *, by=None, reason: str = "") -> None:
        pass

    @transition(field=status, source=Status.AGREED, target=Status.FUNDED)
    def fund(self, *, by=None, reason: str = "") -> None:
        pass

    @transition(field=status, source=[Status.DRAFT, Status.PROPOSED, Status.AGREED], target=Status.EXPIRED)
    def expire(self, *, by=None, reason: str = "") -> None:
        pass

    @transition(field=status, source=Status.FUNDED, target=Status.DISPUTED)
    def dispute(self, *, by=None, reason: str = "") -> None:
        pass

    @transition(field=status, source=Status.DISPUTED, target=Status.RESOLVED)
    def resolve(self, *, by=None, reason: str = "") -> None:
        pass

    @transition(field=status, source=Status.DISPUTED, target=Status.FUNDED)
    def resume(self, *, by=None, reason: str = "") -> None:
        """A dispute that moved no money (withdrawn) lets the agreement run on."""

    @transition(field=status, source=Status.FUNDED, target=Status.RELEASED)
    def release(self, *, by=None, reason: str = "") -> None:
        pass

    @transition(field=status, source=Status.FUNDED, target=Status.REFUNDED)
    def refund(self, *, by=None, reason: str = "") -> None:
        pass


class Condition(ConcurrentTransitionMixin, models.Model):
    """One checkable thing the release waits for."""

    class Kind(models.TextChoices):
        COUNTERPARTY = "counterparty", _("Confirmed by the other side")
        DOCUMENT = "document", _("Document reviewed by staff")
        REGISTRY = "registry", _("Property registry unchanged")
        DATE = "date", _("Date reached")
        NO_OPEN_CLAIM = "no_open_claim", _("No open after-sales claim")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        SATISFIED = "satisfied", _("Met")
        FAILED = "failed", _("Not met")

    agreement = models.ForeignKey(EscrowAgreement, on_delete=models.CASCADE, related_name="conditions")
    milestone = models.ForeignKey(
        "Milestone", null=True, blank=True, on_delete=models.CASCADE, related_name="conditions"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    label = models.CharField(_("what"), max_length=200)
    # Who must confirm a counterparty condition: "payer", "payee" or "broker" (the agreement's broker).
    confirmer = models.CharField(max_length=10, blank=True)
    due_date = models.DateField(_("date"), null=True, blank=True)
    status = FSMField(_("status"), default=Status.PENDING, choices=Status.choices, protected=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("release condition")
        verbose_name_plural = _("release conditions")
        ordering = ["agreement", "id"]
        permissions = [("review_document", _("Can accept or refuse documents for escrow conditions"))]

    def __str__(self) -> str:
        return self.label

    @transition(field=status, source=Status.PENDING, target=Status.SATISFIED)
    def satisfy(self, *, by=None, reason: str = "") -> None:
        self.note = reason

    @transition(field=status, source=Status.PENDING, target=Status.FAILED)
    def fail(self, *, by=None, reason: str = "") -> None:
        self.note = reason

    @transition(field=status, source=Status.SATISFIED, target=Status.FAILED)
    def revoke(self, *, by=None, reason: str = "") -> None:
        """A check that held earlier fails at the last moment (a lien filed on move-in day)."""
        self.note = reason

    @transition(field=status, source=Status.FAILED, target=Status.PENDING)
    def reopen(self, *, by=None, reason: str = "") -> None:
        """A fixed problem (a lien lifted, a new document) lets the condition be checked again."""
        self.note = reason


class Milestone(ConcurrentTransitionMixin, models.Model):
    """A part of a renovation payment: released when the payer approves, or after a silent window."""

    class Kind(models.TextChoices):
        DOWN_PAYMENT = "down_payment", _("Down payment")
        INTERIM = "interim", _("Interim payment")
        COMPLETION = "completion", _("Completion payment")
        RETENTION = "retention", _("After-sales retention")

    class Status(models.TextChoices):
        PENDING = "pending", _("Not yet due")
        SUBMITTED = "submitted", _("Waiting for approval")
        APPROVED = "approved", _("Approved")
        RELEASED = "released", _("Paid out")
        REFUNDED = "refunded", _("Refunded")

    agreement = models.ForeignKey(EscrowAgreement, on_delete=models.CASCADE, related_name="milestones")
    sequence = models.PositiveSmallIntegerField()
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    amount_krw = models.BigIntegerField(_("amount (KRW)"))
    status = FSMField(_("status"), default=Status.PENDING, choices=Status.choices, protected=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    approve_by = models.DateTimeField(_("approved automatically at"), null=True, blank=True)
    reminders_sent = models.PositiveSmallIntegerField(default=0)
    approved_at = models.DateTimeField(null=True, blank=True)
    auto_approved = models.BooleanField(default=False)
    release_after = models.DateTimeField(_("held until"), null=True, blank=True)
    released_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        ordering = ["agreement", "sequence"]
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "sequence"], name="escrow_milestone_sequence_unique"
            ),
            models.CheckConstraint(condition=Q(amount_krw__gt=0), name="escrow_milestone_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ₩{self.amount_krw:,}"

    @transition(field=status, source=Status.PENDING, target=Status.SUBMITTED)
    def submit(self, *, by=None, reason: str = "") -> None:
        pass

    @transition(field=status, source=Status.SUBMITTED, target=Status.APPROVED)
    def approve(self, *, by=None, reason: str = "") -> None:
        pass

    @transition(field=status, source=Status.SUBMITTED, target=Status.PENDING)
    def send_back(self, *, by=None, reason: str = "") -> None:
        """The payer says the work is not done yet."""

    @transition(field=status, source=Status.APPROVED, target=Status.RELEASED)
    def mark_released(self, *, by=None, reason: str = "") -> None:
        pass

    @transition(
        field=status, source=[Status.PENDING, Status.SUBMITTED, Status.APPROVED], target=Status.REFUNDED
    )
    def mark_refunded(self, *, by=None, reason: str = "") -> None:
        pass


# Milestones that will move no more money: paid out, or refunded.
MILESTONES_DONE = (Milestone.Status.RELEASED, Milestone.Status.REFUNDED)
