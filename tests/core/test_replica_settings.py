"""Without a replica (the embedded SQLite default, a single PostgreSQL server) everything reads and
writes the primary; a replica setting that makes no sense stops the start."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import router

from bookings.models import Property
from tests.bookings.factories import RoomTypeFactory, stay_dates
from trustplatform import dbrouter
from trustplatform.dbrouter import replica_reads

ROOT = Path(__file__).resolve().parents[2]


def _settings_loaded(**overrides) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", "from django.conf import settings; print(sorted(settings.DATABASES))"],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "trustplatform.settings", **overrides},
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.django_db
def test_without_a_replica_everything_reads_and_writes_the_primary(client):
    assert not dbrouter.replica_configured()
    room_type = RoomTypeFactory()
    with replica_reads():
        assert router.db_for_read(Property) == "default"
    check_in, check_out = stay_dates(3, 2)
    query = {"place": "haeundae", "check_in": check_in, "check_out": check_out, "guests": 2}
    page = client.get("/stays/", query)
    assert page.status_code == 200 and f'data-property="{room_type.property_id}"' in page.content.decode()
    assert dbrouter.PIN_COOKIE not in client.post("/accounts/login/", {}).cookies


def test_a_replica_url_adds_the_replica_and_is_never_a_database_the_tests_make():
    loaded = _settings_loaded(DATABASE_REPLICA_URL="postgres://reader@127.0.0.1:5433/ansim")
    assert loaded.returncode == 0, loaded.stderr
    assert loaded.stdout.strip() == "['default', 'replica']"


@pytest.mark.parametrize(
    "overrides",
    [
        # The embedded SQLite default has no replica to read.
        {"DATABASE_URL": "sqlite:////tmp/ansim.sqlite3", "DATABASE_REPLICA_URL": "postgres://127.0.0.1:5433/a"},
        {"DATABASE_REPLICA_URL": "sqlite:////tmp/ansim.sqlite3"},
        # A pin shorter than the lag allowed would let a person miss their own change.
        {"REPLICA_PIN_SECONDS": "5", "REPLICA_MAX_LAG_SECONDS": "10"},
        {"REPLICA_MAX_LAG_SECONDS": "a little"},
    ],
)
def test_replica_nonsense_is_refused(overrides):
    loaded = _settings_loaded(**overrides)
    assert loaded.returncode != 0 and "ImproperlyConfigured" in loaded.stderr
    assert any(name in loaded.stderr for name in overrides if name != "DATABASE_URL")
