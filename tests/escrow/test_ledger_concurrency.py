"""Real parallel transactions against PostgreSQL: threads start together behind a barrier."""

import time

import pytest
from django.db import IntegrityError

from tests.race import race
from trustplatform.ledger import services
from trustplatform.ledger import services as ledger
from trustplatform.ledger.models import LedgerAccount, Transfer
from trustplatform.ledger.selectors import ledger_reconcile

pytestmark = pytest.mark.django_db(transaction=True)

THREADS = 16


@pytest.fixture(params=[True, False], ids=["postgres-statement", "portable"], autouse=True)
def ledger_path(request, monkeypatch):
    monkeypatch.setattr(ledger, "SINGLE_STATEMENT", request.param)


def _race(work, count=THREADS):
    return race(work, count)


def _funded_account(make_account, outside, amount):
    account = make_account()
    services.ledger_transfer(
        debit=outside, credit=account, amount_krw=amount, key=f"fund-{account.pk}", reason="fund"
    )
    return account


def test_parallel_withdrawals_never_overdraw(make_account, outside):
    payer = _funded_account(make_account, outside, 10_000)
    payee = make_account()
    outcomes = _race(
        lambda i: services.ledger_transfer(
            debit=payer, credit=payee, amount_krw=1_000, key=f"w-{i}", reason="pay"
        )
    )
    assert sum(isinstance(o, Transfer) for o in outcomes) == 10
    refused = [o for o in outcomes if not isinstance(o, Transfer)]
    assert len(refused) == THREADS - 10 and all(o.code == "insufficient_funds" for o in refused)
    payer.refresh_from_db()
    assert payer.balance_krw == 0 and ledger_reconcile() == []


def test_parallel_repeats_of_one_key_move_money_once(make_account, outside):
    payer = _funded_account(make_account, outside, 10_000)
    payee = make_account()
    outcomes = _race(
        lambda i: services.ledger_transfer(
            debit=payer, credit=payee, amount_krw=3_000, key="same-key", reason="pay"
        )
    )
    assert {o.pk for o in outcomes} == {Transfer.objects.get(idempotency_key="same-key").pk}
    payee.refresh_from_db()
    assert payee.balance_krw == 3_000 and ledger_reconcile() == []


def test_opposite_transfers_between_two_accounts_do_not_deadlock(make_account, outside):
    left = _funded_account(make_account, outside, 100_000)
    right = _funded_account(make_account, outside, 100_000)

    def work(i):
        debit, credit = (left, right) if i % 2 else (right, left)
        return services.ledger_transfer(
            debit=debit, credit=credit, amount_krw=1_000, key=f"x-{i}", reason="x"
        )

    outcomes = _race(work)
    assert all(isinstance(o, Transfer) for o in outcomes)
    assert ledger_reconcile() == []


def test_control_without_the_row_lock_the_race_is_real_and_the_constraint_catches_it(
    make_account, outside, monkeypatch
):
    """With the lock taken away, the Python balance check races; only the CHECK constraint saves
    the account from going negative — proof that the lock is what makes refusals clean."""
    payer = _funded_account(make_account, outside, 10_000)
    payee = make_account()
    monkeypatch.setattr(ledger, "SINGLE_STATEMENT", False)  # the portable path locks in Python
    monkeypatch.setattr(
        ledger, "_lock_accounts", lambda *ids: {a.pk: a for a in LedgerAccount.objects.filter(pk__in=ids)}
    )
    checked = ledger._refuse_overdraft

    def slow_check(account, amount_krw):
        checked(account, amount_krw)
        time.sleep(0.05)  # widen the gap between the check and the update so every run races

    monkeypatch.setattr(ledger, "_refuse_overdraft", slow_check)
    outcomes = _race(
        lambda i: services.ledger_transfer(
            debit=payer, credit=payee, amount_krw=1_000, key=f"c-{i}", reason="pay"
        )
    )
    payer.refresh_from_db()
    assert payer.balance_krw >= 0
    assert sum(isinstance(o, Transfer) for o in outcomes) == 10
    # Some requests passed the stale Python check and were stopped only by the database.
    assert any(isinstance(o, IntegrityError) for o in outcomes)
