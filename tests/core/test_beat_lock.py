"""Issue 16, item 5: exactly one beat across many machines (trustplatform/beat.py).

Real `celery beat` processes run on the test database and the broker, with an entry due every second
whose messages the test takes off the queue; each message names the process that sent it (its
`origin` header). Of two beats only the one holding the lock sends; when it is killed, or its lock
session ends, the other takes over. A control run without the lock shows that two beats both send.
"""

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection
from django_celery_beat.models import IntervalSchedule, PeriodicTask

from tests.worker import BASE_DIR, declare_queue, wait_until, worker_database_url
from trustplatform import beat
from trustplatform.celery import app

pytest_plugins = ["tests.worker"]

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

TICK = "tests.beat_lock.tick"  # sent by name: no worker runs it, the test reads the messages
ORIGIN = re.compile(r"^gen(\d+)@")
START_TIMEOUT = 30  # seconds for a beat to start and send
PLAIN_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"


class BeatProcess:
    """One `celery beat` process in its own process group, logging to a file."""

    def __init__(self, *, queue: str, log_path: Path, scheduler: str | None = None):
        self.log_path = log_path
        # No pid file: two beats share this folder, as two machines would not.
        command = [sys.executable, "-m", "celery", "-A", "trustplatform", "beat", "--loglevel=INFO",
                   "--pidfile="]
        if scheduler:
            command += ["--scheduler", scheduler]
        environment = {**os.environ, "DATABASE_URL": worker_database_url(), "CELERY_QUEUE": queue,
                       "BEAT_LOCK_POLL_SECONDS": "1", "LOG_LEVEL": "INFO", "PYTHONUNBUFFERED": "1"}
        with open(log_path, "ab") as log:
            self.proc = subprocess.Popen(command, cwd=BASE_DIR, env=environment, stdin=subprocess.DEVNULL,
                                         stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        self.pid = self.proc.pid

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def kill(self) -> None:
        try:
            os.killpg(self.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.proc.wait(10)


def _no_other_advisory_lock() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid <> pg_backend_pid()"
            " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
        )
        return cursor.fetchone()[0] == 0


@pytest.fixture
def start_beat(request, transactional_db, worker_queue, tmp_path):
    """start_beat(scheduler=None) -> a BeatProcess on the test database, sending to `worker_queue`."""
    beats: list[BeatProcess] = []
    failed_before = request.session.testsfailed

    def start(*, scheduler: str | None = None) -> BeatProcess:
        beats.append(BeatProcess(queue=worker_queue, log_path=tmp_path / f"beat-{len(beats) + 1}.log",
                                 scheduler=scheduler))
        return beats[-1]

    yield start
    for process in beats:
        process.kill()
    # A killed beat's database session ends a moment later, and its advisory lock with it: the next test
    # of this database must not meet a lock left by this one.
    wait_until(_no_other_advisory_lock, timeout=30, what="the killed beats' lock sessions to end")
    if request.session.testsfailed > failed_before:
        for process in beats:
            print(f"--- beat {process.pid} ---\n{process.log()}")


class Sent:
    """The pids of the beats that sent each tick so far, in the order the queue got them."""

    def __init__(self, queue: str):
        self.queue = queue
        self.pids: list[int] = []

    def read(self) -> list[int]:
        with app.connection_for_write() as conn:
            bound = app.amqp.queues[self.queue].bind(conn.default_channel)
            while (message := bound.get(no_ack=True)) is not None:
                if message.headers.get("task") == TICK:
                    self.pids.append(int(ORIGIN.match(message.headers["origin"])[1]))
        return self.pids

    def by(self, process: BeatProcess) -> int:
        return self.read().count(process.pid)


@pytest.fixture
def ticks(worker_queue) -> Sent:
    """An entry due every second in the stored schedule, and what the beats sent of it."""
    declare_queue(worker_queue)
    every = IntervalSchedule.objects.create(every=1, period=IntervalSchedule.SECONDS)
    PeriodicTask.objects.create(name="beat lock test: every second", task=TICK, interval=every)
    return Sent(worker_queue)


def runs_of(pids: list[int]) -> list[int]:
    """The senders in order, each run of messages from one sender counted once."""
    return [pid for index, pid in enumerate(pids) if index == 0 or pids[index - 1] != pid]


def test_of_two_beats_one_sends_and_the_other_takes_over_when_it_is_killed(start_beat, ticks):
    first = start_beat()
    wait_until(lambda: ticks.by(first) >= 1, timeout=START_TIMEOUT, what="the first beat to send")
    second = start_beat()
    wait_until(lambda: "held by another beat" in second.log(), timeout=START_TIMEOUT,
               what="the second beat to wait for the lock")
    before = len(ticks.read())
    time.sleep(4)  # both beats running: four ticks due
    window = ticks.read()[before:]
    assert len(window) >= 2 and set(window) == {first.pid}, window
    first.kill()
    wait_until(lambda: ticks.by(second) >= 2, timeout=START_TIMEOUT, what="the second beat to take over")
    # The first's messages, then the second's: never both at once.
    assert runs_of(ticks.read()) == [first.pid, second.pid]
    assert "beat lock taken" in second.log()


def test_a_beat_whose_lock_session_ends_stops_and_the_other_takes_over(start_beat, ticks):
    first = start_beat()
    wait_until(lambda: ticks.by(first) >= 1, timeout=START_TIMEOUT, what="the first beat to send")
    second = start_beat()
    wait_until(lambda: "held by another beat" in second.log(), timeout=START_TIMEOUT,
               what="the second beat to wait for the lock")
    key = beat.LOCK_KEY & (2**64 - 1)
    with connection.cursor() as cursor:
        # What a lost connection does: the lock's session ends under the beat that holds it.
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND granted"
            " AND classid = %s AND objid = %s AND objsubid = 1"
            # Each test database has its own beat (the other pytest worker's may hold the same key).
            " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())",
            [key >> 32, key & 0xFFFFFFFF])
        assert cursor.fetchall() == [(True,)]
    assert first.proc.wait(START_TIMEOUT) != 0, first.log()  # it stops, for its supervisor to restart
    assert "BeatLockLost" in first.log()
    wait_until(lambda: ticks.by(second) >= 2, timeout=START_TIMEOUT, what="the second beat to take over")
    assert runs_of(ticks.read())[-1] == second.pid


def test_control_without_the_lock_two_beats_both_send(start_beat, ticks):
    first = start_beat(scheduler=PLAIN_SCHEDULER)
    wait_until(lambda: ticks.by(first) >= 1, timeout=START_TIMEOUT, what="the first beat to send")
    second = start_beat(scheduler=PLAIN_SCHEDULER)
    wait_until(lambda: ticks.by(first) >= 2 and ticks.by(second) >= 2, timeout=START_TIMEOUT,
               what="both beats to send")


# --- the locks themselves ------------------------------------------------------------------------


def test_the_postgresql_lock_is_held_by_one_session_until_it_ends(settings):
    settings.BEAT_LOCK_TIMEOUT_SECONDS = 12
    holder, other = beat.beat_lock(), beat.beat_lock()
    assert isinstance(holder, beat.PostgresBeatLock)
    try:
        assert holder.acquire() and not other.acquire()
        holder.check()
        holder.release()
        assert other.acquire() and not holder.acquire()
    finally:
        holder.release()
        other.release()


def test_the_file_lock_of_the_embedded_setup_is_held_by_one_beat(tmp_path):
    path = tmp_path / "ansim.sqlite3.beat-lock"
    holder, other = beat.FileBeatLock(path), beat.FileBeatLock(path)
    assert holder.acquire() and not other.acquire()
    holder.check()
    holder.release()
    assert other.acquire() and not holder.acquire()
    other.release()
