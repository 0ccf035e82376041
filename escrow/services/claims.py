"""Guarantee claims on renovation agreements: the customer files, an agent decides, the money is paid
once, first from the retention still held and then from the guarantee fund.

The cap per agreement (ESCROW_GUARANTEE_CAP_KRW) counts every claim approved or paid, read under the
agreement's row lock (`lock_agreement`), so claims decided at the same time share one cap; paying
checks it again. A decision of ESCROW_FOUR_EYES_THRESHOLD_KRW or more is paid only after a second
person with `escrow.approve_claim`, never the one who decided, approved that exact decision (its
hash); deciding again voids earlier approvals.
"""

from django.conf import settings
from django.db import transaction
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from escrow.models import MILESTONES_DONE, ClaimApproval, EscrowAgreement, GuaranteeClaim, Milestone
from trustplatform.ledger.services import consumer_payable, ledger_transfer, partner_payable, platform_account
from trustplatform.notifications.services import Phrase, label_of, staff_notify
from trustplatform.transitions import transition_run

from .common import (
    EscrowConflict,
    EscrowError,
    EscrowForbidden,
    holding_account,
    lock_agreement,
    require_perm,
    require_side,
)

# What the cap has already promised: approved claims will be paid, paid ones were.
COMMITTED = (GuaranteeClaim.Status.APPROVED, GuaranteeClaim.Status.PAID)


def _claims_total(agreement: EscrowAgreement, *, statuses, excluding: int | None = None) -> int:
    claims = agreement.claims.filter(status__in=statuses)
    if excluding is not None:
        claims = claims.exclude(pk=excluding)
    return claims.aggregate(total=Sum("amount_approved_krw"))["total"] or 0


def claim_cap_left(agreement: EscrowAgreement, *, excluding: int | None = None) -> int:
    """What the guarantee may still approve on this agreement; exact only under the agreement's lock."""
    committed = _claims_total(agreement, statuses=COMMITTED, excluding=excluding)
    return max(0, settings.ESCROW_GUARANTEE_CAP_KRW - committed)


def claim_file(
    *, agreement: EscrowAgreement, actor, accident: str, description: str, amount_krw: int
) -> GuaranteeClaim:
    """The customer of a renovation claims one of the three core accidents, while the agreement's
    guarantee is not used up. Takes the agreement's lock."""
    require_side(user=actor, agreement=agreement, sides=("payer",))
    if agreement.template != EscrowAgreement.Template.RENOVATION:
        raise EscrowError(_("The guarantee covers renovation agreements."), code="not_covered")
    if accident not in GuaranteeClaim.Accident.values:
        raise EscrowError(
            _("Choose what happened."), code="invalid_accident", fields={"accident": [_("Unknown.")]}
        )
    if isinstance(amount_krw, bool) or not isinstance(amount_krw, int) or amount_krw <= 0:
        raise EscrowError(_("The amount is a whole number of won above zero."), code="invalid_amount")
    with transaction.atomic():
        agreement = lock_agreement(agreement.pk)
        if claim_cap_left(agreement) <= 0:
            raise EscrowConflict(
                _("The guarantee on this agreement is used up: ₩%(cap)s was already approved.")
                % {"cap": f"{settings.ESCROW_GUARANTEE_CAP_KRW:,}"},
                code="cap_used",
            )
        claim = GuaranteeClaim.objects.create(
            agreement=agreement,
            accident=accident,
            description=description,
            amount_requested_krw=amount_krw,
            filed_by=actor,
        )
        staff_notify(
            group="agents",
            title=Phrase(
                gettext_lazy("Guarantee claim: %(accident)s"),
                {"accident": label_of(claim, "accident")},
            ),
            url=reverse("admin:escrow_guaranteeclaim_change", args=[claim.pk]),
        )
    return claim


def claim_needs_second_approval(claim: GuaranteeClaim) -> bool:
    return claim.amount_approved_krw >= settings.ESCROW_FOUR_EYES_THRESHOLD_KRW


def claim_decide(
    *,
    claim: GuaranteeClaim,
    actor,
    approve: bool,
    amount_krw: int = 0,
    reason: str = "",
    pay_to: str = GuaranteeClaim.PayTo.CUSTOMER,
    replacement=None,
) -> GuaranteeClaim:
    """An agent approves a claim within the cap left on the agreement (every other claim approved or
    paid counts) or rejects it, until it is paid. Takes the agreement's lock, then the claim's."""
    require_perm(actor, "escrow.decide_claim")
    with transaction.atomic():
        agreement = lock_agreement(claim.agreement_id)
        if not approve:
            return transition_run(instance=claim, name="reject", actor=actor, reason=reason)
        most = min(claim_cap_left(agreement, excluding=claim.pk), claim.amount_requested_krw)
        if isinstance(amount_krw, bool) or not isinstance(amount_krw, int) or not 0 < amount_krw <= most:
            raise EscrowError(
                _("Approve between ₩1 and ₩%(room)s (the cap left on this agreement).")
                % {"room": f"{max(0, most):,}"},
                code="over_cap",
                fields={"amount_krw": [_("Too much.")]},
            )
        if pay_to == GuaranteeClaim.PayTo.REPLACEMENT and replacement is None:
            raise EscrowError(_("Name the replacement contractor."), code="replacement_required")
        claim = transition_run(instance=claim, name="approve", actor=actor, reason=reason)
        claim.amount_approved_krw, claim.pay_to, claim.replacement = amount_krw, pay_to, replacement
        claim.decided_by, claim.decided_at = actor, timezone.now()
        # Approvals are bound to the hash: a changed decision has a new hash, so old approvals stop counting.
        claim.decision_hash = claim.compute_decision_hash()
        claim.save(
            update_fields=[
                "amount_approved_krw", "pay_to", "replacement", "decided_by", "decided_at", "decision_hash"
            ]
        )
        if claim_needs_second_approval(claim):
            staff_notify(
                group="finance",
                title=Phrase(
                    gettext_lazy("A guarantee claim of ₩%(amount)s needs your approval"),
                    {"amount": f"{amount_krw:,}"},
                ),
                url=reverse("admin:escrow_guaranteeclaim_change", args=[claim.pk]),
            )
    return claim


def claim_countersign(*, claim: GuaranteeClaim, actor, decision_hash: str) -> ClaimApproval:
    """A second finance user approves the exact claim decision they saw; the decider never can.
    Takes the claim's lock."""
    require_perm(actor, "escrow.approve_claim")
    with transaction.atomic():
        claim = GuaranteeClaim.objects.select_for_update().get(pk=claim.pk)
        if claim.status != GuaranteeClaim.Status.APPROVED:
            raise EscrowConflict(_("There is no decision to approve."), code="invalid_transition")
        if actor.pk == claim.decided_by_id:
            raise EscrowForbidden(_("The person who decided cannot also approve."), code="four_eyes")
        if decision_hash != claim.decision_hash:
            raise EscrowConflict(_("The decision changed since you read it."), code="decision_changed")
        approval, _created = ClaimApproval.objects.get_or_create(
            claim=claim, approver=actor, decision_hash=decision_hash
        )
    return approval


def claim_has_second_approval(claim: GuaranteeClaim) -> bool:
    return (
        claim.approvals.filter(decision_hash=claim.decision_hash).exclude(approver=claim.decided_by_id).exists()
    )


def _check_payable(*, agreement: EscrowAgreement, claim: GuaranteeClaim) -> None:
    """Refuse a payment the decision, the four-eyes rule or the cap does not cover; under both locks."""
    if not claim.decision_hash or claim.compute_decision_hash() != claim.decision_hash:
        raise EscrowConflict(
            _("The decision was altered after it was made; decide again."), code="decision_changed"
        )
    if claim_needs_second_approval(claim) and not claim_has_second_approval(claim):
        raise EscrowConflict(
            _("A second finance approval of this exact decision is required."), code="approval_required"
        )
    paid = _claims_total(agreement, statuses=(GuaranteeClaim.Status.PAID,))
    if paid + claim.amount_approved_krw > settings.ESCROW_GUARANTEE_CAP_KRW:
        raise EscrowConflict(
            _("Paying this claim would pass the cap of ₩%(cap)s on this agreement; decide it again.")
            % {"cap": f"{settings.ESCROW_GUARANTEE_CAP_KRW:,}"},
            code="over_cap",
        )


def claim_pay(*, claim: GuaranteeClaim, actor) -> GuaranteeClaim:
    """Pay an approved claim once: first from the retention still held, the rest from the guarantee fund.
    Takes the agreement's lock, then the claim's."""
    require_perm(actor, "escrow.decide_claim")
    with transaction.atomic():
        agreement = lock_agreement(claim.agreement_id)
        claim = GuaranteeClaim.objects.select_for_update().get(pk=claim.pk)
        if claim.status == GuaranteeClaim.Status.PAID:
            return claim
        if claim.status != GuaranteeClaim.Status.APPROVED:
            raise EscrowConflict(_("Approve the claim first."), code="invalid_transition")
        _check_payable(agreement=agreement, claim=claim)
        target = (
            partner_payable(claim.replacement)
            if claim.pay_to == GuaranteeClaim.PayTo.REPLACEMENT
            else consumer_payable(agreement.payer)
        )
        retention = (
            agreement.milestones.filter(kind=Milestone.Kind.RETENTION)
            .exclude(status__in=MILESTONES_DONE)
            .first()
        )
        from_retention = 0
        if retention is not None and agreement.status == EscrowAgreement.Status.FUNDED:
            from_retention = min(
                claim.amount_approved_krw, retention.amount_krw, holding_account(agreement).balance_krw
            )
        if from_retention:
            ledger_transfer(
                debit=holding_account(agreement),
                credit=target,
                amount_krw=from_retention,
                key=f"claim:{claim.pk}:retention",
                reason=f"guarantee claim #{claim.pk}",
                subject=claim,
            )
        rest = claim.amount_approved_krw - from_retention
        if rest:
            ledger_transfer(
                debit=platform_account("platform-guarantee-fund"),
                credit=target,
                amount_krw=rest,
                key=f"claim:{claim.pk}:fund",
                reason=f"guarantee claim #{claim.pk}",
                subject=claim,
            )
        claim = transition_run(instance=claim, name="mark_paid", actor=actor)
    return claim
