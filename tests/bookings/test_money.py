"""Refund, penalty and compensation rules (pure functions over the settings' tables)."""

from datetime import date, datetime, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from bookings.services import money

SEOUL = ZoneInfo("Asia/Seoul")


def _booking(check_in: date, price=100_000, policy="moderate"):
    return SimpleNamespace(
        check_in=check_in,
        price_total_krw=price,
        guest_paid_krw=price,
        property=SimpleNamespace(cancellation_policy=policy),
    )


@pytest.mark.parametrize(
    "day, peak",
    [
        (date(2026, 7, 14), False),
        (date(2026, 7, 15), True),
        (date(2026, 8, 31), True),
        (date(2026, 12, 25), True),
        (date(2027, 1, 15), True),
        (date(2027, 2, 11), False),
        (date(2026, 5, 5), False),
    ],
)
def test_peak_season_wraps_the_new_year(day, peak):
    assert money.is_peak(day) is peak


@pytest.mark.parametrize(
    "days_before, off_peak, peak", [(0, 20, 90), (1, 10, 70), (2, 0, 70), (5, 0, 30), (12, 0, 0)]
)
def test_compensation_follows_the_table_by_days_before_check_in(days_before, off_peak, peak):
    now = datetime(2026, 5, 1, 10, tzinfo=SEOUL)
    assert (
        money.compensation_krw(booking=_booking(date(2026, 5, 1) + timedelta(days=days_before)), at=now)
        == off_peak * 1000
    )
    peak_now = datetime(2026, 7, 20, 10, tzinfo=SEOUL)
    assert (
        money.compensation_krw(booking=_booking(date(2026, 7, 20) + timedelta(days=days_before)), at=peak_now)
        == peak * 1000
    )


@pytest.mark.parametrize(
    "policy, days_before, percent",
    [
        ("flexible", 1, 100),
        ("flexible", 0, 50),
        ("moderate", 7, 100),
        ("moderate", 3, 50),
        ("moderate", 1, 30),
        ("moderate", 0, 0),
        ("strict", 14, 100),
        ("strict", 8, 50),
        ("strict", 6, 0),
    ],
)
def test_guest_refunds_follow_the_property_policy(policy, days_before, percent):
    today = date(2026, 5, 1)
    booking = _booking(today + timedelta(days=days_before), policy=policy)
    assert money.guest_refund_krw(booking=booking, today=today) == percent * 1000


def test_the_penalty_is_a_share_of_the_price(settings):
    settings.BOOKINGS_PENALTY_BPS = 1250
    assert money.penalty_krw(_booking(date(2026, 5, 1), price=80_000)) == 10_000
