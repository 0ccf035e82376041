"""Properties of the photo hash bands the duplicate search relies on."""

from django.conf import settings
from hypothesis import given
from hypothesis import strategies as st

from listings.photos import bands, hamming

hashes = st.integers(min_value=-(2**63), max_value=2**63 - 1)


@given(hashes)
def test_bands_rebuild_the_hash(value):
    assert sum(band << (16 * n) for n, band in enumerate(bands(value))) == value & (2**64 - 1)


@given(hashes, st.sets(st.integers(min_value=0, max_value=63), max_size=3))
def test_hashes_at_most_three_bits_apart_share_a_band(value, flips):
    """The pigeonhole the SQL relies on: 3 differing bits cannot touch all four 16-bit bands."""
    other = value
    for bit in flips:
        other ^= 1 << bit
    other = other - 2**64 if other >= 2**63 else (other + 2**64 if other < -(2**63) else other)
    assert hamming(value, other) == len(flips)
    assert any(a == b for a, b in zip(bands(value), bands(other), strict=True))


def test_the_nightly_and_monthly_tasks_are_scheduled():
    schedule = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {
        "listings.tasks.listings_rescore",
        "listings.tasks.campaign_open_monthly",
        "listings.tasks.listings_sweep",
    } <= schedule
