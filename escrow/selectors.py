from dataclasses import dataclass

from django.db.models import Q, Sum

from .models import Hold, LedgerAccount, PendingCredit, Transfer


def account_balance(*, account: LedgerAccount) -> int:
    """The balance: as stored (kept under row locks by the services) plus any queued credits."""
    stored = LedgerAccount.objects.values_list("balance_krw", flat=True).get(pk=account.pk)
    queued = PendingCredit.objects.filter(account_id=account.pk).aggregate(total=Sum("amount_krw"))["total"]
    return stored + (queued or 0)


def queued_credits_by_account() -> dict[int, int]:
    """Credits not yet folded into balances, per account."""
    return dict(
        PendingCredit.objects.values("account")
        .annotate(total=Sum("amount_krw"))
        .values_list("account", "total")
    )


def account_history(*, account: LedgerAccount, limit: int = 100):
    return (
        Transfer.objects.filter(Q(debit_account=account) | Q(credit_account=account))
        .select_related("debit_account", "credit_account")
        .order_by("-id")[:limit]
    )


@dataclass(frozen=True)
class Discrepancy:
    account_code: str
    what: str
    stored: int
    expected: int

    def __str__(self) -> str:
        return f"{self.account_code}: {self.what} is {self.stored:,} but the transfers say {self.expected:,}"


def ledger_reconcile() -> list[Discrepancy]:
    """Prove the ledger: every balance (with its queued credits) equals its transfers, every
    reservation its pending holds, and all balances sum to zero. Returns what does not hold."""
    credits = dict(
        Transfer.objects.values("credit_account")
        .annotate(total=Sum("amount_krw"))
        .values_list("credit_account", "total")
    )
    debits = dict(
        Transfer.objects.values("debit_account")
        .annotate(total=Sum("amount_krw"))
        .values_list("debit_account", "total")
    )
    reserved = dict(
        Hold.objects.filter(status=Hold.Status.PENDING)
        .values("debit_account")
        .annotate(total=Sum("amount_krw"))
        .values_list("debit_account", "total")
    )
    queued = queued_credits_by_account()
    problems = []
    total = 0
    for pk, code, stored, stored_reserved in LedgerAccount.objects.values_list(
        "pk", "code", "balance_krw", "reserved_krw"
    ).iterator():
        balance = stored + queued.get(pk, 0)
        expected = credits.get(pk, 0) - debits.get(pk, 0)
        total += balance
        if balance != expected:
            problems.append(Discrepancy(code, "balance", balance, expected))
        if stored_reserved != reserved.get(pk, 0):
            problems.append(Discrepancy(code, "reserved", stored_reserved, reserved.get(pk, 0)))
    if total != 0:
        problems.append(Discrepancy("(all accounts)", "sum of balances", total, 0))
    return problems


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
    from .models import EscrowAgreement

    return EscrowAgreement.objects.filter(payer=user).select_related("payee").order_by("-created_at")


def agreements_for_partner(*, partner):
    from .models import EscrowAgreement

    return EscrowAgreement.objects.filter(payee=partner).select_related("payer").order_by("-created_at")
