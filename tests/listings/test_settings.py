"""Nonsense in the listings settings stops the start instead of running misconfigured."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _load_settings(**overrides) -> subprocess.CompletedProcess:
    env = {**os.environ, **overrides}
    return subprocess.run(
        [sys.executable, "-c", "import trustplatform.settings"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    "name, value",
    [
        ("LISTINGS_STRIKE_SUSPENSION_DAYS", "3,seven,30"),
        ("LISTINGS_STRIKE_SUSPENSION_DAYS", "0"),
        ("LISTINGS_PHOTO_NEAR_BITS", "5"),
        ("LISTINGS_CAMPAIGN_SAMPLE_PERCENT", "80"),
        ("LISTINGS_WASTED_TRIP_KRW", "-1"),
        ("LISTINGS_BADGE_MIN_VERIFIED_PERCENT", "120"),
        ("LISTINGS_BADGE_CLEAN_DAYS", "half a year"),
    ],
)
def test_nonsense_is_refused(name, value):
    loaded = _load_settings(**{name: value})
    assert loaded.returncode != 0 and "ImproperlyConfigured" in loaded.stderr and name in loaded.stderr


def test_the_defaults_load():
    assert _load_settings().returncode == 0
