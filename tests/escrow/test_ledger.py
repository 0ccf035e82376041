import pytest
from django.db import DatabaseError, IntegrityError, transaction

from trustplatform.errors import DomainError
from trustplatform.ledger import services
from trustplatform.ledger.models import Hold, LedgerAccount, Transfer
from trustplatform.ledger.selectors import ledger_reconcile

pytestmark = pytest.mark.django_db


def _balance(account):
    account.refresh_from_db()
    return account.balance_krw


def test_a_transfer_moves_money_and_the_ledger_balances(outside, make_account):
    tenant = make_account()
    services.ledger_transfer(
        debit=outside, credit=tenant, amount_krw=5_000_000, key="fund-1", reason="deposit"
    )
    assert (_balance(outside), _balance(tenant)) == (-5_000_000, 5_000_000)
    assert ledger_reconcile() == []


def test_repeating_a_key_moves_nothing_more(outside, make_account):
    tenant = make_account()
    first = services.ledger_transfer(debit=outside, credit=tenant, amount_krw=100, key="k", reason="r")
    again = services.ledger_transfer(debit=outside, credit=tenant, amount_krw=100, key="k", reason="r")
    assert first.pk == again.pk and Transfer.objects.count() == 1 and _balance(tenant) == 100


def test_a_key_reused_for_other_terms_is_a_conflict(outside, make_account):
    tenant = make_account()
    services.ledger_transfer(debit=outside, credit=tenant, amount_krw=100, key="k", reason="r")
    with pytest.raises(DomainError) as exc:
        services.ledger_transfer(debit=outside, credit=tenant, amount_krw=999, key="k", reason="r")
    assert exc.value.code == "idempotency_mismatch" and exc.value.status == 409


@pytest.mark.parametrize("amount", [0, -5, 1.5, True, "100"])
def test_amounts_are_positive_whole_won(outside, make_account, amount):
    with pytest.raises(DomainError) as exc:
        services.ledger_transfer(debit=outside, credit=make_account(), amount_krw=amount, key="x", reason="r")
    assert exc.value.code == "invalid_amount"


def test_a_protected_account_cannot_be_overdrawn(outside, make_account):
    tenant, landlord = make_account(), make_account()
    services.ledger_transfer(debit=outside, credit=tenant, amount_krw=1_000, key="in", reason="r")
    with pytest.raises(DomainError) as exc:
        services.ledger_transfer(debit=tenant, credit=landlord, amount_krw=1_001, key="out", reason="r")
    assert exc.value.code == "insufficient_funds" and exc.value.status == 409
    assert (_balance(tenant), _balance(landlord)) == (1_000, 0)


def test_the_database_itself_refuses_a_negative_protected_balance(make_account):
    account = make_account()
    with pytest.raises(IntegrityError), transaction.atomic():
        LedgerAccount.objects.filter(pk=account.pk).update(balance_krw=-1)


def test_the_database_refuses_update_and_delete_of_transfers(outside, make_account):
    transfer = services.ledger_transfer(
        debit=outside, credit=make_account(), amount_krw=10, key="t", reason="r"
    )
    with pytest.raises(DatabaseError), transaction.atomic():
        Transfer.objects.filter(pk=transfer.pk).update(amount_krw=1)
    with pytest.raises(DatabaseError), transaction.atomic():
        Transfer.objects.filter(pk=transfer.pk).delete()
    transfer.refresh_from_db()
    assert transfer.amount_krw == 10


def test_a_hold_reserves_then_posts_exactly_once(outside, make_account):
    tenant, landlord = make_account(), make_account()
    services.ledger_transfer(debit=outside, credit=tenant, amount_krw=1_000, key="in", reason="r")
    hold = services.ledger_hold(debit=tenant, credit=landlord, amount_krw=700, key="h", reason="deposit")
    tenant.refresh_from_db()
    assert (tenant.balance_krw, tenant.reserved_krw, tenant.available_krw) == (1_000, 700, 300)
    # The reservation counts: 301 more cannot leave.
    with pytest.raises(DomainError):
        services.ledger_transfer(debit=tenant, credit=landlord, amount_krw=301, key="x", reason="r")
    first = services.hold_post(hold=hold)
    second = services.hold_post(hold=hold)
    assert first.pk == second.pk
    assert (_balance(tenant), _balance(landlord)) == (300, 700)
    hold.refresh_from_db()
    assert hold.status == Hold.Status.POSTED and hold.transfer_id == first.pk
    with pytest.raises(DomainError) as exc:
        services.hold_void(hold=hold)
    assert exc.value.code == "hold_posted"
    assert ledger_reconcile() == []


def test_a_voided_hold_frees_the_money_and_cannot_post(outside, make_account):
    tenant, landlord = make_account(), make_account()
    services.ledger_transfer(debit=outside, credit=tenant, amount_krw=1_000, key="in", reason="r")
    hold = services.ledger_hold(debit=tenant, credit=landlord, amount_krw=1_000, key="h", reason="r")
    services.hold_void(hold=hold)
    services.hold_void(hold=hold)  # a repeat changes nothing
    tenant.refresh_from_db()
    assert (tenant.balance_krw, tenant.reserved_krw) == (1_000, 0)
    with pytest.raises(DomainError) as exc:
        services.hold_post(hold=hold)
    assert exc.value.code == "hold_voided"
    assert ledger_reconcile() == []


def test_reconciliation_finds_a_planted_corruption(outside, make_account):
    tenant = make_account()
    services.ledger_transfer(debit=outside, credit=tenant, amount_krw=500, key="in", reason="r")
    LedgerAccount.objects.filter(pk=tenant.pk).update(balance_krw=600)  # money from nowhere
    problems = ledger_reconcile()
    assert {(p.account_code, p.what) for p in problems} == {
        (tenant.code, "balance"),
        ("(all accounts)", "sum of balances"),
    }


def test_reconcile_command_reports_to_finance(outside, make_account):
    from django.core.management import CommandError, call_command

    from trustplatform.audit.models import AuditEntry

    tenant = make_account()
    services.ledger_transfer(debit=outside, credit=tenant, amount_krw=500, key="in", reason="r")
    call_command("ledger_reconcile")
    LedgerAccount.objects.filter(pk=tenant.pk).update(reserved_krw=1)
    with pytest.raises(CommandError):
        call_command("ledger_reconcile")
    assert AuditEntry.objects.filter(action="ledger_reconcile_failed").exists()
