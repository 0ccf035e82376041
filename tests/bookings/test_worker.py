"""A property cancels; a real Celery worker rehouses the guest; money moves once even if the search
runs twice or its worker is killed in the middle."""

import os
import signal

import pytest

from bookings import selectors
from bookings.models import Booking, GuaranteeCase
from bookings.services.stays import booking_cancel_by_property
from bookings.tasks import case_search_task
from tests.worker import CeleryWorker, wait_until
from trustplatform.ledger.models import Transfer
from trustplatform.ledger.selectors import ledger_reconcile

from .factories import HAEUNDAE, PropertyFactory, RoomTypeFactory, confirmed_booking, fund_guarantee
from .worker_tasks import marker_lines, slow_case_search

pytest_plugins = ["tests.worker"]
pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

AUTO = {"BOOKINGS_AUTO_REBOOK_HOURS": "100000"}  # every check-in counts as close: book at once


class BookingsWorker(CeleryWorker):
    """The test worker, also loading this app's test tasks."""

    @property
    def command(self) -> list[str]:
        command = super().command
        at = command.index("-I") + 1
        command[at] = f"{command[at]},tests.bookings.worker_tasks"
        return command


@pytest.fixture
def bookings_worker(transactional_db, worker_queue, tmp_path):
    workers = []

    def start(env=None):
        worker = BookingsWorker(queue=worker_queue, log_path=tmp_path / f"worker-{len(workers)}.log", env=env)
        workers.append(worker)
        worker.start()
        worker.wait_ready()
        return worker

    yield start
    for worker in workers:
        worker.stop()


def _world(settings):
    settings.BOOKINGS_AUTO_REBOOK_HOURS = int(AUTO["BOOKINGS_AUTO_REBOOK_HOURS"])  # the case opens here
    fund_guarantee()
    prop = PropertyFactory(rating="4.5", amenities=["wifi", "ocean_view"])
    original = RoomTypeFactory(property=prop, grade=2, price_krw=100_000)
    booking = confirmed_booking(original, days_ahead=1, nights=2, must_have=["ocean_view"])
    # A better room nearby (~300 m): the only candidate.
    better = RoomTypeFactory(
        property=PropertyFactory(
            latitude=HAEUNDAE[0], longitude=HAEUNDAE[1] + 0.0033, rating="4.6", star_class=5
        ),
        grade=3,
        price_krw=125_000,
    )
    return booking, better


def _case_keys(case):
    return sorted(
        Transfer.objects.filter(idempotency_key__startswith=f"guarantee-case-{case.pk}-").values_list(
            "idempotency_key", flat=True
        )
    )


def test_the_worker_rehouses_the_guest_in_a_room_passing_every_filter_and_money_moves_once(
    bookings_worker, settings
):
    booking, better = _world(settings)
    worker = bookings_worker(env=AUTO)
    case = booking_cancel_by_property(booking=booking, actor=None, reason="water damage")

    case = wait_until(
        lambda: GuaranteeCase.objects.filter(pk=case.pk, status="rebooked").first(),
        timeout=60,
        what="the guest to be rebooked",
        worker=worker,
    )
    new = case.rebooked
    assert new.status == Booking.Status.CONFIRMED and new.room_type == better
    assert selectors.candidate_passes(original=booking, rebooked=new) == []

    case_search_task.delay(case.pk)  # the search delivered a second time
    wait_until(lambda: worker.log().count("'noop'") >= 1, timeout=30, what="the second run", worker=worker)
    assert _case_keys(case) == [f"guarantee-case-{case.pk}-{k}" for k in ("charge", "fund", "guest-money")]
    assert Booking.objects.filter(guarantee_case=case, status="confirmed").count() == 1
    assert ledger_reconcile() == []


def test_a_worker_killed_mid_search_runs_it_again_and_money_moves_once(
    bookings_worker, worker_queue, tmp_path, settings
):
    booking, better = _world(settings)
    # The cancellation's own task would race the slow one: cancel with no worker, then drop its message.
    case = booking_cancel_by_property(booking=booking, actor=None, reason="double-booked")
    from trustplatform.celery import app

    with app.connection_for_write() as conn:
        conn.default_channel.queue_purge(worker_queue)
    worker = bookings_worker(env=AUTO)
    slow_case_search.apply_async(args=[case.pk, str(tmp_path)], queue=worker_queue)

    lines = wait_until(
        lambda: "moved, not committed" in (got := marker_lines(tmp_path, case.pk)) and got,
        timeout=60,
        what="the first run to move the money",
        worker=worker,
    )
    first_pid = int(lines[0].split("=")[1])
    assert worker.is_child(first_pid)
    os.kill(first_pid, signal.SIGKILL)  # mid-transaction: nothing it did is committed

    def finished():
        got = marker_lines(tmp_path, case.pk)
        return got if any(line.startswith("outcome") for line in got) else None

    lines = wait_until(finished, timeout=60, what="the redelivered search", worker=worker)
    assert lines[-1] == "outcome rebooked"
    case.refresh_from_db()
    assert case.status == GuaranteeCase.Status.REBOOKED and case.rebooked.room_type == better
    assert _case_keys(case) == [f"guarantee-case-{case.pk}-{k}" for k in ("charge", "fund", "guest-money")]
    assert ledger_reconcile() == []
