"""Routing gives the same answer on SQLite (the embedded `make run` default) as on PostgreSQL.

The route is read with raw SQL, so Django's per-engine conversions do not apply by themselves:
SQLite stores datetimes as naive UTC text, compares them as text, and hands them back naive. These
tests feed the SQLite branch the rows and comparisons a real SQLite database produces — an
in-memory one, through Django's own SQLite backend — and compare with the PostgreSQL path on the
same data.
"""

from datetime import UTC, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.db.utils import ConnectionHandler
from django.utils import timezone

from masking import selectors
from masking.models import Block, MaskedSession, Participant, ProxyNumber
from trustplatform import pii

from .conftest import mobile

SEOUL = ZoneInfo("Asia/Seoul")


@pytest.fixture
def sqlite(django_db_blocker):
    """A Django SQLite connection to a fresh in-memory database holding the masking tables."""
    memory = ConnectionHandler({"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}})
    sqlite = memory["default"]
    with django_db_blocker.unblock():
        with sqlite.schema_editor() as editor:
            for model in (ProxyNumber, MaskedSession, Participant, Block):
                editor.create_model(model)
        # Only the masking tables exist here: their references to users and partners stay unchecked.
        with sqlite.cursor() as cursor:
            cursor.execute("PRAGMA foreign_keys = OFF")
        yield sqlite
        sqlite.close()


def _copy(sqlite, *objects) -> None:
    """Insert rows into SQLite exactly as Django would store them there (pk included)."""
    for obj in objects:
        fields = obj._meta.concrete_fields
        columns = ", ".join(sqlite.ops.quote_name(field.column) for field in fields)
        values = [field.get_db_prep_save(getattr(obj, field.attname), sqlite) for field in fields]
        with sqlite.cursor() as cursor:
            cursor.execute(f"INSERT INTO {sqlite.ops.quote_name(obj._meta.db_table)} ({columns}) "
                           f"VALUES ({', '.join(['%s'] * len(values))})", values)


def _raw_datetimes(db_connection, sql: str, params) -> tuple:
    with db_connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()


@pytest.mark.django_db
@pytest.mark.parametrize("shape", ["column", "text"])
def test_route_from_sqlite_rows_equals_the_route_from_postgresql_rows(sqlite, shape):
    opens_at = timezone.now().replace(microsecond=123456)
    expires_at = opens_at + timedelta(hours=3)
    # PostgreSQL hands raw SQL aware datetimes.
    pg_opens, pg_expires = _raw_datetimes(connection, "SELECT %s::timestamptz, %s::timestamptz",
                                          [opens_at, expires_at])
    # SQLite: a datetime column comes back parsed but naive; through an expression, as stored text.
    with sqlite.cursor() as cursor:
        cursor.execute("CREATE TABLE shapes (opens_at datetime, expires_at datetime)")
        cursor.execute("INSERT INTO shapes VALUES (%s, %s)",
                       [sqlite.ops.adapt_datetimefield_value(value) for value in (opens_at, expires_at)])
    select = ("SELECT opens_at, expires_at FROM shapes" if shape == "column"
              else "SELECT CAST(opens_at AS TEXT), CAST(expires_at AS TEXT) FROM shapes")
    sqlite_opens, sqlite_expires = _raw_datetimes(sqlite, select, [])
    assert type(sqlite_opens) is (str if shape == "text" else type(opens_at))

    def row(opens, expires):
        return (7, MaskedSession.Status.OPEN, MaskedSession.Mode.BOTH, opens, expires, 11, "고객", 12,
                pii.encrypt(mobile(2)), "+825051000001", 0)

    on_sqlite = selectors._route(row(sqlite_opens, sqlite_expires), "sqlite")
    on_postgresql = selectors._route(row(pg_opens, pg_expires), "postgresql")
    assert on_sqlite == on_postgresql
    assert on_sqlite.opens_at == opens_at and on_sqlite.expires_at == expires_at
    for now in (opens_at - timedelta(microseconds=1), opens_at, expires_at - timedelta(microseconds=1),
                expires_at):
        assert on_sqlite.usable_at(now) == on_postgresql.usable_at(now) == (opens_at <= now < expires_at)


@pytest.mark.django_db
@pytest.mark.parametrize("zone", [UTC, SEOUL], ids=["utc", "seoul"])
def test_route_lookup_on_sqlite_finds_the_hold_at_the_same_instants_as_on_postgresql(
        sqlite, pool, open_session, monkeypatch, zone):
    pool(2)
    session = open_session(consumer=mobile(1), business=mobile(2))
    consumer = session.participants.get(side=Participant.Side.CONSUMER)
    participants = list(session.participants.all())
    _copy(sqlite, *ProxyNumber.objects.filter(participants__session=session).distinct(), session,
          *participants)
    held_from, holds_until = consumer.held_from, consumer.holds_until
    lookup = {"proxy_e164": consumer.proxy_number.e164, "caller_index": consumer.phone_index}

    instants = [held_from - timedelta(microseconds=1), held_from, held_from + timedelta(hours=1),
                holds_until - timedelta(microseconds=1), holds_until]
    on_postgresql = [selectors.route_lookup(**lookup, now=now.astimezone(zone)) for now in instants]
    monkeypatch.setattr(selectors, "connection", sqlite)
    on_sqlite = [selectors.route_lookup(**lookup, now=now.astimezone(zone)) for now in instants]

    assert on_sqlite == on_postgresql
    assert [route is not None for route in on_sqlite] == [False, True, True, True, False]
    for now, route in zip(instants, on_sqlite, strict=True):
        if route is not None:
            assert route.session_id == session.pk and route.callee_phone == mobile(2)
            assert route.usable_at(now) == (session.opens_at <= now < session.expires_at)


def test_a_route_never_writes_the_real_number_into_its_text():
    """A route is a local variable where routing fails: its repr reaches logs and the debug page."""
    now = timezone.now()
    route = selectors.Route(
        session_id=7, status=MaskedSession.Status.OPEN, mode=MaskedSession.Mode.BOTH, opens_at=now,
        expires_at=now + timedelta(hours=1), caller_id=11, caller_label="고객", callee_id=12,
        callee_phone=mobile(2), callee_proxy="+825051000001", blocked=False)
    assert mobile(2) not in repr(route) and mobile(2)[3:] not in repr(route)
    assert "+825051000001" in repr(route)
