"""Disputes: money frozen, an agent decides, four-eyes above a threshold. Guarantee claims live in
`claims`; their services are still importable from here."""

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from escrow.models import MILESTONES_DONE, Dispute, DisputeAnswer, DisputeApproval, EscrowAgreement
from trustplatform.notifications.services import Phrase, label_of, notification_send, staff_notify
from trustplatform.partners.roles import PartnerAction
from trustplatform.partners.services import partner_notify
from trustplatform.transitions import transition_run

from .claims import (  # noqa: F401  (claims were decided here before they had their own module)
    claim_countersign,
    claim_decide,
    claim_file,
    claim_needs_second_approval,
    claim_pay,
)
from .common import (
    EscrowConflict,
    EscrowError,
    EscrowForbidden,
    holding_account,
    lock_agreement,
    require_perm,
    require_side,
    side_of,
)
from .release import _release, evidence_add, refund_to_payer


def dispute_open(*, agreement: EscrowAgreement, actor, reasons: str) -> Dispute:
    """Either party opens a dispute; the agreement's money freezes until it is decided."""
    require_side(user=actor, agreement=agreement, action=PartnerAction.AGREEMENT_DISPUTE)
    if not reasons.strip():
        raise EscrowError(
            _("Say what went wrong."), code="reason_required", fields={"reasons": [_("Required.")]}
        )
    with transaction.atomic():
        agreement = lock_agreement(agreement.pk)
        if agreement.status != EscrowAgreement.Status.FUNDED:
            raise EscrowConflict(_("Only money still held can be disputed."), code="not_disputable")
        transition_run(instance=agreement, name="dispute", actor=actor, reason=reasons[:500])
        dispute = Dispute.objects.create(agreement=agreement, opened_by=actor, reasons=reasons)
        staff_notify(
            group="agents",
            title=Phrase(gettext_lazy("New dispute on %(title)s"), {"title": agreement.title}),
            url=reverse("admin:escrow_dispute_change", args=[dispute.pk]),
        )
    return dispute


ANSWER_MAX_CHARS = DisputeAnswer._meta.get_field("text").max_length


def dispute_answer(*, dispute: Dispute, actor, description: str, upload=None) -> DisputeAnswer:
    """The side that did not open an open dispute answers it for the deciding agent: words alone, or
    words with a file kept as the dispute's private evidence. Locks the dispute's row."""
    agreement = dispute.agreement
    side = require_side(user=actor, agreement=agreement, action=PartnerAction.EVIDENCE_ADD)
    text = (description or "").strip()
    if not text:
        raise EscrowError(_("Write your answer to the dispute."), code="answer_required",
                          fields={"description": [_("Required.")]})
    if len(text) > ANSWER_MAX_CHARS:
        raise EscrowError(_("Keep your answer to %(n)s characters.") % {"n": ANSWER_MAX_CHARS},
                          code="answer_too_long", fields={"description": [_("Too long.")]})
    if side == side_of(user=dispute.opened_by, agreement=agreement):
        raise EscrowForbidden(_("Your side opened this dispute: the other side answers it."),
                              code="own_dispute")
    with transaction.atomic():
        dispute = Dispute.objects.select_for_update().get(pk=dispute.pk)
        if dispute.status != Dispute.Status.OPEN:
            raise EscrowConflict(_("This dispute is no longer open: an agent has decided it."),
                                 code="dispute_not_open")
        evidence = None
        if upload:
            evidence = evidence_add(actor=actor, upload=upload, dispute=dispute, description=text)
        answer = DisputeAnswer.objects.create(
            dispute=dispute, author=actor, side=side, text=text, evidence=evidence
        )
        staff_notify(
            group="agents",
            title=Phrase(gettext_lazy("The other side answered the dispute on %(title)s"),
                         {"title": agreement.title}),
            url=reverse("admin:escrow_dispute_change", args=[dispute.pk]),
        )
    return answer


def dispute_decide(
    *, dispute: Dispute, actor, outcome: str, payee_amount_krw: int, payer_amount_krw: int, note: str
) -> Dispute:
    """An agent records a decision that splits exactly what is held; any earlier approval is void."""
    require_perm(actor, "escrow.decide_dispute")
    with transaction.atomic():
        agreement = lock_agreement(dispute.agreement_id)
        held = holding_account(agreement).balance_krw
        if payee_amount_krw < 0 or payer_amount_krw < 0 or payee_amount_krw + payer_amount_krw != held:
            raise EscrowError(
                _("The two amounts must add up to the ₩%(held)s held.") % {"held": f"{held:,}"},
                code="amounts_mismatch",
                fields={"payee_amount_krw": [_("Check the split.")]},
            )
        expected = {
            Dispute.Outcome.RELEASE: payer_amount_krw == 0,
            Dispute.Outcome.REFUND: payee_amount_krw == 0,
            Dispute.Outcome.SPLIT: payee_amount_krw > 0 and payer_amount_krw > 0,
        }
        if not expected.get(outcome, False):
            raise EscrowError(_("The outcome does not match the amounts."), code="outcome_mismatch")
        dispute = transition_run(instance=dispute, name="decide", actor=actor, reason=note)
        dispute.outcome, dispute.payee_amount_krw, dispute.payer_amount_krw = (
            outcome,
            payee_amount_krw,
            payer_amount_krw,
        )
        dispute.decision_note, dispute.decided_by, dispute.decided_at = note, actor, timezone.now()
        # Approvals are bound to the hash: a changed decision has a new hash, so old approvals stop counting.
        dispute.decision_hash = dispute.compute_decision_hash()
        dispute.save(
            update_fields=[
                "outcome",
                "payee_amount_krw",
                "payer_amount_krw",
                "decision_note",
                "decided_by",
                "decided_at",
                "decision_hash",
            ]
        )
        if dispute_needs_second_approval(dispute):
            staff_notify(
                group="finance",
                title=gettext_lazy("A dispute decision needs your approval"),
                url=reverse("admin:escrow_dispute_change", args=[dispute.pk]),
            )
    return dispute


def dispute_needs_second_approval(dispute: Dispute) -> bool:
    return dispute.payee_amount_krw + dispute.payer_amount_krw >= settings.ESCROW_FOUR_EYES_THRESHOLD_KRW


def dispute_approve(*, dispute: Dispute, actor, decision_hash: str) -> DisputeApproval:
    """A second finance user approves the exact decision they saw; the decider never can."""
    require_perm(actor, "escrow.approve_dispute")
    with transaction.atomic():
        dispute = Dispute.objects.select_for_update().get(pk=dispute.pk)
        if dispute.status != Dispute.Status.DECIDED:
            raise EscrowConflict(_("There is no decision to approve."), code="invalid_transition")
        if actor.pk == dispute.decided_by_id:
            raise EscrowForbidden(_("The person who decided cannot also approve."), code="four_eyes")
        if decision_hash != dispute.decision_hash:
            raise EscrowConflict(
                _("The decision changed since you read it."), code="decision_changed"
            )
        approval, _created = DisputeApproval.objects.get_or_create(
            dispute=dispute, approver=actor, decision_hash=decision_hash
        )
    return approval


def dispute_execute(*, dispute: Dispute, actor) -> Dispute:
    """Move the decided amounts, once; large decisions need a valid second approval first."""
    require_perm(actor, "escrow.decide_dispute")
    with transaction.atomic():
        agreement = lock_agreement(dispute.agreement_id)
        dispute = Dispute.objects.select_for_update().get(pk=dispute.pk)
        if dispute.status == Dispute.Status.EXECUTED:
            return dispute
        if dispute.status != Dispute.Status.DECIDED:
            raise EscrowConflict(_("Decide the dispute first."), code="invalid_transition")
        if dispute.compute_decision_hash() != dispute.decision_hash:
            raise EscrowConflict(
                _("The decision was altered after it was made; decide again."),
                code="decision_changed",
            )
        if (
            dispute_needs_second_approval(dispute)
            and not dispute.approvals.filter(decision_hash=dispute.decision_hash)
            .exclude(approver=dispute.decided_by)
            .exists()
        ):
            raise EscrowConflict(
                _("A second finance approval of this exact decision is required."),
                code="approval_required",
            )
        _release(agreement=agreement, amount_krw=dispute.payee_amount_krw, key=f"dispute-{dispute.pk}")
        refund_to_payer(agreement=agreement, amount_krw=dispute.payer_amount_krw, key=f"dispute-{dispute.pk}")
        dispute = transition_run(instance=dispute, name="execute", actor=actor)
        Dispute.objects.filter(pk=dispute.pk).update(executed_at=timezone.now())
        for milestone in agreement.milestones.exclude(status__in=MILESTONES_DONE):
            transition_run(instance=milestone, name="mark_refunded", reason="settled by dispute")
        transition_run(instance=agreement, name="resolve", actor=actor, reason=dispute.get_outcome_display())
        EscrowAgreement.objects.filter(pk=agreement.pk).update(closed_at=timezone.now())
        notification_send(
            user=agreement.payer,
            title=Phrase(
                gettext_lazy("Your dispute was decided: %(outcome)s"),
                {"outcome": label_of(dispute, "outcome")},
            ),
            url=reverse("escrow:detail", args=[agreement.pk]),
        )
    return dispute


def dispute_withdraw(*, dispute: Dispute, actor) -> Dispute:
    """The party who opened an undecided dispute withdraws it: the money is held again under the
    original conditions (released at once if they all hold), and the other party and the agents
    are told."""
    from escrow.tasks import agreement_evaluate_task  # the tasks module imports the services

    if actor.pk != dispute.opened_by_id:
        raise EscrowForbidden(
            _("Only the person who opened the dispute can withdraw it.")
        )
    require_side(user=actor, agreement=dispute.agreement, action=PartnerAction.AGREEMENT_DISPUTE)
    with transaction.atomic():
        agreement = lock_agreement(dispute.agreement_id)
        dispute = transition_run(instance=dispute, name="withdraw", actor=actor, reason="withdrawn")
        transition_run(instance=agreement, name="resume", actor=actor, reason="dispute withdrawn")
        title = Phrase(
            gettext_lazy(
                "The dispute on %(title)s was withdrawn; the deposit is held under its conditions again."
            ),
            {"title": agreement.title},
        )
        if side_of(user=actor, agreement=agreement) == "payer":
            partner_notify(partner=agreement.payee, roles=None, title=title,
                           url=reverse("escrow_portal:detail", args=[agreement.pk]))
        else:
            notification_send(user=agreement.payer, title=title,
                              url=reverse("escrow:detail", args=[agreement.pk]))
        staff_notify(group="agents", title=title,
                     url=reverse("admin:escrow_dispute_change", args=[dispute.pk]))
        agreement_evaluate_task.delay_on_commit(agreement.pk)
    return dispute
