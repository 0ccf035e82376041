"""Disputes decided by agents and guarantee claims for the three core renovation accidents; above
the four-eyes threshold a second person approves the exact decision (its hash) of either."""

import hashlib
import json

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition


class Dispute(ConcurrentTransitionMixin, models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        DECIDED = "decided", _("Decided, awaiting approval")
        EXECUTED = "executed", _("Executed")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    class Outcome(models.TextChoices):
        RELEASE = "release", _("Release to the payee")
        REFUND = "refund", _("Refund to the payer")
        SPLIT = "split", _("Split")

    agreement = models.ForeignKey("EscrowAgreement", on_delete=models.PROTECT, related_name="disputes")
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reasons = models.TextField(_("reasons"))
    status = FSMField(_("status"), default=Status.OPEN, choices=Status.choices, protected=True)
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices, blank=True)
    payee_amount_krw = models.BigIntegerField(_("to the payee (KRW)"), default=0)
    payer_amount_krw = models.BigIntegerField(_("back to the payer (KRW)"), default=0)
    decision_note = models.TextField(_("decision"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decision_hash = models.CharField(max_length=64, blank=True)
    opened_at = models.DateTimeField(_("opened"), auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    executed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("dispute")
        verbose_name_plural = _("disputes")
        ordering = ["opened_at"]
        permissions = [
            ("decide_dispute", _("Can decide escrow disputes")),
            ("approve_dispute", _("Can give the second approval of a large dispute decision")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(payee_amount_krw__gte=0, payer_amount_krw__gte=0),
                name="escrow_dispute_amounts_not_negative",
            ),
            # One live dispute per agreement at a time.
            models.UniqueConstraint(
                fields=["agreement"],
                condition=Q(status__in=["open", "decided"]),
                name="escrow_dispute_one_live",
            ),
        ]

    def __str__(self) -> str:
        return str(_("Dispute #%(id)s on %(agreement)s") % {"id": self.pk, "agreement": self.agreement})

    def compute_decision_hash(self) -> str:
        decision = {
            "dispute": self.pk,
            "outcome": self.outcome,
            "payee": self.payee_amount_krw,
            "payer": self.payer_amount_krw,
            "note": self.decision_note,
            "by": self.decided_by_id,
        }
        return hashlib.sha256(json.dumps(decision, sort_keys=True).encode()).hexdigest()

    @transition(field=status, source=[Status.OPEN, Status.DECIDED], target=Status.DECIDED)
    def decide(self, *, by=None, reason: str = "") -> None:
        pass

    @transition(field=status, source=Status.DECIDED, target=Status.EXECUTED)
    def execute(self, *, by=None, reason: str = "") -> None:
        pass

    @transition(field=status, source=Status.OPEN, target=Status.WITHDRAWN)
    def withdraw(self, *, by=None, reason: str = "") -> None:
        pass


class DisputeApproval(models.Model):
    """A finance user's second approval, bound to the exact decision by its hash."""

    dispute = models.ForeignKey(Dispute, on_delete=models.PROTECT, related_name="approvals")
    approver = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decision_hash = models.CharField(max_length=64)
    approved_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("dispute approval")
        verbose_name_plural = _("dispute approvals")
        constraints = [
            models.UniqueConstraint(
                fields=["dispute", "decision_hash", "approver"], name="escrow_approval_once_per_decision"
            ),
        ]

    def __str__(self) -> str:
        return str(_("%(approver)s approved %(decision)s") % {
            "approver": self.approver, "decision": self.dispute,
        })


class DisputeAnswer(models.Model):
    """What the side that did not open a dispute says back, read by the agent deciding it: words alone,
    or words with a file (stored, private, as the dispute's evidence). Append-only: a later answer adds."""

    class Side(models.TextChoices):
        PAYER = "payer", _("The payer")
        PAYEE = "payee", _("The payee")

    dispute = models.ForeignKey(Dispute, on_delete=models.PROTECT, related_name="answers")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    side = models.CharField(_("side"), max_length=10, choices=Side.choices)
    text = models.CharField(_("answer"), max_length=300)
    evidence = models.OneToOneField(
        "Evidence", null=True, blank=True, on_delete=models.PROTECT, related_name="answer",
        verbose_name=_("file"),
    )
    answered_at = models.DateTimeField(_("answered"), auto_now_add=True)

    class Meta:
        verbose_name = _("answer to the dispute")
        verbose_name_plural = _("answers to the dispute")
        ordering = ["answered_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(text=""), name="escrow_dispute_answer_text"),
            models.CheckConstraint(
                condition=Q(side__in=["payer", "payee"]), name="escrow_dispute_answer_side"
            ),
        ]

    def __str__(self) -> str:
        return str(_("Answer to %(dispute)s by %(side)s") % {
            "dispute": self.dispute, "side": self.get_side_display(),
        })


class GuaranteeClaim(ConcurrentTransitionMixin, models.Model):
    class Accident(models.TextChoices):
        VANISHED = "vanished", _("Contractor vanished with the payment")
        MATERIALS_SWAPPED = "materials_swapped", _("Materials swapped for cheaper ones")
        AS_NOT_DONE = "as_not_done", _("After-sales repairs not done")

    class Status(models.TextChoices):
        FILED = "filed", _("Filed")
        APPROVED = "approved", _("Approved")
        PAID = "paid", _("Paid")
        REJECTED = "rejected", _("Rejected")

    class PayTo(models.TextChoices):
        CUSTOMER = "customer", _("The customer")
        REPLACEMENT = "replacement", _("A replacement contractor")

    agreement = models.ForeignKey("EscrowAgreement", on_delete=models.PROTECT, related_name="claims")
    accident = models.CharField(_("accident"), max_length=20, choices=Accident.choices)
    description = models.TextField(_("what happened"))
    amount_requested_krw = models.BigIntegerField(_("amount asked (KRW)"))
    amount_approved_krw = models.BigIntegerField(_("amount approved (KRW)"), default=0)
    pay_to = models.CharField(_("pay to"), max_length=12, choices=PayTo.choices, default=PayTo.CUSTOMER)
    replacement = models.ForeignKey(
        "partners.Partner", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    status = FSMField(_("status"), default=Status.FILED, choices=Status.choices, protected=True)
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    filed_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decision_hash = models.CharField(max_length=64, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("guarantee claim")
        verbose_name_plural = _("guarantee claims")
        ordering = ["filed_at"]
        permissions = [
            ("decide_claim", _("Can decide guarantee claims")),
            ("approve_claim", _("Can give the second approval of a large guarantee claim")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount_requested_krw__gt=0), name="escrow_claim_amount_positive"
            ),
            models.CheckConstraint(
                condition=Q(amount_approved_krw__gte=0), name="escrow_claim_approved_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(pay_to="customer") | Q(replacement__isnull=False),
                name="escrow_claim_replacement_named",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_accident_display()} — {self.agreement}"

    def compute_decision_hash(self) -> str:
        decision = {
            "claim": self.pk,
            "amount": self.amount_approved_krw,
            "pay_to": self.pay_to,
            "replacement": self.replacement_id,
            "by": self.decided_by_id,
        }
        return hashlib.sha256(json.dumps(decision, sort_keys=True).encode()).hexdigest()

    # An approved claim not yet paid may be decided again (its second approvals stop counting) or rejected.
    @transition(field=status, source=[Status.FILED, Status.APPROVED], target=Status.APPROVED)
    def approve(self, *, by=None, reason: str = "") -> None:
        pass

    @transition(field=status, source=[Status.FILED, Status.APPROVED], target=Status.REJECTED)
    def reject(self, *, by=None, reason: str = "") -> None:
        pass

    @transition(field=status, source=Status.APPROVED, target=Status.PAID)
    def mark_paid(self, *, by=None, reason: str = "") -> None:
        pass


class ClaimApproval(models.Model):
    """A finance user's second approval of a large claim, bound to the exact decision by its hash."""

    claim = models.ForeignKey(GuaranteeClaim, on_delete=models.PROTECT, related_name="approvals")
    approver = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decision_hash = models.CharField(max_length=64)
    approved_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("claim approval")
        verbose_name_plural = _("claim approvals")
        constraints = [
            models.UniqueConstraint(
                fields=["claim", "decision_hash", "approver"], name="escrow_claim_approval_once_per_decision"
            ),
        ]

    def __str__(self) -> str:
        return str(_("%(approver)s approved %(decision)s") % {
            "approver": self.approver, "decision": self.claim,
        })


# Claims that may still be paid from the retention and the fund.
CLAIMS_OPEN = (GuaranteeClaim.Status.FILED, GuaranteeClaim.Status.APPROVED)
