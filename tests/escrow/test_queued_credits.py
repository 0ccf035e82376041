"""Queued credits: a busy receiving account (fee revenue) is credited without locking its row."""

import pytest

from tests.race import race
from trustplatform.ledger import services
from trustplatform.ledger import services as ledger
from trustplatform.ledger.models import LedgerAccount, PendingCredit, Transfer
from trustplatform.ledger.selectors import account_balance, ledger_reconcile
from trustplatform.ledger.tasks import ledger_credits_fold


@pytest.fixture(params=[True, False], ids=["postgres-statement", "portable"], autouse=True)
def ledger_path(request, monkeypatch):
    monkeypatch.setattr(ledger, "SINGLE_STATEMENT", request.param)


@pytest.fixture
def revenue(db):
    return services.account_open(
        code="test-fee-revenue", name="Fee revenue", kind=LedgerAccount.Kind.PLATFORM, queued_credits=True
    )


def _funded(make_account, outside, amount):
    account = make_account()
    services.ledger_transfer(debit=outside, credit=account, amount_krw=amount, key=f"fund-{account.pk}",
                             reason="fund")
    return account


def test_platform_fee_revenue_queues_its_credits(db):
    assert services.platform_account("platform-fee-revenue").queued_credits
    assert not services.platform_account("platform-guarantee-fund").queued_credits


def test_a_credit_is_queued_counted_and_folded_once(make_account, outside, revenue):
    payer = _funded(make_account, outside, 10_000)
    transfer = services.ledger_transfer(debit=payer, credit=revenue, amount_krw=300, key="fee-1",
                                        reason="fee")
    again = services.ledger_transfer(debit=payer, credit=revenue, amount_krw=300, key="fee-1", reason="fee")
    assert again.pk == transfer.pk
    payer.refresh_from_db()
    revenue.refresh_from_db()
    assert payer.balance_krw == 9_700
    assert revenue.balance_krw == 0 and account_balance(account=revenue) == 300
    assert PendingCredit.objects.get().transfer_id == transfer.pk
    assert ledger_reconcile() == []

    ledger_credits_fold()
    revenue.refresh_from_db()
    assert revenue.balance_krw == 300 and not PendingCredit.objects.exists()
    assert account_balance(account=revenue) == 300 and ledger_reconcile() == []
    ledger_credits_fold()  # nothing queued: nothing changes
    revenue.refresh_from_db()
    assert revenue.balance_krw == 300


def test_a_refused_transfer_queues_nothing(make_account, outside, revenue):
    payer = _funded(make_account, outside, 100)
    with pytest.raises(services.LedgerError) as refused:
        services.ledger_transfer(debit=payer, credit=revenue, amount_krw=500, key="fee-big", reason="fee")
    assert refused.value.code == "insufficient_funds"
    assert not PendingCredit.objects.exists() and not Transfer.objects.filter(idempotency_key="fee-big")


def test_money_leaving_a_queued_account_counts_what_is_queued(make_account, outside, revenue):
    payer = _funded(make_account, outside, 10_000)
    services.ledger_transfer(debit=payer, credit=revenue, amount_krw=4_000, key="fee-a", reason="fee")
    services.ledger_transfer(debit=payer, credit=revenue, amount_krw=1_000, key="fee-b", reason="fee")
    bank = make_account()
    # Stored balance is 0, but 5,000 are queued: the sweep folds them first and then moves 4,500.
    services.ledger_transfer(debit=revenue, credit=bank, amount_krw=4_500, key="sweep", reason="sweep")
    revenue.refresh_from_db()
    assert revenue.balance_krw == 500 and not PendingCredit.objects.exists()
    with pytest.raises(services.LedgerError):
        services.ledger_transfer(debit=revenue, credit=bank, amount_krw=501, key="sweep-2", reason="sweep")
    hold = services.ledger_hold(debit=revenue, credit=bank, amount_krw=500, key="hold", reason="hold")
    services.hold_post(hold=hold)
    assert account_balance(account=revenue) == 0 and ledger_reconcile() == []


def test_a_hold_posted_into_a_queued_account_queues_the_credit(make_account, outside, revenue):
    payer = _funded(make_account, outside, 1_000)
    hold = services.ledger_hold(debit=payer, credit=revenue, amount_krw=700, key="h", reason="fee later")
    transfer = services.hold_post(hold=hold)
    assert PendingCredit.objects.get().transfer_id == transfer.pk
    assert account_balance(account=revenue) == 700 and ledger_reconcile() == []


@pytest.mark.django_db(transaction=True)
def test_parallel_fees_and_folds_lose_nothing(make_account, outside, revenue):
    payers = [_funded(make_account, outside, 1_000) for _ in range(12)]

    def work(index):
        if index >= len(payers):  # a few folds racing the credits
            return services.credits_fold(account=revenue)
        return services.ledger_transfer(debit=payers[index], credit=revenue, amount_krw=100 + index,
                                        key=f"fee-{index}", reason="fee")

    outcomes = race(work, len(payers) + 4)
    assert sum(isinstance(o, Transfer) for o in outcomes) == len(payers)
    assert account_balance(account=revenue) == sum(100 + i for i in range(len(payers)))
    assert ledger_reconcile() == []
    services.credits_fold(account=revenue)
    revenue.refresh_from_db()
    assert revenue.balance_krw == sum(100 + i for i in range(len(payers)))
    assert not PendingCredit.objects.exists()


# --- queued debits: the payment provider's clearing, which every payment moves money out of -------------


def test_payments_out_of_the_providers_clearing_are_queued_and_folded(make_account):
    clearing = services.platform_account("platform-psp-clearing")
    assert clearing.queued_credits and clearing.allow_negative
    holding = make_account()
    transfer = services.ledger_transfer(debit=clearing, credit=holding, amount_krw=700, key="paid-1",
                                        reason="payment")
    assert PendingCredit.objects.get().amount_krw == -700 and PendingCredit.objects.get().transfer == transfer
    clearing.refresh_from_db()
    holding.refresh_from_db()
    assert (clearing.balance_krw, account_balance(account=clearing), holding.balance_krw) == (0, -700, 700)
    assert ledger_reconcile() == []
    ledger_credits_fold()
    clearing.refresh_from_db()
    assert clearing.balance_krw == -700 and not PendingCredit.objects.exists()
    assert ledger_reconcile() == []


def test_a_queued_account_that_must_stay_covered_still_has_its_debits_checked(make_account, outside, revenue):
    """Only an account that may go below zero queues its debits: fee revenue is checked under its lock."""
    payer = _funded(make_account, outside, 1_000)
    services.ledger_transfer(debit=payer, credit=revenue, amount_krw=400, key="fee", reason="fee")
    with pytest.raises(services.LedgerError) as refused:
        services.ledger_transfer(debit=revenue, credit=payer, amount_krw=401, key="too-much", reason="x")
    assert refused.value.code == "insufficient_funds"
    assert ledger_reconcile() == []


@pytest.mark.django_db(transaction=True)
def test_two_payments_never_wait_for_each_other_on_the_providers_clearing(make_account):
    """The clearing was one row every payment locked until its transaction committed: the platform took
    payments one at a time. A payment whose transaction is still open holds nothing the next one needs."""
    import threading

    from django.db import connection, transaction

    clearing = services.platform_account("platform-psp-clearing")
    first_holding, second_holding = make_account(), make_account()
    moved, release = threading.Event(), threading.Event()

    def first_payment():
        try:
            with transaction.atomic():
                services.ledger_transfer(debit=clearing, credit=first_holding, amount_krw=100, key="slow",
                                         reason="payment")
                moved.set()
                release.wait(10)  # the rest of a webhook's work, still inside its transaction
        finally:
            connection.close()

    thread = threading.Thread(target=first_payment)
    thread.start()
    try:
        assert moved.wait(10)
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL lock_timeout = '1s'")
            services.ledger_transfer(debit=clearing, credit=second_holding, amount_krw=50, key="fast",
                                     reason="payment")
    finally:
        release.set()
        thread.join(10)
    assert account_balance(account=clearing) == -150
    assert ledger_reconcile() == []
