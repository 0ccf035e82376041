"""Conditions, release, refund and milestones: money leaves the holding account only here."""

import hashlib
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from escrow.models import (
    CLAIMS_OPEN,
    MILESTONES_DONE,
    Condition,
    EscrowAgreement,
    Evidence,
    GuaranteeClaim,
    Milestone,
)
from trustplatform import files
from trustplatform.ledger.services import ledger_transfer, partner_payable, platform_account
from trustplatform.notifications.services import Phrase, label_of, notification_send
from trustplatform.partners.roles import PartnerAction
from trustplatform.partners.services import partner_notify
from trustplatform.payments.services import subject_refund
from trustplatform.registries.providers import get_registry
from trustplatform.transitions import transition_run

from .common import (
    EscrowConflict,
    EscrowError,
    EscrowForbidden,
    fee_of,
    holding_account,
    lock_agreement,
    require_side,
)

LIVE = (EscrowAgreement.Status.FUNDED,)


def evidence_add(
    *, actor, upload, condition: Condition | None = None, dispute=None, claim=None, description: str = ""
) -> Evidence:
    """Store a file with its SHA-256, in private storage under a random name, once the whole file is
    checked as one of Evidence.KINDS; only the agreement's parties (or staff) may add evidence."""
    subject = condition or dispute or claim
    agreement = subject.agreement
    if not actor.is_staff:
        require_side(user=actor, agreement=agreement, action=PartnerAction.EVIDENCE_ADD)
    try:
        files.upload_check(upload, kinds=Evidence.KINDS, max_bytes=settings.ESCROW_EVIDENCE_MAX_BYTES)
    except files.UploadRefused as exc:
        raise EscrowError(exc.detail, code=exc.code, fields=exc.fields) from exc
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    with transaction.atomic():
        evidence = Evidence.objects.create(
            condition=condition,
            dispute=dispute,
            claim=claim,
            file=upload,
            original_name=upload.name[:200],
            sha256=digest.hexdigest(),
            size_bytes=upload.size,
            description=description,
            uploaded_by=actor,
        )
        refused_document = (
            condition is not None
            and condition.kind == Condition.Kind.DOCUMENT
            and condition.status == Condition.Status.FAILED
        )
        if refused_document:
            # A new document after a refusal goes back to the review queue.
            transition_run(instance=condition, name="reopen", actor=actor, reason="new document uploaded")
    return evidence


def condition_confirm(*, condition: Condition, actor) -> Condition:
    """The named side confirms a counterparty condition (e.g. the tenant: keys handed over; the
    broker: the lease signed)."""
    side = require_side(user=actor, agreement=condition.agreement, sides=("payer", "payee", "broker"),
                        action=PartnerAction.AGREEMENT_CONFIRM)
    if condition.kind != Condition.Kind.COUNTERPARTY or side != condition.confirmer:
        raise EscrowForbidden(
            _("This condition is confirmed by the other side."), code="not_your_condition"
        )
    if condition.agreement.status != EscrowAgreement.Status.FUNDED:
        raise EscrowConflict(_("Confirm once the money is held."), code="not_live")
    condition = _condition_decide(condition=condition, actor=actor, satisfied=True, reason="")
    return condition


def condition_review(*, condition: Condition, actor, accept: bool, reason: str = "") -> Condition:
    """Staff accept or refuse the documents of a document-review condition."""
    if condition.kind != Condition.Kind.DOCUMENT:
        raise EscrowError(_("Only document conditions are reviewed by staff."), code="not_reviewable")
    if not actor.has_perm("escrow.review_document"):
        raise EscrowForbidden(_("You are not allowed to review documents."))
    if not accept and not reason:
        raise EscrowError(
            _("Say why the document is refused."),
            code="reason_required",
            fields={"reason": [_("Required when refusing.")]},
        )
    return _condition_decide(condition=condition, actor=actor, satisfied=accept, reason=reason)


def _condition_decide(*, condition: Condition, actor, satisfied: bool, reason: str) -> Condition:
    from escrow.tasks import agreement_evaluate_task

    with transaction.atomic():
        condition = transition_run(
            instance=condition, name="satisfy" if satisfied else "fail", actor=actor, reason=reason
        )
        Condition.objects.filter(pk=condition.pk).update(decided_by=actor, decided_at=timezone.now())
        agreement_evaluate_task.delay_on_commit(condition.agreement_id)
    return condition


def _registry_check(agreement: EscrowAgreement) -> tuple[bool, str]:
    """Compare the registry now with the snapshot taken when the agreement was funded."""
    snapshot = get_registry().snapshot(address=agreement.property_address).as_dict()
    baseline = agreement.terms.get("registry_baseline")
    if baseline is None:
        return True, ""
    if snapshot["owner"] != baseline["owner"]:
        return False, _("The registered owner changed.")
    new_liens = sorted(set(snapshot["liens"]) - set(baseline["liens"]))
    if new_liens:
        return False, _("New lien registered: %(liens)s") % {"liens": ", ".join(new_liens)}
    return True, ""


def registry_baseline_take(*, agreement: EscrowAgreement) -> None:
    """Remember the registry as it stands at funding in the agreement's terms; later checks compare
    against it. Only on the instance: the caller saves it with the funding."""
    if not agreement.property_address:
        return
    snapshot = get_registry().snapshot(address=agreement.property_address).as_dict()
    agreement.terms = {**agreement.terms, "registry_baseline": snapshot}


def conditions_check_automatic(*, agreement: EscrowAgreement) -> None:
    """Run the worker's checks: registry unchanged, date reached, no open after-sales claim."""
    today = timezone.localdate()
    for condition in agreement.conditions.filter(status=Condition.Status.PENDING):
        if condition.kind == Condition.Kind.DATE and condition.due_date and condition.due_date <= today:
            transition_run(instance=condition, name="satisfy", reason="date reached")
        elif condition.kind == Condition.Kind.REGISTRY:
            clean, why = _registry_check(agreement)
            transition_run(instance=condition, name="satisfy" if clean else "fail", reason=why or "unchanged")
        elif condition.kind == Condition.Kind.NO_OPEN_CLAIM:
            if not agreement.claims.filter(status__in=CLAIMS_OPEN).exists():
                transition_run(instance=condition, name="satisfy", reason="no open claim")


def agreement_evaluate(*, agreement_id: int) -> str:
    """Check what can be checked and release as soon as every condition holds. Idempotent."""
    with transaction.atomic():
        agreement = lock_agreement(agreement_id)
        if agreement.status not in LIVE:
            return "not_live"
        if agreement.template == EscrowAgreement.Template.RENOVATION:
            return "milestones"  # renovation money moves per milestone
        conditions_check_automatic(agreement=agreement)
        if agreement.conditions.exclude(status=Condition.Status.SATISFIED).exists():
            return "waiting"
        # The registry is read again right before the money moves: a lien filed today stops it.
        clean, why = _registry_check(agreement)
        if not clean:
            registry = agreement.conditions.filter(kind=Condition.Kind.REGISTRY).first()
            if registry is not None:
                transition_run(instance=registry, name="revoke", reason=why)
            notification_send(
                user=agreement.payer,
                title=Phrase(gettext_lazy("Release stopped: %(why)s"), {"why": why}),
                url=reverse("escrow:detail", args=[agreement.pk]),
            )
            return "registry_changed"
        _release(agreement=agreement, amount_krw=holding_account(agreement).balance_krw, key="release")
        transition_run(instance=agreement, name="release", reason="all conditions met")
        EscrowAgreement.objects.filter(pk=agreement.pk).update(closed_at=timezone.now())
    return "released"


def _release(*, agreement: EscrowAgreement, amount_krw: int, key: str) -> None:
    """Pay `amount_krw` from the holding account to the payee, less the platform fee. Once per key.
    The only way money leaves to a partner: never to the agreement's broker."""
    if amount_krw <= 0:
        return
    holding = holding_account(agreement)
    fee = fee_of(amount_krw)
    ledger_transfer(
        debit=holding,
        credit=partner_payable(agreement.payee),
        amount_krw=amount_krw - fee,
        key=f"agreement:{agreement.pk}:{key}:payee",
        reason=f"release of agreement #{agreement.pk}",
        subject=agreement,
    )
    if fee:
        ledger_transfer(
            debit=holding,
            credit=platform_account("platform-fee-revenue"),
            amount_krw=fee,
            key=f"agreement:{agreement.pk}:{key}:fee",
            reason=f"fee on agreement #{agreement.pk}",
            subject=agreement,
        )
    title = Phrase(
        gettext_lazy("₩%(amount)s was released for %(title)s"),
        {"amount": f"{amount_krw:,}", "title": agreement.title},
    )
    notification_send(user=agreement.payer, title=title, url=reverse("escrow:detail", args=[agreement.pk]))
    partner_notify(
        partner=agreement.payee, roles=None, title=title,
        url=reverse("escrow_portal:detail", args=[agreement.pk]),
    )
    if agreement.broker_id:
        # The broker follows the deal it arranged; the money went to the payee above.
        partner_notify(
            partner=agreement.broker, roles=None, title=title,
            url=reverse("escrow_portal:detail", args=[agreement.pk]),
        )


def refund_to_payer(*, agreement: EscrowAgreement, amount_krw: int, key: str) -> None:
    """Send `amount_krw` from the holding account back to the payer through the payment company: a
    cancellation of the payer's payment, whole or partial, once per key (a bank transfer goes back to
    the account the payer names)."""
    subject_refund(subject=agreement, amount_krw=amount_krw, key=f"agreement:{agreement.pk}:{key}:refund",
                   reason=f"보증금 계약 #{agreement.pk} 환불", source=holding_account(agreement))


def agreement_refund(*, agreement: EscrowAgreement, actor, reason: str) -> EscrowAgreement:
    """Staff refund a funded agreement whose conditions cannot be met. Once."""
    if not actor.has_perm("escrow.change_escrowagreement"):
        raise EscrowForbidden(_("You are not allowed to refund."))
    with transaction.atomic():
        agreement = lock_agreement(agreement.pk)
        if agreement.status == EscrowAgreement.Status.REFUNDED:
            return agreement
        if agreement.status != EscrowAgreement.Status.FUNDED:
            raise EscrowConflict(
                _("Only a funded agreement can be refunded."), code="invalid_transition"
            )
        refund_to_payer(agreement=agreement, amount_krw=holding_account(agreement).balance_krw, key="refund")
        agreement = transition_run(instance=agreement, name="refund", actor=actor, reason=reason)
        EscrowAgreement.objects.filter(pk=agreement.pk).update(closed_at=timezone.now())
    return agreement


# --- milestones ------------------------------------------------------------------------------


def milestone_submit(*, milestone: Milestone, actor) -> Milestone:
    """The contractor says a stage is done; the payer has the inspection window to answer."""
    require_side(user=actor, agreement=milestone.agreement, sides=("payee",),
                 action=PartnerAction.AGREEMENT_CONFIRM)
    with transaction.atomic():
        agreement = lock_agreement(milestone.agreement_id)
        if agreement.status not in LIVE:
            raise EscrowConflict(
                _("The money is frozen or gone; nothing can be submitted."), code="not_live"
            )
        milestone = transition_run(instance=milestone, name="submit", actor=actor)
        window = timedelta(days=settings.ESCROW_INSPECTION_WINDOW_DAYS)
        Milestone.objects.filter(pk=milestone.pk).update(
            submitted_at=timezone.now(), approve_by=timezone.now() + window
        )
        notification_send(
            user=agreement.payer,
            title=Phrase(
                gettext_lazy("%(stage)s is ready for your approval"),
                {"stage": label_of(milestone, "kind")},
            ),
            url=reverse("escrow:detail", args=[agreement.pk]),
            sms_text=True,
        )
    milestone.refresh_from_db()
    return milestone


def milestone_approve(*, milestone: Milestone, actor=None, automatic: bool = False) -> Milestone:
    """The payer approves a stage (or the window ran out); its money is released at once."""
    if not automatic:
        require_side(user=actor, agreement=milestone.agreement, sides=("payer",))
    with transaction.atomic():
        agreement = lock_agreement(milestone.agreement_id)
        if agreement.status not in LIVE:
            raise EscrowConflict(_("The money is frozen by a dispute."), code="not_live")
        milestone = transition_run(
            instance=milestone,
            name="approve",
            actor=actor,
            reason="inspection window passed" if automatic else "",
        )
        updates = {"approved_at": timezone.now(), "auto_approved": automatic}
        if milestone.kind == Milestone.Kind.RETENTION:
            updates["release_after"] = timezone.now() + timedelta(days=settings.ESCROW_WARRANTY_DAYS)
        Milestone.objects.filter(pk=milestone.pk).update(**updates)
        milestone.refresh_from_db()
        milestone_release(milestone=milestone, agreement=agreement)
    return milestone


def milestone_send_back(*, milestone: Milestone, actor, reason: str = "") -> Milestone:
    """The payer says a submitted stage is not done; the automatic approval is called off."""
    require_side(user=actor, agreement=milestone.agreement, sides=("payer",))
    with transaction.atomic():
        agreement = lock_agreement(milestone.agreement_id)
        if agreement.status not in LIVE:
            raise EscrowConflict(_("The money is frozen by a dispute."), code="not_live")
        milestone = transition_run(instance=milestone, name="send_back", actor=actor, reason=reason)
        Milestone.objects.filter(pk=milestone.pk).update(approve_by=None, submitted_at=None, reminders_sent=0)
        partner_notify(
            partner=agreement.payee,
            roles=None,
            title=Phrase(
                gettext_lazy("%(stage)s was sent back: %(reason)s"),
                {"stage": label_of(milestone, "kind"), "reason": reason or "-"},
            ),
            url=reverse("escrow_portal:detail", args=[agreement.pk]),
        )
    milestone.refresh_from_db()
    return milestone


def milestone_release(*, milestone: Milestone, agreement: EscrowAgreement) -> bool:
    """Pay an approved milestone; the retention waits for the warranty and for no open claim.
    Expects the agreement row locked by the caller."""
    if milestone.status != Milestone.Status.APPROVED:
        return False
    if milestone.kind == Milestone.Kind.RETENTION:
        open_claims = agreement.claims.filter(
            status__in=[GuaranteeClaim.Status.FILED, GuaranteeClaim.Status.APPROVED]
        ).exists()
        if open_claims or (milestone.release_after and milestone.release_after > timezone.now()):
            return False
    amount = min(milestone.amount_krw, holding_account(agreement).balance_krw)
    _release(agreement=agreement, amount_krw=amount, key=f"milestone-{milestone.sequence}")
    transition_run(instance=milestone, name="mark_released")
    Milestone.objects.filter(pk=milestone.pk).update(released_at=timezone.now())
    if not agreement.milestones.exclude(status__in=MILESTONES_DONE).exists():
        transition_run(instance=agreement, name="release", reason="every milestone paid")
        EscrowAgreement.objects.filter(pk=agreement.pk).update(closed_at=timezone.now())
    return True


def milestones_due() -> dict[str, list[int]]:
    """Milestones to auto-approve, to remind about, and retentions whose warranty ended."""
    now = timezone.now()
    submitted = Milestone.objects.filter(status=Milestone.Status.SUBMITTED,
                                         agreement__status=EscrowAgreement.Status.FUNDED)
    return {
        "approve": list(submitted.filter(approve_by__lte=now).values_list("pk", flat=True)),
        "remind": list(
            submitted.filter(
                approve_by__lte=now + timedelta(days=3), approve_by__gt=now, reminders_sent=0
            ).values_list("pk", flat=True)
        ),
        "retention": list(
            Milestone.objects.filter(
                status=Milestone.Status.APPROVED, release_after__lte=now,
                agreement__status=EscrowAgreement.Status.FUNDED,
            ).values_list("pk", flat=True)
        ),
    }


def milestone_remind(*, milestone_id: int) -> None:
    updated = Milestone.objects.filter(pk=milestone_id, reminders_sent=0).update(reminders_sent=1)
    if updated:  # the conditional UPDATE makes a repeated task send nothing
        milestone = Milestone.objects.select_related("agreement__payer").get(pk=milestone_id)
        notification_send(
            user=milestone.agreement.payer,
            title=Phrase(
                gettext_lazy("%(stage)s will be approved automatically on %(date)s unless you answer"),
                {
                    "stage": label_of(milestone, "kind"),
                    "date": f"{timezone.localtime(milestone.approve_by):%Y-%m-%d}",
                },
            ),
            url=reverse("escrow:detail", args=[milestone.agreement_id]),
            sms_text=True,
        )


def milestone_auto_approve(*, milestone_id: int) -> None:
    milestone = Milestone.objects.get(pk=milestone_id)
    if milestone.status == Milestone.Status.SUBMITTED and milestone.approve_by <= timezone.now():
        milestone_approve(milestone=milestone, automatic=True)


def retention_release(*, milestone_id: int) -> None:
    milestone = Milestone.objects.get(pk=milestone_id)
    with transaction.atomic():
        agreement = lock_agreement(milestone.agreement_id)
        if agreement.status in LIVE:
            milestone_release(milestone=Milestone.objects.get(pk=milestone_id), agreement=agreement)
