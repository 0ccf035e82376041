"""Reads that may go to a PostgreSQL streaming replica, and only those.

Everything reads and writes the primary ("default") unless code opts in with `replica_reads()`: the
stays and listings searches and the public listing and property pages. Inside it a read goes to
the "replica" alias (DATABASE_REPLICA_URL) when all of these hold:
- a replica is configured (without one, the usual single machine, nothing changes);
- the primary is not inside a transaction (a read there must see the transaction's own writes);
- the person asking has not written recently: any POST, PUT, PATCH or DELETE pins their reads to
  the primary for REPLICA_PIN_SECONDS, by a signed cookie and, when signed in, by their account
  (so API clients without cookies and their other devices are pinned too);
- the replica answers and lags the primary by at most REPLICA_MAX_LAG_SECONDS, checked with one
  query at most every CHECK_SECONDS per process.
Writes always go to the primary, migrations never run on the replica, and the session and
sign-in models (who is asking) are always read from the primary. A read-only view decorated with
`replica_reads()` whose replica fails mid-request is run again on the primary.
"""

import functools
import logging
import threading
import time
from contextvars import ContextVar

from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.utils import DatabaseError, InterfaceError, OperationalError
from django.http import HttpRequest

logger = logging.getLogger(__name__)

REPLICA = "replica"
PIN_COOKIE = "ansim_primary"
PIN_SALT = "trustplatform.dbrouter.pin"
# How long one health check of the replica holds, per process.
CHECK_SECONDS = 2.0
# Who is asking: sessions and sign-in state are never read from a copy that may be behind.
PRIMARY_ONLY_APPS = frozenset({"sessions", "accounts", "auth", "authtoken", "axes", "otp_totp", "otp_static"})
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})

# Lag in seconds: none while everything received is replayed, else the age of the last replayed
# transaction; a replica with no WAL receiver is not following its primary.
LAG_SQL = """
SELECT pg_is_in_recovery(),
       EXISTS (SELECT 1 FROM pg_stat_wal_receiver),
       CASE WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0
            ELSE COALESCE(EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()), 0) END
"""


class _Scope:
    """One `replica_reads()` block: whether a read in it went to the replica."""

    __slots__ = ("used",)

    def __init__(self):
        self.used = False


_scope: ContextVar[_Scope | None] = ContextVar("replica_scope", default=None)
_request: ContextVar[HttpRequest | None] = ContextVar("replica_request", default=None)
_deciding: ContextVar[bool] = ContextVar("replica_deciding", default=False)


class _Health:
    lock = threading.Lock()
    checked_at = float("-inf")
    usable = False


def replica_configured() -> bool:
    return REPLICA in connections.settings


class replica_reads:
    """Let the reads inside go to the replica (see the module). As a decorator of a read-only view,
    a failure of the replica during the call marks it down and runs the view again on the primary."""

    def __enter__(self) -> _Scope:
        scope = _Scope()
        self._token = _scope.set(scope)
        return scope

    def __exit__(self, *exc_info) -> None:
        _scope.reset(self._token)

    def __call__(self, function):
        @functools.wraps(function)
        def wrapper(*args, **kwargs):
            with replica_reads() as scope:
                try:
                    return function(*args, **kwargs)
                except (OperationalError, InterfaceError):
                    if not scope.used:
                        raise
                    logger.warning("replica failed during a read; answering from the primary", exc_info=True)
                    replica_mark_down()
            return function(*args, **kwargs)

        return wrapper


def replica_pinned() -> bool:
    """Whether the current request's reads stay on the primary because its person wrote recently."""
    request = _request.get()
    if request is None:
        return False
    pinned = getattr(request, "_replica_pinned", None)
    if pinned is None:
        token = _deciding.set(True)
        try:
            pinned = _cookie_pinned(request) or _user_pinned(request)
        finally:
            _deciding.reset(token)
        request._replica_pinned = pinned
    return pinned


def _cookie_pinned(request: HttpRequest) -> bool:
    return bool(
        request.get_signed_cookie(PIN_COOKIE, default="", salt=PIN_SALT, max_age=settings.REPLICA_PIN_SECONDS)
    )


def _user_key(user_id) -> str:
    return f"replica:pin:user:{user_id}"


def _user_pinned(request: HttpRequest) -> bool:
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated and cache.get(_user_key(user.pk)))


def replica_usable() -> bool:
    """Whether the replica answers and is within REPLICA_MAX_LAG_SECONDS, checked at most every
    CHECK_SECONDS per process; a failed check counts as down until the next one."""
    now = time.monotonic()
    if now - _Health.checked_at < CHECK_SECONDS:
        return _Health.usable
    with _Health.lock:
        if now - _Health.checked_at >= CHECK_SECONDS:
            _Health.usable = _replica_within_lag()
            _Health.checked_at = time.monotonic()
    return _Health.usable


def _replica_within_lag() -> bool:
    replica = connections[REPLICA]
    try:
        with replica.cursor() as cursor:
            cursor.execute(LAG_SQL)
            in_recovery, receiving, lag = cursor.fetchone()
    except DatabaseError:
        logger.warning("replica does not answer; reading from the primary", exc_info=True)
        _replica_close()
        return False
    if in_recovery and not receiving:
        logger.warning("replica is not receiving from its primary; reading from the primary")
        return False
    if lag > settings.REPLICA_MAX_LAG_SECONDS:
        logger.warning("replica lags %.1f s; reading from the primary", lag)
        return False
    return True


def replica_mark_down() -> None:
    """Read from the primary until the next health check, and drop the broken connection."""
    with _Health.lock:
        _Health.usable = False
        _Health.checked_at = time.monotonic()
    _replica_close()


def _replica_close() -> None:
    try:
        connections[REPLICA].close()
    except DatabaseError:
        pass  # already broken: closing it is all that was wanted


def replica_health_forget() -> None:
    """Check the replica again on the next read (tests, and after changing it)."""
    with _Health.lock:
        _Health.checked_at = float("-inf")


class ReplicaRouter:
    """Reads inside `replica_reads()` to the replica when it may serve them; everything else, and
    every write, to the primary."""

    def db_for_read(self, model, **hints) -> str:
        scope = _scope.get()
        if (
            scope is None
            or _deciding.get()
            or model._meta.app_label in PRIMARY_ONLY_APPS
            or not replica_configured()
            or connections[DEFAULT_DB_ALIAS].in_atomic_block
            or replica_pinned()
            or not replica_usable()
        ):
            return DEFAULT_DB_ALIAS
        scope.used = True
        return REPLICA

    def db_for_write(self, model, **hints) -> str:
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints) -> bool | None:
        # Both hold the same rows: an object read from the replica may point at one from the primary.
        if {obj1._state.db, obj2._state.db} <= {DEFAULT_DB_ALIAS, REPLICA}:
            return True
        return None

    def allow_migrate(self, db, app_label, model_name=None, **hints) -> bool | None:
        return False if db == REPLICA else None


class ReplicaPinMiddleware:
    """Knows who is asking (for the pin) and pins a person's reads to the primary after a write."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not replica_configured():
            return self.get_response(request)
        token = _request.set(request)
        try:
            response = self.get_response(request)
        finally:
            _request.reset(token)
        if request.method in UNSAFE_METHODS:
            replica_pin(request, response)
        return response


def replica_pin(request: HttpRequest, response) -> None:
    """Send this person's reads to the primary for REPLICA_PIN_SECONDS: they see their own change."""
    seconds = settings.REPLICA_PIN_SECONDS
    response.set_signed_cookie(
        PIN_COOKIE,
        "1",
        salt=PIN_SALT,
        max_age=seconds,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        cache.set(_user_key(user.pk), 1, seconds)
