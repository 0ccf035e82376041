"""Reads of the ledger: balances with queued credits, account history, and the proof that it adds up."""

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
