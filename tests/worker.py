"""A real Celery worker for tests: a `celery worker` subprocess on the broker and the test database.

Load the fixtures in a test module with ``pytest_plugins = ["tests.worker"]``, mark the test
``@pytest.mark.worker`` and ``@pytest.mark.django_db(transaction=True)`` (the worker is another
process: it only sees committed rows), then use

* ``celery_worker_process``: one worker, started and ready before the test body runs;
* ``start_celery_worker``: a factory, for tests that start the worker later or start several;
* ``worker_queue``: the queue those workers consume. Every test gets a new one (``test-<uuid>``),
  made the app's default queue for the test, so ``task.delay()`` and ``delay_on_commit()`` in the
  test process reach the test's worker and stale messages of other runs never do. It is deleted
  at teardown.

Workers are stopped at teardown (SIGTERM, then SIGKILL to the whole process group); when the test
failed, their logs are printed. ``wait_until`` is the bounded wait to use with them: on a timeout it
fails with the worker's log.

PYTEST_DONT_REWRITE (test modules import the helpers before pytest loads this as a plugin)
"""

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import TypeVar
from urllib.parse import quote, urlsplit

import pytest
from celery.utils.nodenames import default_nodename, host_format
from django.db import connection

from trustplatform.celery import app

BASE_DIR = Path(__file__).resolve().parent.parent
READY_TIMEOUT = 60  # seconds for a worker to answer a ping
STOP_TIMEOUT = 10  # seconds of warm shutdown before the process group is killed
TEST_TASKS_MODULE = "tests.worker_tasks"

T = TypeVar("T")
StartWorker = Callable[..., "CeleryWorker"]


def worker_database_url() -> str:
    """DATABASE_URL of the test database pytest-django created (call it once the db is set up)."""
    settings_dict = connection.settings_dict
    if connection.vendor != "postgresql":
        pytest.skip("a worker process needs a database it can share with the tests (PostgreSQL)")
    url = urlsplit(os.environ.get("DATABASE_URL") or "postgres:///")
    return url._replace(path="/" + quote(settings_dict["NAME"])).geturl()


def broker_is_real() -> bool:
    return app.conf.broker_url.startswith(("amqp://", "amqps://", "pyamqp://"))


class CeleryWorker:
    """One `celery worker` process (prefork, one child) in its own process group, logging to a file."""

    def __init__(self, *, queue: str, log_path: Path, env: dict[str, str] | None = None):
        self.queue = queue
        self.log_path = Path(log_path)
        self.nodename = f"{queue}-{uuid.uuid4().hex[:8]}@%h"
        self.extra_env = env or {}
        self.proc: subprocess.Popen | None = None
        self._hostname: str | None = None

    @property
    def command(self) -> list[str]:
        return [
            sys.executable, "-m", "celery", "-A", "trustplatform", "worker",
            "-P", "prefork", "-c", "1", "--without-heartbeat", "--without-mingle", "--without-gossip",
            "-Q", self.queue, "-I", TEST_TASKS_MODULE, "-n", self.nodename, "--loglevel=INFO",
        ]

    def environment(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update(
            DATABASE_URL=worker_database_url(),
            SMS_BACKEND="trustplatform.notifications.sms.ConsoleSmsBackend",
            LOG_LEVEL="INFO",
            PYTHONUNBUFFERED="1",
        )
        env.setdefault("DJANGO_SETTINGS_MODULE", "trustplatform.settings")
        env.update(self.extra_env)
        return env

    @property
    def pid(self) -> int:
        assert self.proc is not None, "the worker was not started"
        return self.proc.pid

    @property
    def hostname(self) -> str:
        """The node name the worker answers to (`%h` expanded the way Celery does)."""
        if self._hostname is None:
            self._hostname = host_format(default_nodename(self.nodename))
        return self._hostname

    def start(self) -> "CeleryWorker":
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen(
                self.command, cwd=BASE_DIR, env=self.environment(), stdin=subprocess.DEVNULL,
                stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            )
        return self

    def is_running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def wait_ready(self, timeout: float = READY_TIMEOUT) -> None:
        """Wait until the worker answers a ping: it is connected and consuming its queue."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.is_running():
                pytest.fail(f"The Celery worker exited with {self.proc.returncode} before it was ready."
                            f"\n{self.describe()}", pytrace=False)
            if app.control.ping(destination=[self.hostname], timeout=0.5):
                return
        pytest.fail(f"The Celery worker did not answer a ping within {timeout:.0f}s.\n{self.describe()}",
                    pytrace=False)

    def log(self) -> str:
        try:
            return self.log_path.read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            return ""

    def describe(self, tail: int = 150) -> str:
        lines = self.log().splitlines()[-tail:]
        state = "running" if self.is_running() else f"exited ({self.proc and self.proc.returncode})"
        return (f"--- celery worker {self.hostname} pid={self.proc and self.proc.pid} {state}, "
                f"queue {self.queue}, log {self.log_path} (last {len(lines)} lines) ---\n"
                + "\n".join(lines) + "\n--- end of worker log ---")

    def is_child(self, pid: int) -> bool:
        """Whether `pid` is a pool process of this worker (Linux /proc)."""
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except FileNotFoundError:
            return False
        # Fields after the parenthesised command name: state, ppid, ...
        return int(stat.rsplit(")", 1)[1].split()[1]) == self.pid

    def kill(self, timeout: float = 10) -> int:
        """SIGKILL the whole worker (main process and pool children); returns the exit code."""
        try:
            os.killpg(self.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        return self.proc.wait(timeout)

    def stop(self) -> None:
        """Warm shutdown (SIGTERM to the main process), then SIGKILL whatever is left of the group."""
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            # The signal only sets a flag: an idle worker notices it when its event loop wakes up,
            # which can take up to 10 s. A ping wakes it at once.
            try:
                app.control.ping(destination=[self.hostname], timeout=0.2)
            except Exception:  # the broker is gone: SIGKILL below still stops the worker
                pass
            try:
                self.proc.wait(STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                pass
        try:
            os.killpg(self.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        try:
            self.proc.wait(STOP_TIMEOUT)
        except subprocess.TimeoutExpired:  # pragma: no cover - the kernel did not deliver SIGKILL
            pass


@contextmanager
def celery_worker(queue: str, log_path: Path, *, env: dict[str, str] | None = None,
                  timeout: float = READY_TIMEOUT) -> Iterator[CeleryWorker]:
    """Run a worker on `queue` for the duration of the block; it is ready when the block starts."""
    worker = CeleryWorker(queue=queue, log_path=log_path, env=env)
    try:
        worker.start()
        worker.wait_ready(timeout)
        yield worker
    finally:
        worker.stop()


def wait_until(predicate: Callable[[], T], *, timeout: float, what: str,
               worker: CeleryWorker | None = None, interval: float = 0.1) -> T:
    """Poll `predicate` until it returns something truthy (returned); fail after `timeout` seconds,
    or as soon as `worker` is no longer running, with the worker's log."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if worker is not None and not worker.is_running():
            pytest.fail(f"The Celery worker exited while waiting for {what}.\n{worker.describe()}",
                        pytrace=False)
        if time.monotonic() >= deadline:
            log = f"\n{worker.describe()}" if worker is not None else ""
            pytest.fail(f"Timed out after {timeout:.0f}s waiting for {what}.{log}", pytrace=False)
        time.sleep(interval)


def declare_queue(name: str) -> None:
    """Declare the queue exactly as the app does when it first sends a task to it."""
    with app.connection_for_write() as conn:
        app.amqp.queues[name].bind(conn.default_channel).declare()


def queue_depth(name: str) -> int:
    """Messages ready in the queue (not counting ones a worker holds unacknowledged)."""
    with app.connection_for_write() as conn:
        return conn.default_channel.queue_declare(queue=name, passive=True).message_count


def delete_queue(name: str) -> None:
    """Delete the queue and the exchange of the same name the app declared for it."""
    try:
        with app.connection_for_write() as conn:
            channel = conn.default_channel
            channel.queue_delete(name)
            channel.exchange_delete(name)
    except Exception as exc:  # teardown must not hide the test's own result
        print(f"could not delete test queue {name}: {exc!r}", file=sys.stderr)


@pytest.fixture
def worker_queue() -> Iterator[str]:
    if not broker_is_real():
        pytest.skip(f"a worker test needs a real broker (AMQP), not {app.conf.broker_url.split(':')[0]}")
    name = f"test-{uuid.uuid4().hex}"
    # Build the app's cached queue map and default queue with the real settings before overriding.
    app.amqp.queues  # noqa: B018
    app.amqp.default_queue  # noqa: B018
    previous = app.conf.task_default_queue, app.conf.task_always_eager
    # Tasks go to the broker (a fixture elsewhere may have made them run eagerly in this process).
    app.conf.task_default_queue, app.conf.task_always_eager = name, False
    try:
        yield name
    finally:
        app.conf.task_default_queue, app.conf.task_always_eager = previous
        app.amqp.queues.pop(name, None)  # sending to it added it to the app's queue map
        delete_queue(name)


@pytest.fixture
def start_celery_worker(request, transactional_db, worker_queue, tmp_path) -> Iterator[StartWorker]:
    """start_celery_worker(env=None) -> a ready CeleryWorker on `worker_queue`; stopped at teardown."""
    workers: list[CeleryWorker] = []
    failed_before = request.session.testsfailed

    def start(*, env: dict[str, str] | None = None, timeout: float = READY_TIMEOUT) -> CeleryWorker:
        worker = CeleryWorker(queue=worker_queue, log_path=tmp_path / f"celery-worker-{len(workers) + 1}.log",
                              env=env)
        workers.append(worker)
        worker.start()
        worker.wait_ready(timeout)
        return worker

    yield start

    for worker in reversed(workers):
        worker.stop()
    if request.session.testsfailed > failed_before:
        capture = request.config.pluginmanager.getplugin("capturemanager")
        with capture.global_and_fixture_disabled() if capture else nullcontext():
            for worker in workers:
                print(f"\n{worker.describe(tail=10_000)}", flush=True)


@pytest.fixture
def celery_worker_process(start_celery_worker) -> CeleryWorker:
    """A ready worker on `worker_queue` (prefork, one child), on the test database."""
    return start_celery_worker()
