"""Reads of escrow: what an agreement holds and why, its money history, the agreements a person sees."""

from dataclasses import dataclass

from trustplatform.ledger.models import LedgerAccount, Transfer


@dataclass(frozen=True)
class HeldAmount:
    """One amount still held, what it waits for, and what happens next — shown on every timeline."""

    label: str
    amount_krw: int
    waits_for: list[str]
    next_step: str


def agreement_held_amounts(*, agreement) -> list[HeldAmount]:
    """Every amount held for an agreement with its reason, so no hold is ever unexplained."""
    from django.utils import timezone
    from django.utils.translation import gettext as _

    from .models import MILESTONES_DONE, Condition, EscrowAgreement, Milestone

    status = agreement.status
    if status not in (EscrowAgreement.Status.FUNDED, EscrowAgreement.Status.DISPUTED):
        return []
    if status == EscrowAgreement.Status.DISPUTED:
        holding_balance = (
            LedgerAccount.objects.filter(code=agreement.holding_code)
            .values_list("balance_krw", flat=True)
            .first()
            or 0
        )
        return [
            HeldAmount(
                _("Money still held"),
                holding_balance,
                [_("An agent's decision on the dispute")],
                _("Paid out as the decision says, after a second approval when it is large."),
            )
        ]
    if agreement.template != EscrowAgreement.Template.RENOVATION:
        pending = [c.label for c in agreement.conditions.exclude(status=Condition.Status.SATISFIED)]
        return [
            HeldAmount(
                _("Whole deposit"),
                agreement.amount_krw,
                pending,
                _("Released to %(payee)s as soon as every condition holds.")
                % {"payee": agreement.payee.name},
            )
        ]
    held = []
    for milestone in agreement.milestones.exclude(status__in=MILESTONES_DONE).order_by("sequence"):
        waits = []
        if milestone.status == Milestone.Status.PENDING:
            waits.append(_("The contractor to report this stage done"))
        elif milestone.status == Milestone.Status.SUBMITTED:
            waits.append(
                _("Your approval (automatic on %(date)s)")
                % {"date": f"{timezone.localtime(milestone.approve_by):%Y-%m-%d}"}
            )
        elif milestone.release_after:
            waits.append(
                _("The end of the warranty on %(date)s")
                % {"date": f"{timezone.localtime(milestone.release_after):%Y-%m-%d}"}
            )
        if milestone.kind == Milestone.Kind.RETENTION:
            waits.append(_("No open after-sales claim"))
        held.append(
            HeldAmount(
                milestone.get_kind_display(),
                milestone.amount_krw,
                waits,
                _("Paid to %(payee)s.") % {"payee": agreement.payee.name},
            )
        )
    return held


def agreement_money_history(*, agreement):
    """Transfers that concern the agreement, oldest first."""
    from django.contrib.contenttypes.models import ContentType

    kind = ContentType.objects.get_for_model(type(agreement))
    return (
        Transfer.objects.filter(subject_type=kind, subject_id=str(agreement.pk))
        .select_related("debit_account", "credit_account")
        .order_by("id")
    )


def agreements_for_user(*, user):
    """The agreements a person pays; a draft is the business's until it is proposed to them."""
    from .models import EscrowAgreement

    return (
        EscrowAgreement.objects.filter(payer=user)
        .exclude(status=EscrowAgreement.Status.DRAFT)
        .select_related("payee", "broker")
        .order_by("-created_at")
    )


def agreements_for_partner(*, partner):
    """The agreements a partner is paid by, and those it arranged as broker (paid nothing)."""
    from django.db.models import Q

    from .models import EscrowAgreement

    return (
        EscrowAgreement.objects.filter(Q(payee=partner) | Q(broker=partner))
        .select_related("payer", "payee", "broker")
        .order_by("-created_at")
    )
