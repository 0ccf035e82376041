"""A database migrated on the schema before the move keeps its Idempotency-Key rows, and they work."""

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
