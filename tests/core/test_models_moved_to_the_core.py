"""Databases migrated on the schema before a model moved into the core keep their rows and permissions."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from trustplatform.api.models import IdempotentRequest

BEFORE = [("escrow", "0004_queued_credits"), ("api", None)]  # IdempotentRequest still in escrow


def _migrate(targets) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor


@pytest.mark.django_db(transaction=True)
def test_stored_answers_survive_the_move_of_the_model_into_the_core():
    old_apps = _migrate(BEFORE).loader.project_state(BEFORE[0]).apps
    User = old_apps.get_model("accounts", "User")
    OldRequest = old_apps.get_model("escrow", "IdempotentRequest")
    user = User.objects.create(email="before@example.kr", password="!")
    OldRequest.objects.create(user_id=user.pk, key="order-1", fingerprint="f" * 64, status_code=201,
                              response={"id": 7, "status": "open"})

    _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())

    stored = IdempotentRequest.objects.get(user_id=user.pk, key="order-1")
    assert (stored.status_code, stored.response) == (201, {"id": 7, "status": "open"})
    # The unique (user, key) index came along with the table: a second row is still refused.
    with pytest.raises(Exception, match="escrow_idempotent_request_once"):
        IdempotentRequest.objects.create(user_id=user.pk, key="order-1", fingerprint="0" * 64)


REGISTRY_BEFORE = [("escrow", "0005_idempotentrequest_moves_to_the_core"), ("registries", None)]


@pytest.mark.django_db(transaction=True)
def test_registry_records_and_the_agents_permission_on_them_survive_the_move_into_the_core():
    old_apps = _migrate(REGISTRY_BEFORE).loader.project_state(REGISTRY_BEFORE[0]).apps
    OldRecord = old_apps.get_model("escrow", "SandboxRegistryRecord")
    OldRecord.objects.create(address="서울특별시 성동구 성수이로 1", owner_name="정하은",
                             liens=["근저당권 1억원"])
    Permission = old_apps.get_model("auth", "Permission")
    Group = old_apps.get_model("auth", "Group")
    change = Permission.objects.get(content_type__app_label="escrow", codename="change_sandboxregistryrecord")
    assert Group.objects.get(name="agents").permissions.filter(pk=change.pk).exists()

    _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())

    from django.contrib.auth.models import Group as CurrentGroup

    from trustplatform.registries.models import SandboxRegistryRecord

    record = SandboxRegistryRecord.objects.get(address="서울특별시 성동구 성수이로 1")
    assert (record.owner_name, record.liens) == ("정하은", ["근저당권 1억원"])
    agents = CurrentGroup.objects.get(name="agents")
    assert agents.permissions.filter(pk=change.pk, content_type__app_label="registries").exists()


LEDGER_BEFORE = [("escrow", "0006_sandboxregistryrecord_moves_to_the_core"), ("ledger", None)]


@pytest.mark.django_db(transaction=True)
def test_balances_transfers_and_finance_permissions_survive_the_ledger_moving_into_the_core():
    old_apps = _migrate(LEDGER_BEFORE).loader.project_state(LEDGER_BEFORE[0]).apps
    Account = old_apps.get_model("escrow", "LedgerAccount")
    OldTransfer = old_apps.get_model("escrow", "Transfer")
    capital = Account.objects.create(code="platform-capital", name="Capital", kind="platform",
                                     allow_negative=True, balance_krw=-30_000)
    wallet = Account.objects.create(code="consumer-1-payable", name="Payable", kind="consumer",
                                    balance_krw=30_000)
    OldTransfer.objects.create(idempotency_key="opening", debit_account=capital, credit_account=wallet,
                               amount_krw=30_000, reason="opening balance")
    Permission = old_apps.get_model("auth", "Permission")
    view = Permission.objects.get(content_type__app_label="escrow", codename="view_transfer")

    _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())

    from django.contrib.auth.models import Group as CurrentGroup

    from trustplatform.ledger.models import LedgerAccount, Transfer
    from trustplatform.ledger.selectors import ledger_reconcile

    assert LedgerAccount.objects.get(code="consumer-1-payable").balance_krw == 30_000
    moved = Transfer.objects.get(idempotency_key="opening")
    assert (moved.debit_account.code, moved.credit_account.code, moved.amount_krw) == (
        "platform-capital", "consumer-1-payable", 30_000)
    assert ledger_reconcile() == []
    finance = CurrentGroup.objects.get(name="finance")
    assert finance.permissions.filter(pk=view.pk, content_type__app_label="ledger").exists()
