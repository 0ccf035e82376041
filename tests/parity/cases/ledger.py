"""Escrow ledger: `ledger_transfer` is one SQL statement on PostgreSQL and locked ORM steps elsewhere.

Every case compares what the caller gets back (the transfer, or the refusal) and what the ledger
holds afterwards: each account's balance, reservation and queued credits, and the transfers written.
"""

from django.contrib.contenttypes.models import ContentType
from django.db.models import Max, Sum

from trustplatform.ledger.models import LedgerAccount, PendingCredit, Transfer
from trustplatform.ledger.services import (
    account_open,
    credits_fold,
    ledger_hold,
    ledger_transfer,
    platform_account,
)

from . import attempt, case

CAPITAL = "platform-capital"
FEES = "platform-fee-revenue"


def wallet(name: str, *, balance: int = 0) -> LedgerAccount:
    """A consumer's account, funded from the platform's capital with `balance` won."""
    account = account_open(code=f"parity-{name}", name=f"Parity {name}", kind=LedgerAccount.Kind.CONSUMER)
    if balance:
        ledger_transfer(
            debit=platform_account(CAPITAL), credit=account, amount_krw=balance, key=f"parity:fund:{name}",
            reason="opening balance",
        )
    return account


def move(debit: LedgerAccount, credit: LedgerAccount, amount: int, key: str, *, reason=None, **extra) -> dict:
    return attempt(
        lambda: transfer_view(
            ledger_transfer(debit=debit, credit=credit, amount_krw=amount, key=f"parity:{key}",
                            reason=reason or key, **extra)
        )
    )


def transfer_view(transfer: Transfer) -> dict:
    """A transfer as returned or stored, accounts by code and the subject by its model and code."""
    codes = dict(LedgerAccount.objects.values_list("pk", "code"))
    subject = None
    if transfer.subject_type_id is not None:
        model = ContentType.objects.get_for_id(transfer.subject_type_id).model_class()
        subject = [model._meta.label_lower, model.objects.get(pk=transfer.subject_id).code]
    return {
        "key": transfer.idempotency_key,
        "debit": codes.get(transfer.debit_account_id),
        "credit": codes.get(transfer.credit_account_id),
        "amount_krw": transfer.amount_krw,
        "reason": transfer.reason,
        "metadata": transfer.metadata,
        "subject": subject,
    }


def ledger_state() -> dict:
    """The balances of the platform's and the cases' accounts and every transfer the case wrote."""
    queued = dict(
        PendingCredit.objects.values("account__code").annotate(total=Sum("amount_krw"))
        .values_list("account__code", "total")
    )
    accounts = {
        account.code: [account.balance_krw, account.reserved_krw, queued.get(account.code, 0)]
        for account in LedgerAccount.objects.filter(code__in=[CAPITAL, FEES]) | LedgerAccount.objects.filter(
            code__startswith="parity-"
        )
    }
    written = Transfer.objects.filter(idempotency_key__startswith="parity:").order_by("idempotency_key")
    transfers = [transfer_view(transfer) for transfer in written]
    return {"accounts": accounts, "transfers": transfers}


def _refused(code: str):
    return lambda answer: answer["refusal"].get("refused", {}).get("code") == code


@case("escrow.ledger", expect=lambda a: a["first"] == a["repeat"] and len(a["state"]["transfers"]) == 2)
def transfer_moves_money_once_per_key():
    alice, bob = wallet("alice", balance=50_000), wallet("bob")
    first = move(alice, bob, 20_000, "rent")
    return {"first": first, "repeat": move(alice, bob, 20_000, "rent"), "state": ledger_state()}


@case("escrow.ledger", expect=_refused("insufficient_funds"))
def transfer_past_the_balance_is_refused():
    alice, bob = wallet("alice", balance=10_000), wallet("bob")
    return {"refusal": move(alice, bob, 10_001, "too-much"), "state": ledger_state()}


@case("escrow.ledger", expect=lambda a: "refused" in a["over"] and "ok" in a["within"])
def pending_holds_count_against_the_balance():
    alice, bob = wallet("alice", balance=10_000), wallet("bob")
    ledger_hold(debit=alice, credit=bob, amount_krw=6_000, key="parity:hold", reason="deposit held")
    return {
        "over": move(alice, bob, 5_000, "over-the-hold"),
        "within": move(alice, bob, 4_000, "within"),
        "state": ledger_state(),
    }


@case("escrow.ledger", expect=lambda a: a["state"]["accounts"]["parity-alice"] == [0, 0, 0])
def the_whole_available_balance_can_move():
    alice, bob = wallet("alice", balance=10_000), wallet("bob")
    return {"all": move(alice, bob, 10_000, "everything"), "state": ledger_state()}


@case("escrow.ledger", expect=lambda a: a["state"]["accounts"][CAPITAL][0] == -1_000_000_000)
def outside_world_accounts_may_go_negative():
    alice = wallet("alice")
    return {"in": move(platform_account(CAPITAL), alice, 1_000_000_000, "inflow"), "state": ledger_state()}


@case("escrow.ledger", expect=lambda a: a["other amount"]["refused"]["code"] == "idempotency_mismatch")
def a_key_reused_for_other_terms_is_refused():
    alice, bob, carol = wallet("alice", balance=10_000), wallet("bob"), wallet("carol")
    return {
        "first": move(alice, bob, 1_000, "once"),
        "other amount": move(alice, bob, 2_000, "once"),
        "other account": move(alice, carol, 1_000, "once"),
        "other direction": move(bob, alice, 1_000, "once"),
        "state": ledger_state(),
    }


@case("escrow.ledger", expect=lambda a: a["repeat"] == a["first"] and "ok" in a["repeat"])
def a_repeat_returns_the_first_transfer_after_the_money_is_gone():
    alice, bob = wallet("alice", balance=10_000), wallet("bob")
    first = move(alice, bob, 10_000, "all-of-it")
    return {"first": first, "repeat": move(alice, bob, 10_000, "all-of-it"), "state": ledger_state()}


@case("escrow.ledger", expect=lambda a: a["queued"]["accounts"][FEES] == [0, 0, 5_000]
      and a["folded"]["accounts"][FEES] == [5_000, 0, 0])
def credits_to_a_busy_account_wait_in_its_queue():
    alice = wallet("alice", balance=10_000)
    fees = platform_account(FEES)
    answers = {"fee 1": move(alice, fees, 3_000, "fee-1"), "fee 2": move(alice, fees, 2_000, "fee-2")}
    answers["queued"] = ledger_state()
    credits_fold(account=fees)
    answers["folded"] = ledger_state()
    # Taking money out of a queued-credits account folds its queue first (the ORM path everywhere).
    move(alice, fees, 1_000, "fee-3")
    answers["refund"] = move(fees, alice, 5_500, "refund")
    answers["after"] = ledger_state()
    return answers


@case("escrow.ledger", expect=_refused("unknown_account"))
def a_transfer_from_an_account_that_does_not_exist_is_refused():
    bob = wallet("bob")
    missing = (LedgerAccount.objects.aggregate(last=Max("pk"))["last"] or 0) + 1000
    ghost = LedgerAccount(pk=missing, code="parity-ghost", name="Ghost", kind=LedgerAccount.Kind.CONSUMER)
    return {"refusal": move(ghost, bob, 1_000, "from-nowhere"), "state": ledger_state()}


@case("escrow.ledger", expect=lambda a: len(a["returned"]["ok"]["reason"]) == 300
      and a["returned"]["ok"]["subject"] == ["ledger.ledgeraccount", "parity-bob"])
def a_transfer_keeps_its_reason_metadata_and_subject():
    alice, bob = wallet("alice", balance=10_000), wallet("bob")
    returned = move(
        alice, bob, 2_500, "described", reason="보증금 반환 " * 50, subject=bob,
        metadata={"agreement": "A-7", "milestones": [1, 2], "note": {"by": "상담원"}},
    )
    return {"returned": returned, "state": ledger_state()}


@case("escrow.ledger", expect=_refused("unknown_account"))
def a_transfer_to_an_account_that_does_not_exist_is_refused():
    alice = wallet("alice", balance=10_000)
    missing = (LedgerAccount.objects.aggregate(last=Max("pk"))["last"] or 0) + 1000
    ghost = LedgerAccount(pk=missing, code="parity-ghost", name="Ghost", kind=LedgerAccount.Kind.CONSUMER)
    return {"refusal": move(alice, ghost, 1_000, "to-nowhere"), "state": ledger_state()}
