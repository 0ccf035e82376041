"""The rebooking bench's own code (bench/bookings.py, `rebook_p95_s`), on a tiny city: each path starts
its case as the bench does and the bench's measure counts the rebooking; the bench itself is run on a
quiet machine (`make bench APP=bookings`), never here."""

import importlib.util
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from bookings.models import GuaranteeCase
from bookings.services import guarantee, refusals

from .factories import HAEUNDAE, PropertyFactory, RoomTypeFactory, confirmed_booking, fund_guarantee

pytestmark = pytest.mark.django_db

BENCH = Path(__file__).resolve().parents[2] / "bench" / "bookings.py"


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("bench_bookings", BENCH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # the bench imports nothing of Django at module level
    return module


@pytest.mark.parametrize("path", ["cancel", "guest_confirmed", "guest_silence"])
def test_each_path_of_the_bench_starts_its_case_and_is_measured(bench, path, settings):
    settings.BOOKINGS_AUTO_REBOOK_HOURS = 100_000  # as the bench sets it: the best room at once
    assert path in bench.REBOOK_PATHS
    fund_guarantee()
    original = RoomTypeFactory(property=PropertyFactory(star_class=3, rating="4.2"), grade=1)
    RoomTypeFactory(
        property=PropertyFactory(latitude=HAEUNDAE[0], longitude=HAEUNDAE[1] + 0.002, rating="4.6"),
        grade=2,
    )
    booking = confirmed_booking(original, days_ahead=1, nights=1)

    bench.rebook_start(path=path, booking=booking)

    case = GuaranteeCase.objects.get(booking=booking)
    if path == "guest_silence":  # the countdown task, in the bench's worker, does this at the minute
        assert case.status == GuaranteeCase.Status.REPORTED
        GuaranteeCase.objects.filter(pk=case.pk).update(respond_by=timezone.now() - timedelta(seconds=1))
        assert refusals.case_answer_lapse(case_id=case.pk) == "started"
    assert guarantee.case_search(case_id=case.pk) == "rebooked"  # the worker's task
    result = bench.rebook_measure(path=path, booking_ids=[booking.pk])
    assert result["rebooked"] == 1 and result["fitting"] == 1
    assert 0 <= result["p95_s"] < 60


def test_an_unknown_path_is_refused(bench):
    with pytest.raises(ValueError):
        bench.rebook_start(path="guest_shouting", booking=None)
