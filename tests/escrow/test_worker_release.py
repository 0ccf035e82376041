"""A worker killed in the middle of a release: the task runs again and the money moves once."""

import os
import signal

import pytest

from escrow.models import EscrowAgreement
from escrow.services import release
from escrow.services.common import holding_account
from tests.worker import wait_until
from tests.worker_tasks import release_marker_path, slow_release
from trustplatform.celery import app
from trustplatform.ledger.models import Transfer
from trustplatform.ledger.selectors import ledger_reconcile
from trustplatform.ledger.services import partner_payable

from .factories import agreed_rental, fund, staff_with

pytest_plugins = ["tests.worker"]

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def _lines(marker_dir, agreement_id):
    path = release_marker_path(marker_dir, agreement_id)
    return path.read_text().splitlines() if path.exists() else []


def test_a_worker_killed_after_the_release_runs_it_again_and_money_moves_once(
    start_celery_worker, worker_queue, tmp_path, settings
):
    settings.ESCROW_FEE_BPS = 100
    agreement, tenant, landlord = agreed_rental(amount_krw=10_000_000)
    fund(agreement, tenant)
    release.condition_confirm(condition=agreement.conditions.get(kind="counterparty"), actor=tenant)
    release.condition_review(
        condition=agreement.conditions.get(kind="document"), actor=staff_with("review_document"), accept=True
    )
    # The release tasks the setup queued are dropped: this test's own slow task must do the release.
    with app.connection_for_write() as conn:
        conn.default_channel.queue_purge(worker_queue)
    worker = start_celery_worker()
    slow_release.apply_async(args=[agreement.pk, str(tmp_path)], queue=worker_queue)

    lines = wait_until(
        lambda: "outcome released" in (got := _lines(tmp_path, agreement.pk)) and got,
        timeout=30,
        what="the first run to release the money",
        worker=worker,
    )
    first_pid = int(lines[0].split("=")[1])
    assert worker.is_child(first_pid)
    os.kill(first_pid, signal.SIGKILL)  # the money moved and committed; the task is not acknowledged

    lines = wait_until(
        lambda: "finished" in (got := _lines(tmp_path, agreement.pk)) and got,
        timeout=30,
        what="the task to run again after its worker died",
        worker=worker,
    )
    assert [line.split(" ")[0] for line in lines] == ["start", "outcome", "start", "outcome", "finished"]
    assert lines[3] == "outcome not_live"  # the second run found the release done and moved nothing
    agreement.refresh_from_db()
    assert agreement.status == EscrowAgreement.Status.RELEASED
    assert (
        Transfer.objects.filter(idempotency_key__startswith=f"agreement:{agreement.pk}:release").count() == 2
    )
    assert partner_payable(agreement.payee).balance_krw == 9_900_000
    assert holding_account(agreement).balance_krw == 0 and ledger_reconcile() == []
