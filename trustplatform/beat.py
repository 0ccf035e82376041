"""Exactly one beat across every machine: the scheduler sends nothing until it holds the beat lock.

`celery beat` may run on several machines (for failover). Each runs SingleBeatScheduler (settings
CELERY_BEAT_SCHEDULER), django-celery-beat's DatabaseScheduler behind a lock: a beat without the
lock asks for it every BEAT_LOCK_POLL_SECONDS and touches neither the schedule nor the broker; the
one that gets it loads the schedule and sends.

On PostgreSQL the lock is a session-level advisory lock on a connection of its own (Django's own
connections are closed and reopened by the scheduler, which would drop it), held for the life of
the process: a beat that dies, or is killed, closes its session and the lock is free at once. It
fails towards no beat rather than two: a holder that is stuck keeps its session and so the lock,
and a holder cut off from the database stops (BeatLockLost, a non-zero exit for the supervisor to
restart it) within a third of BEAT_LOCK_TIMEOUT_SECONDS, because it checks its session before every
tick and its connection gives up after that long; PostgreSQL ends a silent session, which frees the
lock for another beat, only after the whole of it. A lock with a time to live (Redis) fails the
other way: a holder that pauses past the time keeps sending while another takes over.

On SQLite (the embedded setup, one machine) it is an exclusive flock on a file beside the database.
"""

import copy
import logging
from pathlib import Path

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.db.utils import load_backend
from django_celery_beat.schedulers import DatabaseScheduler

logger = logging.getLogger(__name__)

# The advisory lock's key, the same on every machine: b"ansimbt1" as a signed 64-bit integer.
LOCK_KEY = int.from_bytes(b"ansimbt1", "big", signed=True)


class BeatLockLost(RuntimeError):
    """The beat can no longer prove it holds the lock: it must stop sending at once."""


class PostgresBeatLock:
    """pg_try_advisory_lock on a connection opened for it alone, with timeouts on both ends."""

    def __init__(self, *, timeout_seconds: int):
        self.timeout_seconds = timeout_seconds
        self.held = False
        self._database = None

    def _connect(self):
        settings_dict = copy.deepcopy(connections.settings[DEFAULT_DB_ALIAS])
        options = settings_dict.setdefault("OPTIONS", {})
        options.pop("pool", None)  # a pooled connection would go back to the pool, and the lock with it
        client_timeout = max(self.timeout_seconds // 3, 1)
        # This end: a query unanswered for a third of the timeout fails (tcp_user_timeout, ms).
        options.update(connect_timeout=client_timeout, keepalives=1, keepalives_idle=client_timeout,
                       keepalives_interval=1, keepalives_count=3, tcp_user_timeout=client_timeout * 1000)
        database = load_backend(settings_dict["ENGINE"]).DatabaseWrapper(settings_dict, alias="beat_lock")
        database.ensure_connection()
        # The server's end: a session silent for the whole timeout is ended, which frees the lock.
        with database.cursor() as cursor:
            for name, value in (("tcp_keepalives_idle", self.timeout_seconds // 2),
                                ("tcp_keepalives_interval", max(self.timeout_seconds // 6, 1)),
                                ("tcp_keepalives_count", 3),
                                ("tcp_user_timeout", self.timeout_seconds * 1000),
                                ("idle_session_timeout", 0)):
                cursor.execute("SELECT set_config(%s, %s, false)", [name, str(value)])
        return database

    def acquire(self) -> bool:
        """Take the lock if it is free; False when another beat holds it or the database is away."""
        try:
            if self._database is None:
                self._database = self._connect()
            with self._database.cursor() as cursor:
                cursor.execute("SELECT pg_try_advisory_lock(%s)", [LOCK_KEY])
                self.held = bool(cursor.fetchone()[0])
        except DatabaseError as exc:
            logger.warning("beat lock: the database did not answer (%s); trying again", exc)
            self.release()
        return self.held

    def check(self) -> None:
        """Raise BeatLockLost unless the session that took the lock still answers."""
        try:
            with self._database.cursor() as cursor:
                cursor.execute("SELECT 1")
                cursor.fetchone()
        except DatabaseError as exc:
            self.release()
            raise BeatLockLost(f"the beat lock's database session is gone: {exc}") from exc

    def release(self) -> None:
        held, self.held = self.held, False
        database, self._database = self._database, None
        if database is None:
            return
        try:
            if held:
                # Unlocked before the session ends: closing alone returns before the server has
                # ended the session, and another beat asking at once would find the lock still held.
                with database.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_unlock(%s)", [LOCK_KEY])
        except DatabaseError:
            pass
        finally:
            try:
                database.close()  # ending the session releases the advisory lock in any case
            except DatabaseError:
                pass


class FileBeatLock:
    """An exclusive flock on `path`: one beat per machine, released by the kernel when the process ends."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.held = False
        self._file = None

    def acquire(self) -> bool:
        import fcntl

        handle = open(self.path, "a+b")  # noqa: SIM115  (kept open while the lock is held)
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            return False
        self._file, self.held = handle, True
        return True

    def check(self) -> None:
        """A lock this process holds on an open file cannot be taken from it."""

    def release(self) -> None:
        self.held = False
        handle, self._file = self._file, None
        if handle is not None:
            handle.close()


def beat_lock() -> PostgresBeatLock | FileBeatLock:
    """The lock for the default database's engine."""
    database = connections[DEFAULT_DB_ALIAS]
    if database.vendor == "postgresql":
        return PostgresBeatLock(timeout_seconds=settings.BEAT_LOCK_TIMEOUT_SECONDS)
    return FileBeatLock(Path(f"{database.settings_dict['NAME']}.beat-lock"))


class SingleBeatScheduler(DatabaseScheduler):
    """DatabaseScheduler that loads its schedule and sends only while it holds the beat lock."""

    _lock = None
    _waiting_told = False

    def setup_schedule(self):
        # Called as the scheduler is made: a beat without the lock leaves the stored schedule alone.
        if self._lock is not None and self._lock.held:
            super().setup_schedule()

    def tick(self, *args, **kwargs):
        if self._lock is None:
            self._lock = beat_lock()
        if self._lock.held:
            self._lock.check()  # before sending anything: raises BeatLockLost, which stops the beat
        elif self._lock.acquire():
            logger.info("beat lock taken: this beat schedules the periodic tasks")
            super().setup_schedule()
        else:
            if not self._waiting_told:
                logger.info("beat lock held by another beat: waiting, asking every %ss",
                            settings.BEAT_LOCK_POLL_SECONDS)
                self._waiting_told = True
            return settings.BEAT_LOCK_POLL_SECONDS
        return super().tick(*args, **kwargs)

    def close(self):
        try:
            super().close()
        finally:
            if self._lock is not None:
                self._lock.release()
