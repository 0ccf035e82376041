"""Reads of the ledger: balances with queued credits, account history, the guarantee fund's state,
and the proof that it adds up."""

import bisect
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Q, Sum
from django.utils import timezone

from .models import Hold, LedgerAccount, PendingCredit, Transfer

GUARANTEE_FUND = "platform-guarantee-fund"
OPERATING = "platform-operating"
# Budgets run by the Korean calendar month, whatever time zone a request was served in.
KST = ZoneInfo("Asia/Seoul")


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


def kst_today() -> date:
    return timezone.now().astimezone(KST).date()


def _balance_of(code: str) -> int:
    account = LedgerAccount.objects.filter(code=code).first()
    return 0 if account is None else account_balance(account=account)


@dataclass(frozen=True)
class GuaranteeFundStatus:
    balance_krw: int
    month_use_krw: int  # paid out of the fund since the 1st of this month (KST)
    budget_krw: int  # GUARANTEE_FUND_MONTHLY_BUDGET_KRW
    floor_krw: int  # GUARANTEE_FUND_FLOOR_KRW
    below_floor: bool
    operating_krw: int  # what the operating account could top it up with
    month_start: date

    @property
    def budget_left_krw(self) -> int:
        return max(0, self.budget_krw - self.month_use_krw)

    @property
    def over_budget(self) -> bool:
        return self.month_use_krw > self.budget_krw


def guarantee_fund_status() -> GuaranteeFundStatus:
    """The guarantee fund now: balance, this month's payouts against the budget, the floor."""
    month_start = kst_today().replace(day=1)
    since = datetime.combine(month_start, datetime.min.time(), tzinfo=KST)
    used = Transfer.objects.filter(
        debit_account__code=GUARANTEE_FUND, created_at__gte=since
    ).aggregate(total=Sum("amount_krw"))["total"]
    balance = _balance_of(GUARANTEE_FUND)
    return GuaranteeFundStatus(
        balance_krw=balance,
        month_use_krw=used or 0,
        budget_krw=settings.GUARANTEE_FUND_MONTHLY_BUDGET_KRW,
        floor_krw=settings.GUARANTEE_FUND_FLOOR_KRW,
        below_floor=balance < settings.GUARANTEE_FUND_FLOOR_KRW,
        operating_krw=_balance_of(OPERATING),
        month_start=month_start,
    )


def guarantee_fund_months(*, starts: list[date]) -> list[tuple[int, int]]:
    """The staff dashboard, per month from each 1st in `starts` (Korean calendar): the guarantee fund's
    balance at the month's end (now, for this month) and what it paid out that month (its burn)."""
    fund = LedgerAccount.objects.filter(code=GUARANTEE_FUND).first()
    if fund is None:
        return [(0, 0) for _start in starts]
    since = datetime.combine(starts[0], datetime.min.time(), tzinfo=KST)
    moves = Transfer.objects.filter(Q(debit_account=fund) | Q(credit_account=fund), created_at__gte=since)
    burn = [0] * len(starts)
    net_after = [0] * len(starts)  # money in minus money out after each month's end
    for created_at, amount, debit_id in moves.values_list("created_at", "amount_krw", "debit_account_id"):
        index = bisect.bisect_right(starts, created_at.astimezone(KST).date()) - 1
        signed = -amount if debit_id == fund.pk else amount
        if debit_id == fund.pk:
            burn[index] += amount
        for earlier in range(index):
            net_after[earlier] += signed
    balance = account_balance(account=fund)
    return [(balance - net_after[index], burn[index]) for index in range(len(starts))]
