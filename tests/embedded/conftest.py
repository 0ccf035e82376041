"""The `make run` stack, started once for the smoke tests as a newcomer would start it, twice over.

`make -s run` runs in its own process group with a clean environment (PATH, HOME and the locale
only, plus PORT and VAR_DIR). First as a newcomer meets it: its embedded defaults — SQLite, the
file-system Celery broker, a file cache — and never the PostgreSQL, RabbitMQ and Redis this test
run is configured for. Then on the real stack, as the README's one line says: DATABASE_URL and
CELERY_BROKER_URL point it at a throwaway PostgreSQL database and its own RabbitMQ queue, both
removed afterwards. VAR_DIR keeps its files (database, broker folders, cache, media) in a pytest
temporary directory.
It is ready when the site answers HTTP and the Celery worker says it is ready. Its output (the
demo logins, gunicorn's access log, the worker's and beat's logs) goes to a file: a failing test
shows its tail, and a test fails if any request the stack served in the meantime — the worker's
webhooks too — answered 5xx, or a task raised. Teardown stops the process group (SIGTERM, then
SIGKILL after a grace period).

These tests talk HTTP only: they never touch the test database.
"""

import os
import re
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import pytest

from .web import Person

BASE_DIR = Path(__file__).resolve().parents[2]
START_TIMEOUT = 120  # seconds for migrate, collectstatic, the demo data and the three processes
STOP_TIMEOUT = 30  # seconds for make run to stop by itself (its own grace period is 20 s)
KEPT_ENVIRONMENT = ("PATH", "HOME", "LANG", "LC_ALL")
# gunicorn's access log: `... "POST /hooks/payments/sandbox/ HTTP/1.1" 500 145 ...`
SERVER_ERROR_LINE = re.compile(r'"(?P<request>[A-Z]+ \S+ HTTP/[\d.]+)" (?P<status>5\d\d) ')
# Celery's report of a task that failed for good (retries are logged as "Retry in").
TASK_FAILURE_LINE = re.compile(r"Task \S+\[[\w-]+\] raised unexpected: .*")
LOGIN_LINE = re.compile(r"^ {2}(?P<role>\S.*?) {2,}(?P<email>\S+@\S+)$", re.M)
WORKER_READY_LINE = re.compile(r"celery@\S+ ready\.")  # the worker's own line, once it consumes
PASSWORD_LINE = re.compile(r"Logins \(password for all: (?P<password>\S+)\):")

T = TypeVar("T")


@dataclass
class Stack:
    """The running platform: where it answers, its log, and the demo logins it printed."""

    base_url: str
    log_path: Path
    logins: list[tuple[str, str]]  # (role, email), as seed_demo printed them
    password: str

    def log(self, start: int = 0) -> str:
        return self.log_path.read_bytes()[start:].decode(errors="replace")

    def log_size(self) -> int:
        return self.log_path.stat().st_size

    def log_tail(self, lines: int = 60) -> str:
        return "\n".join(self.log().splitlines()[-lines:])

    def email(self, role: str, index: int = 0) -> str:
        """The `index`-th demo login printed for `role` (e.g. "consumer", "staff (agents)")."""
        emails = [email for printed, email in self.logins if printed == role]
        assert len(emails) > index, f"make run printed no login #{index} for {role!r}: {self.logins}"
        return emails[index]

    def person(self, role: str, index: int = 0) -> Person:
        """A new browser session for a demo login, logged in through the login page."""
        email = self.email(role, index)
        person = Person(self.base_url, f"{role} {email}")
        person.log_in(email, self.password)
        return person

    def wait_until(self, check: Callable[[], T], *, timeout: float, what: str, interval: float = 0.25) -> T:
        """Poll `check` until it returns something truthy; past `timeout` s fail, saying `what`."""
        deadline = time.monotonic() + timeout
        while True:
            outcome = check()
            if outcome:
                return outcome
            if time.monotonic() > deadline:
                pytest.fail(f"waited {timeout:g} s for {what}; the stack's log ends:\n{self.log_tail()}")
            time.sleep(interval)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _answers(url: str) -> bool:
    import requests

    try:
        return requests.get(url, timeout=2).status_code == 200
    except requests.RequestException:
        return False


def _ready(stack: Stack) -> bool:
    """The demo logins are printed, the Celery worker says it is ready, and the site answers."""
    output = stack.log()
    printed = bool(PASSWORD_LINE.search(output)) and bool(WORKER_READY_LINE.search(output))
    return printed and _answers(f"{stack.base_url}/healthz/")


def _group_alive(group: int) -> bool:
    try:
        os.killpg(group, 0)
    except ProcessLookupError:
        return False
    return True


def _stop(process: subprocess.Popen) -> bool:
    """Stop the whole process group, as Ctrl-C would; True if it was gone within STOP_TIMEOUT.

    `make` exits at once; the web server, the worker and beat it started must be gone too (the
    script kills what outlives its own grace period). Past STOP_TIMEOUT the group is killed here.
    """
    group = process.pid  # start_new_session: the group is led by make
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(group, sig)
        except ProcessLookupError:
            return sig == signal.SIGTERM
        deadline = time.monotonic() + STOP_TIMEOUT
        while time.monotonic() < deadline:
            process.poll()  # reap make, or the group never empties
            if not _group_alive(group):
                return sig == signal.SIGTERM
            time.sleep(0.1)
    return False


def _psql(database_url: str, sql: str) -> None:
    subprocess.run(["psql", "-qAt", "-v", "ON_ERROR_STOP=1", database_url, "-c", sql], check=True,
                   capture_output=True, timeout=60)


@contextmanager
def _real_services(name: str) -> Iterator[dict[str, str]]:
    """A new PostgreSQL database and RabbitMQ queue named `name`, on the servers the suite uses."""
    from kombu import Connection

    server = os.environ.get("DATABASE_URL", "postgres:///ansim").rsplit("/", 1)[0]
    broker = os.environ.get("CELERY_BROKER_URL", "amqp://guest:guest@127.0.0.1:5672//")
    _psql(f"{server}/postgres", f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    _psql(f"{server}/postgres", f'CREATE DATABASE "{name}"')
    try:
        yield {"DATABASE_URL": f"{server}/{name}", "CELERY_BROKER_URL": broker, "CELERY_QUEUE": name}
    finally:
        with Connection(broker) as connection:
            channel = connection.default_channel
            channel.queue_delete(name)
            channel.exchange_delete(name)
        _psql(f"{server}/postgres", f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


STACKS = {
    "sqlite-filesystem": None,  # make run as the README's first line starts it
    "postgresql-rabbitmq": _real_services,  # the README's line for the real stack
}


@pytest.fixture(scope="session", params=list(STACKS))
def embedded_stack(request, tmp_path_factory):
    """`make -s run` on a free port and a throwaway VAR_DIR; yields a `Stack` once it serves."""
    var_dir = tmp_path_factory.mktemp(f"{request.param}-var")
    log_path = var_dir.parent / f"make-run-{request.param}.log"
    port = _free_port()
    environment = {name: os.environ[name] for name in KEPT_ENVIRONMENT if name in os.environ}
    environment.update(PORT=str(port), VAR_DIR=str(var_dir))
    base_url = f"http://127.0.0.1:{port}"
    with ExitStack() as services:
        if STACKS[request.param] is not None:
            environment.update(services.enter_context(STACKS[request.param](f"ansim_smoke_{port}")))
        for stack in _serve(environment, base_url, log_path):
            # The stack is the one asked for: its SQLite file exists only on the embedded default,
            # and the worker's banner names its transport.
            embedded = STACKS[request.param] is None
            assert (var_dir / "ansim.sqlite3").exists() == embedded, stack.log_tail()
            transport = "filesystem://" if embedded else "amqp://"
            assert re.search(rf"transport: +{transport}", stack.log()), stack.log_tail()
            yield stack


def _serve(environment: dict[str, str], base_url: str, log_path: Path) -> Iterator[Stack]:
    with log_path.open("wb") as log:
        process = subprocess.Popen(["make", "-s", "run"], cwd=BASE_DIR, env=environment, stdout=log,
                                   stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                   start_new_session=True)
    stack = Stack(base_url=base_url, log_path=log_path, logins=[], password="")
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while not _ready(stack):
            if process.poll() is not None:
                pytest.fail(f"make run exited with {process.returncode}:\n{stack.log_tail()}")
            if time.monotonic() > deadline:
                pytest.fail(f"make run did not serve within {START_TIMEOUT} s:\n{stack.log_tail()}")
            time.sleep(0.25)
        output = stack.log()
        stack.logins = [(match["role"], match["email"]) for match in LOGIN_LINE.finditer(output)]
        password = PASSWORD_LINE.search(output)
        assert password and stack.logins, f"make run printed no demo logins:\n{stack.log_tail()}"
        stack.password = password["password"]
        yield stack
    finally:
        stopped = _stop(process)
    assert stopped, f"make run left processes running {STOP_TIMEOUT} s after SIGTERM:\n{stack.log_tail()}"


@pytest.fixture(autouse=True)
def _stack_stays_healthy(embedded_stack):
    """Fail the test if, while it ran, the stack answered anyone 5xx or a task failed for good."""
    start = embedded_stack.log_size()
    yield
    new = embedded_stack.log(start)
    problems = [match.group(0) for match in SERVER_ERROR_LINE.finditer(new)]
    problems += [match.group(0) for match in TASK_FAILURE_LINE.finditer(new)]
    assert not problems, "the stack failed while this test ran:\n" + "\n".join(problems)


@pytest.fixture(autouse=True)
def _fresh_cache():
    """The stack has its own file cache; this process's cache (Redis in the test run) is not used."""


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    stack = item.funcargs.get("embedded_stack") if hasattr(item, "funcargs") else None
    if report.failed and stack is not None:
        report.sections.append(("make run log (tail)", stack.log_tail(120)))
    return report
