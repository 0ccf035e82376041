"""Benchmark harness: runs bench/<app>.py modules against the real stack and prints one line per figure.

Usage: `run.py` runs every app module found, `run.py core masking` only those (core always first, since the
other apps state their figures as ratios of core's). Each module exposes `run(ctx) -> None` and reports
through `ctx.figure(...)`, which prints exactly one line per figure:

    figure <app>.<name> <value> <unit> goal=<goal> anchor=<what it is compared with>

The stack is the production one on this machine: gunicorn sync workers, PostgreSQL through its local socket
(database `ansim_bench`, or DATABASE_URL_BENCH), Redis for the cache, DEBUG off. Load comes from Debian's
wrk (closed loop, maximum throughput) or from `ctx.fixed_rate` (open loop, latency at a set rate). Every
target is on the loopback interface; every load loop is bounded by a request count and a deadline.
Progress goes to stderr so that stdout carries only the figure lines.
"""

from __future__ import annotations

import argparse
import atexit
import base64
import contextlib
import ctypes
import hashlib
import http.client
import importlib.util
import json
import math
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import NoReturn
from urllib.parse import urlsplit

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
VENV_BIN = ROOT / ".venv" / "bin"
WRK = "/usr/bin/wrk"

# Apps run in this order; any other bench/<name>.py runs after them, alphabetically.
APP_ORDER = ("core", "masking", "escrow", "bookings", "listings")
# Files in bench/ that are not benchmark modules.
NOT_APPS = {"run", "raw_wsgi"}
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}
HEALTH_PATH = "/healthz/"
SERVER_START_TIMEOUT_S = 60.0

# Fixed, made-up secrets: the bench database holds only synthetic rows and is never exposed.
BENCH_SECRET_KEY = "ansim-bench-only-secret-key-never-used-outside-bench-0123456789"
BENCH_FERNET_KEY = base64.urlsafe_b64encode(hashlib.sha256(b"ansim-bench-pii-key").digest()).decode()


SHED_CLASSES = ("TELEPHONY", "API", "HOOKS", "PAGES")


class BenchError(Exception):
    """A benchmark could not produce a trustworthy figure; the message says why."""


# CPU accounting: where a closed loop tops out is where the machine's CPU runs out, so a figure's anchor
# says how much CPU one request took from every process on the machine (server workers, PostgreSQL, Redis),
# not counting the load generator. /proc/stat's first line counts all cores in clock ticks.
_TICK_S = 1.0 / os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 0.01


def machine_busy_s() -> float:
    """CPU seconds every core has spent busy since boot (user, nice, system, irq, softirq); 0 off Linux."""
    try:
        with open("/proc/stat") as stat:
            fields = [int(value) for value in stat.readline().split()[1:8]]
    except OSError:
        return 0.0
    user, nice, system, _idle, _iowait, irq, softirq = fields
    return (user + nice + system + irq + softirq) * _TICK_S


def process_cpu_s(pid: int) -> float:
    """CPU seconds (user and system) process `pid` has used; 0 once it is gone."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            # The command name may hold spaces: the fields after it start past its closing parenthesis.
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) * _TICK_S


def own_cpu_s() -> float:
    """CPU seconds this process (the open-loop generator's thread included) has used."""
    return time.process_time()


def children_cpu_s() -> float:
    """CPU seconds of this process's waited-for children (wrk once subprocess.run has returned)."""
    import resource

    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def bench_env() -> dict[str, str]:
    """The environment of every subprocess: production settings pointed at the bench database."""
    env = dict(os.environ)
    # gunicorn reads these from the environment; the bench sets its flags explicitly instead.
    env.pop("GUNICORN_CMD_ARGS", None)
    env.pop("WEB_CONCURRENCY", None)
    env.update(
        DJANGO_SETTINGS_MODULE="trustplatform.settings",
        DATABASE_URL=os.environ.get("DATABASE_URL_BENCH") or "postgres:///ansim_bench",
        DEBUG="false",
        SECRET_KEY=BENCH_SECRET_KEY,
        ALLOWED_HOSTS="127.0.0.1,localhost",
        PII_ENCRYPTION_KEYS=BENCH_FERNET_KEY,
        PII_HASH_KEY="bench-hash-key",
        PAYMENTS_WEBHOOK_SECRET="bench-webhook-secret",
        PAYMENTS_SANDBOX_ALLOWED="true",  # the bench database is synthetic: a test server
        SECURE_SSL_REDIRECT="false",
        STATIC_MANIFEST="false",
        REDIS_URL="redis://127.0.0.1:6379/9",
        CELERY_BROKER_URL="amqp://guest:guest@127.0.0.1:5672//",
        LOG_LEVEL="WARNING",
        # Every bench request comes from 127.0.0.1: the production per-client limit would answer 429.
        API_ANON_RATE="100000000/second",
        API_USER_RATE="100000000/second",
        PYTHONUNBUFFERED="1",
        # Search figures measure the database and the page, not a cache hit on a repeated query.
        LISTINGS_SEARCH_CACHE_SECONDS="0",
    )
    # Capacity and latency figures run without load shedding: a closed loop of 32 connections on a few workers
    # keeps a standing queue of tens of milliseconds by construction, which production would partly answer
    # 503 (trustplatform/overload.py). The overload figures run on `Context.shedding_server`, which has the
    # production defaults.
    env.update({f"OVERLOAD_{kind}_BUDGET_MS": "0" for kind in SHED_CLASSES})
    return env


def worker_count() -> int:
    """One sync worker per core (at least 2), chosen by measurement: with PostgreSQL, Redis and the load
    generator on the same cores, 2 workers on 2 cores served more on every path measured (API read,
    webhooks, session opens, bookings) than 3, and 3 more than gunicorn's usual 2 * cores + 1 (README,
    Capacity): a worker waiting on PostgreSQL leaves its core to the PostgreSQL backend doing its work,
    and fewer processes switch less. BENCH_WORKERS overrides it (to compare counts)."""
    if os.environ.get("BENCH_WORKERS", "").isdigit() and int(os.environ["BENCH_WORKERS"]) > 0:
        return int(os.environ["BENCH_WORKERS"])
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        cores = os.cpu_count() or 1
    return max(2, cores)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _die_with_parent() -> None:
    """Runs in the gunicorn child before exec: even a SIGKILLed harness leaves no server behind (Linux)."""
    with contextlib.suppress(Exception):
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # 1 = PR_SET_PDEATHSIG


def local_url(url: str):
    """Split a URL and refuse anything not on this machine: load is only ever sent to loopback."""
    parts = urlsplit(url)
    if parts.scheme != "http" or parts.hostname not in LOCAL_HOSTS:
        raise BenchError(f"refusing to send load to {url!r}: only http://127.0.0.1 (or localhost) is allowed")
    return parts


def percentile(sorted_values: list[float], pct: float) -> float:
    """Nearest-rank percentile of an already sorted list (nan when empty)."""
    if not sorted_values:
        return math.nan
    rank = max(1, math.ceil(pct / 100 * len(sorted_values)))
    return sorted_values[min(rank, len(sorted_values)) - 1]


def format_value(value: float) -> str:
    if isinstance(value, int):
        return str(value)
    return f"{value:.1f}" if abs(value) >= 100 else f"{value:.2f}"


def log(message: str) -> None:
    print(f"bench: {message}", file=sys.stderr, flush=True)


# --- Load results -----------------------------------------------------------------------------------------


@dataclass
class WrkResult:
    """What wrk printed: throughput, its latency percentiles (ms) and the failed requests."""

    url: str
    requests: int
    duration_s: float
    rps: float
    latency_ms: dict[int, float]  # percentile -> ms, from --latency (50, 75, 90, 99)
    non_2xx_3xx: int = 0
    socket_errors: dict[str, int] = field(default_factory=dict)
    output: str = ""
    # CPU the machine spent during the run outside wrk itself, in seconds (0: not measured).
    server_cpu_s: float = 0.0

    @property
    def errors(self) -> int:
        return self.non_2xx_3xx + sum(self.socket_errors.values())

    @property
    def cpu_ms_per_request(self) -> float:
        """Machine CPU per request outside the load generator: workers, PostgreSQL, Redis, the kernel."""
        return 1000 * self.server_cpu_s / self.requests if self.requests else 0.0

    @property
    def p50(self) -> float:
        return self.latency_ms[50]

    @property
    def p99(self) -> float:
        return self.latency_ms[99]

    def check(self, label: str) -> WrkResult:
        """Fail the benchmark when any request failed: a throughput of error pages means nothing."""
        if self.requests == 0:
            raise BenchError(f"{label}: wrk completed no request against {self.url}")
        if self.errors:
            raise BenchError(
                f"{label}: {self.errors} of {self.requests} requests to {self.url} failed "
                f"(non-2xx/3xx {self.non_2xx_3xx}, socket errors {self.socket_errors})"
            )
        return self


@dataclass
class FixedRateResult:
    """An open-loop run: latency counted from each request's scheduled send time, in ms."""

    url: str
    target_rate: float
    scheduled: int
    latencies_ms: list[float]
    errors: int  # HTTP status >= 400, socket errors, timeouts, and requests never sent before the deadline
    dropped: int  # of which: never sent, because the generator fell behind past the deadline
    elapsed_s: float
    max_send_lag_ms: float  # how late the generator itself sent a request; large means the client saturated
    # How long each failed request took to fail, from its due time (refusals, timeouts; not the dropped).
    failure_latencies_ms: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)  # answers by HTTP status; 0: none (reset, timeout)
    # CPU the machine spent during the run outside this process (the generator), and the generator's own.
    server_cpu_s: float = 0.0
    generator_cpu_s: float = 0.0

    @property
    def generator_cores(self) -> float:
        return self.generator_cpu_s / self.elapsed_s if self.elapsed_s > 0 else 0.0

    def __post_init__(self) -> None:
        self._sorted = sorted(self.latencies_ms)

    @property
    def achieved_rate(self) -> float:
        return len(self.latencies_ms) / self.elapsed_s if self.elapsed_s > 0 else 0.0

    def percentile(self, pct: float) -> float:
        return percentile(self._sorted, pct)

    @property
    def p50(self) -> float:
        return self.percentile(50)

    @property
    def p95(self) -> float:
        return self.percentile(95)

    @property
    def p99(self) -> float:
        return self.percentile(99)

    def check(self, label: str) -> FixedRateResult:
        if not self.latencies_ms:
            raise BenchError(f"{label}: no request to {self.url} succeeded")
        if self.errors:
            raise BenchError(
                f"{label}: {self.errors} of {self.scheduled} requests to {self.url} failed "
                f"({self.dropped} never sent in time)"
            )
        return self


_UNIT_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}


def _wrk_time_ms(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m|h)", text)
    if not match:
        raise BenchError(f"cannot read wrk latency {text!r}")
    return float(match[1]) * _UNIT_MS[match[2]]


def parse_wrk(url: str, output: str) -> WrkResult:
    """Read requests/s, the --latency percentiles and the error counts from wrk's text report."""
    rps = re.search(r"^Requests/sec:\s+([\d.]+)", output, re.M)
    total = re.search(r"^\s*(\d+) requests in ([\d.]+)(us|ms|s|m|h)", output, re.M)
    if not rps or not total:
        raise BenchError(f"cannot read wrk's report for {url}:\n{output}")
    latency = {
        int(pct): _wrk_time_ms(value)
        for pct, value in re.findall(r"^\s+(\d+)%\s+([\d.]+(?:us|ms|s|m|h))\s*$", output, re.M)
    }
    if 99 not in latency:
        raise BenchError(f"wrk printed no latency distribution for {url}:\n{output}")
    socket_errors: dict[str, int] = {}
    errors_line = re.search(r"Socket errors: (.+)$", output, re.M)
    if errors_line:
        socket_errors = {k: int(v) for k, v in re.findall(r"(\w+) (\d+)", errors_line[1])}
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return WrkResult(
        url=url,
        requests=int(total[1]),
        duration_s=_wrk_time_ms(total[2] + total[3]) / 1000,
        rps=float(rps[1]),
        latency_ms=latency,
        non_2xx_3xx=int(non_2xx[1]) if non_2xx else 0,
        socket_errors=socket_errors,
        output=output,
    )


def lua_string(text: str) -> str:
    """A Lua string literal; bytes outside printable ASCII become decimal escapes, which LuaJIT reads."""
    out = []
    for byte in text.encode():
        char = chr(byte)
        out.append(char if 32 <= byte < 127 and char not in '"\\' else f"\\{byte:03d}")
    return '"' + "".join(out) + '"'


def encode_body(body, headers: dict[str, str] | None) -> tuple[bytes | None, dict[str, str]]:
    headers = dict(headers or {})
    if isinstance(body, dict | list):
        body = json.dumps(body)
        headers.setdefault("Content-Type", "application/json")
    if isinstance(body, str):
        body = body.encode()
    return body, headers


# --- Servers ----------------------------------------------------------------------------------------------


class Server:
    """A gunicorn master in its own process group, so that stopping it also stops every worker."""

    def __init__(self, name: str, proc: subprocess.Popen, port: int, log_path: Path) -> None:
        self.name = name
        self.proc = proc
        self.port = port
        self.log_path = log_path
        self.base_url = f"http://127.0.0.1:{port}"

    def url(self, path: str) -> str:
        return self.base_url + path

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    def stop(self) -> None:
        if self.proc.poll() is not None:
            return
        for sig, wait_s in ((signal.SIGTERM, 15), (signal.SIGKILL, 5)):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, sig)
            try:
                self.proc.wait(timeout=wait_s)
                return
            except subprocess.TimeoutExpired:
                continue


class Context:
    """What every benchmark module gets: the servers, the load generators, and the figures so far."""

    Error = BenchError  # for modules, which cannot import this script

    def __init__(self, *, verbose: bool = False) -> None:
        self.root = ROOT
        self.bench_dir = BENCH_DIR
        self.python = str(VENV_BIN / "python") if (VENV_BIN / "python").exists() else sys.executable
        self.gunicorn = str(VENV_BIN / "gunicorn")
        self.env = bench_env()
        self.workers = worker_count()
        self.verbose = verbose
        self.figures: dict[str, float] = {}
        self.tmp = Path(tempfile.mkdtemp(prefix="ansim-bench-"))
        self._servers: list[Server] = []
        self._app_server: Server | None = None
        self._db_ready = False
        self._closed = False

    def fail(self, message: str) -> NoReturn:
        """Stop the current module with a clear message; the run goes on with the others."""
        raise BenchError(message)

    # Figures ------------------------------------------------------------------------------------------

    def figure(self, app: str, name: str, value: float, unit: str, goal: str, anchor: str) -> None:
        """Print one figure on one line and keep its value for later modules' ratios."""
        key = f"{app}.{name}"
        self.figures[key] = value
        anchor = " ".join(str(anchor).split())  # one line, whatever the caller passed
        print(f"figure {key} {format_value(value)} {unit} goal={goal} anchor={anchor}", flush=True)

    # Database and Django ------------------------------------------------------------------------------

    def ensure_database(self) -> None:
        """Create the bench database when missing, then migrate it: once per run."""
        if self._db_ready:
            return
        import psycopg
        from psycopg import sql
        from psycopg.conninfo import conninfo_to_dict

        url = self.env["DATABASE_URL"]
        params = conninfo_to_dict(url)
        dbname = params.get("dbname")
        if not dbname:
            raise BenchError(f"the bench database URL names no database: {url}")
        # CREATE DATABASE runs from the maintenance database, outside any transaction.
        try:
            with psycopg.connect(**{**params, "dbname": "postgres"}, autocommit=True) as conn:
                exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [dbname]).fetchone()
                if not exists:
                    log(f"creating database {dbname}")
                    conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(dbname)))
        except psycopg.OperationalError as exc:
            raise BenchError(f"cannot reach PostgreSQL for {url}: {exc}") from exc
        log("migrating the bench database")
        self.manage("migrate", "--noinput")
        self._db_ready = True

    def manage(self, *args: str, timeout_s: float = 600) -> str:
        """Run manage.py in the bench environment; return its stdout, or fail with its stderr."""
        cmd = [self.python, str(ROOT / "manage.py"), *args]
        try:
            done = subprocess.run(cmd, cwd=ROOT, env=self.env, capture_output=True, text=True,
                                  timeout=timeout_s)
        except subprocess.TimeoutExpired as exc:
            raise BenchError(f"manage.py {args[0]} took more than {timeout_s:.0f} s") from exc
        if done.returncode != 0:
            raise BenchError(f"manage.py {' '.join(args[:1])} failed ({done.returncode}):\n"
                             f"{done.stdout[-2000:]}{done.stderr[-4000:]}")
        return done.stdout

    def django_shell(self, code: str) -> str:
        """Run a snippet through `manage.py shell -c` against the bench database; return its stdout."""
        self.ensure_database()
        return self.manage("shell", "-c", code)

    # Servers ------------------------------------------------------------------------------------------

    def start_gunicorn(self, app_spec: str, *, name: str, pythonpath: Path | None = None,
                       workers: int | None = None, env: dict[str, str] | None = None) -> Server:
        """Start gunicorn on a free loopback port and wait until /healthz/ answers 200."""
        port = free_port()
        # An explicit config file, so a gunicorn.conf.py in the project cannot change what is measured.
        conf = self.tmp / "gunicorn_bench_conf.py"
        if not conf.exists():
            conf.write_text("accesslog = None\nloglevel = 'warning'\n")
        cmd = [self.gunicorn, app_spec, "-c", str(conf), "-b", f"127.0.0.1:{port}",
               "-w", str(workers or self.workers), "--worker-class", "sync", "--log-level", "warning",
               "--preload"]
        if pythonpath:
            cmd += ["--pythonpath", str(pythonpath)]
        log_path = self.tmp / f"{name}.log"
        with open(log_path, "wb") as log_file:
            proc = subprocess.Popen(cmd, cwd=ROOT, env=env or self.env, stdin=subprocess.DEVNULL,
                                    stdout=log_file, stderr=subprocess.STDOUT, start_new_session=True,
                                    preexec_fn=_die_with_parent)
        server = Server(name, proc, port, log_path)
        self._servers.append(server)
        log(f"started {name}: gunicorn {app_spec} on 127.0.0.1:{port}, "
            f"{workers or self.workers} sync workers")
        self._wait_ready(server)
        return server

    @contextlib.contextmanager
    def celery_worker(self, queue: str, *, env: dict | None = None, processes: int = 2, idle: bool = False):
        """A Celery worker (prefork) consuming only `queue`, for as long as the block runs; `idle` gives it
        only the CPU time the web processes leave."""
        cmd = [self.python, "-m", "celery", "-A", "trustplatform", "worker", "-P", "prefork",
               "-c", str(processes), "-Q", queue, "--without-heartbeat", "--without-mingle",
               "--without-gossip", "-n", f"{queue}@%h", "--loglevel=WARNING"]
        if idle:
            # SCHED_IDLE: the worker runs only on CPU time nothing else wants, and a web process waking
            # up takes the CPU from it at once (a nice level alone lets it finish its time slice first).
            cmd = ["chrt", "--idle", "0", *cmd]
        log_path = self.tmp / f"worker-{queue}.log"
        with open(log_path, "wb") as log_file:
            worker = subprocess.Popen(cmd, cwd=ROOT, env={**self.env, **(env or {})},
                                      stdin=subprocess.DEVNULL, stdout=log_file, stderr=subprocess.STDOUT,
                                      start_new_session=True, preexec_fn=_die_with_parent)
        log(f"started a Celery worker on {queue} ({processes} processes{', idle priority' if idle else ''})")
        try:
            yield worker
        finally:
            try:
                os.killpg(worker.pid, signal.SIGTERM)
                worker.wait(15)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(worker.pid, signal.SIGKILL)
            self.queues_delete(queue)

    def queues_delete(self, *queues: str) -> None:
        """Delete a run's own broker queues with whatever they still hold, so that no run leaves messages."""
        import kombu

        try:
            with kombu.Connection(self.env["CELERY_BROKER_URL"], connect_timeout=5) as broker:
                for queue in queues:
                    broker.default_channel.queue_delete(queue)
        except Exception as exc:  # noqa: BLE001 (tidying up; the figures are already taken)
            log(f"could not delete the queues {queues}: {exc}")

    def _wait_ready(self, server: Server) -> None:
        deadline = time.monotonic() + SERVER_START_TIMEOUT_S
        last = "no answer"
        while time.monotonic() < deadline:
            if server.proc.poll() is not None:
                raise BenchError(f"{server.name} exited with {server.proc.returncode} while starting:\n"
                                 f"{server.log_tail()}")
            try:
                status, body = self.request("GET", server.url(HEALTH_PATH), timeout_s=2)
                if status == 200:
                    return
                last = f"HTTP {status}: {body[:200].decode(errors='replace')}"
            except (OSError, http.client.HTTPException) as exc:
                last = repr(exc)
            time.sleep(0.2)
        raise BenchError(f"{server.name}: GET {HEALTH_PATH} did not answer 200 within "
                         f"{SERVER_START_TIMEOUT_S:.0f} s (last: {last})\n{server.log_tail()}")

    @property
    def server(self) -> Server:
        """The project's gunicorn, started on first use and shared by every module of the run."""
        if self._app_server is None or self._app_server.proc.poll() is not None:
            self.ensure_database()
            self._app_server = self.start_gunicorn("trustplatform.wsgi:application", name="ansim")
        return self._app_server

    def shedding_server(self) -> Server:
        """A second gunicorn of the project with load shedding as production has it (the overload figures);
        stop it with `stop_server` when done, so that it takes no memory from the next figure."""
        self.ensure_database()
        env = {key: value for key, value in self.env.items()
               if key not in {f"OVERLOAD_{kind}_BUDGET_MS" for kind in SHED_CLASSES}}
        return self.start_gunicorn("trustplatform.wsgi:application", name="ansim-shedding", env=env)

    def overload_figures(self, app: str, prefix: str, path: str, rate: float, duration_s: float, make, *,
                         warm_make, what: str, served_goal_ms: float = 250, failed_goal: float = 0.05,
                         failure_goal_ms: float = 100, stored=None) -> None:
        """`rate` requests/s of `make(i)` (method, path, body, headers) for `duration_s` while busy loops take
        half the machine's cores, against a server with production load shedding; three figures:
        `<prefix>_p99_ms` of the served, `<prefix>_failed` (share) and `<prefix>_failure_p99_ms` (how fast a
        failure was answered). `warm_make(i)` gives the new workers' first requests (2 s at half the rate),
        then 2 s more whose CPU per request, with the machine to itself, sets the ceiling stated in the
        failed share's anchor (`overload_ceiling`); i < 2 * rate. The main server is stopped meanwhile (its
        workers would only take memory).
        `stored()`, when given, counts what the requests left in the database, before and after the measured
        run: the difference must be one effect per served request and none for a refused one (nothing
        accepted lost or applied twice)."""
        cores = max(1, (os.cpu_count() or 2) // 2)
        self.stop_server(self.server)
        server = self.shedding_server()
        try:
            # The new workers' first requests (imports, connections), then the calm cost per request.
            self.fixed_rate(server.url(path), rate / 2, 2, concurrency=64, request_for=warm_make)
            warm = self.fixed_rate(server.url(path), rate / 2, 2, concurrency=64,
                                   request_for=lambda i: warm_make(int(rate) + i))
            baseline = stored() if stored is not None else 0
            # Another tenant of the machine, at normal priority.
            hogs = [subprocess.Popen([sys.executable, "-c", "while True:\n    pass"],
                                     stdin=subprocess.DEVNULL) for _ in range(cores)]
            hogs_started = time.monotonic()
            try:
                result = self.fixed_rate(server.url(path), rate, duration_s, request_for=make, concurrency=64)
            finally:
                hogs_cpu = sum(process_cpu_s(hog.pid) for hog in hogs)
                hogs_s = max(time.monotonic() - hogs_started, 1e-9)
                for hog in hogs:
                    hog.kill()
                    hog.wait()
        finally:
            self.stop_server(server)
        ceiling = overload_ceiling(warm, result, hogs_cpu / hogs_s, rate)
        failures = sorted(result.failure_latencies_ms)
        failure_p99 = percentile(failures, 99) if failures else 0.0
        setup = (f"{rate:g} {what}/s for {duration_s:g} s, {cores} of {os.cpu_count()} cores taken by busy "
                 f"loops; {self.workers} sync workers, shedding as in production")
        served_p99 = result.p99 if result.latencies_ms else float("inf")
        self.figure(app, f"{prefix}_p99_ms", served_p99, "ms", f"<={served_goal_ms:g}",
                    f"served requests ({len(result.latencies_ms)} of {result.scheduled}, "
                    f"{result.achieved_rate:.0f}/s); {setup}; generator's worst send lag "
                    f"{result.max_send_lag_ms:.0f} ms")
        answers = ", ".join(f"{status or 'none'}: {count}"
                            for status, count in sorted(result.statuses.items()))
        self.figure(app, f"{prefix}_failed", result.errors / result.scheduled, "share", f"<={failed_goal:g}",
                    f"{result.errors} of {result.scheduled} failed or never answered "
                    f"({result.dropped} never sent; answers by status {answers}); {setup}; {ceiling}")
        self.figure(app, f"{prefix}_failure_p99_ms", failure_p99, "ms", f"<={failure_goal_ms:g}",
                    f"time to the answer of a failed request, p99 of {len(failures)}; {setup}")
        if stored is not None:
            kept, served = stored() - baseline, len(result.latencies_ms)
            log(f"{app}.{prefix}: {kept} stored for {served} served of {result.scheduled}")
            if kept != served:
                self.fail(f"{app}.{prefix}: {served} requests were served but {kept} left their effect: an "
                          f"accepted request was lost or applied twice, or a refused one changed something")

    def stop_server(self, server: Server) -> None:
        server.stop()
        if server in self._servers:
            self._servers.remove(server)
        if server is self._app_server:
            self._app_server = None

    def close(self) -> None:
        """Stop every server this run started; safe to call twice (finally, then atexit)."""
        if self._closed:
            return
        self._closed = True
        for server in reversed(self._servers):
            server.stop()
        self._servers.clear()
        shutil.rmtree(self.tmp, ignore_errors=True)

    # Requests and load --------------------------------------------------------------------------------

    def request(self, method: str, url: str, body=None, headers: dict[str, str] | None = None,
                timeout_s: float = 10) -> tuple[int, bytes]:
        """One request on a fresh connection: for setup and for checking an endpoint before loading it."""
        parts = local_url(url)
        payload, headers = encode_body(body, headers)
        conn = http.client.HTTPConnection(parts.hostname, parts.port or 80, timeout=timeout_s)
        try:
            conn.request(method, parts.path + (f"?{parts.query}" if parts.query else ""), body=payload,
                         headers=headers)
            resp = conn.getresponse()
            return resp.status, resp.read()
        finally:
            conn.close()

    def expect_ok(self, url: str, label: str, **kwargs) -> bytes:
        """Fail clearly when the endpoint a figure is about does not answer 200 before loading it."""
        try:
            status, body = self.request(kwargs.pop("method", "GET"), url, **kwargs)
        except (OSError, http.client.HTTPException) as exc:
            raise BenchError(f"{label}: {url} did not answer: {exc!r}") from exc
        if status != 200:
            raise BenchError(f"{label}: {url} answered HTTP {status}, not 200: "
                             f"{body[:300].decode(errors='replace')}")
        return body

    def wrk(self, url: str, duration_s: float, connections: int, threads: int, rate: float | None = None,
            *, method: str = "GET", body=None, headers: dict[str, str] | None = None):
        """Closed-loop load with wrk (maximum throughput). Debian's wrk has no fixed-rate mode: with `rate`,
        this runs `fixed_rate` instead and returns its FixedRateResult."""
        if rate is not None:
            return self.fixed_rate(url, rate, duration_s, method=method, body=body, headers=headers,
                                   concurrency=connections)
        local_url(url)
        if not os.access(WRK, os.X_OK):
            raise BenchError(f"{WRK} not found: install it with `apt-get install wrk`")
        threads = max(1, min(threads, connections))
        cmd = [WRK, "--latency", "-d", f"{max(1, round(duration_s))}s", "-c", str(connections),
               "-t", str(threads)]
        payload, headers = encode_body(body, headers)
        if method != "GET" or payload is not None or headers:
            # wrk sets method, body and headers only from a Lua script.
            script = self.tmp / f"wrk_{abs(hash((method, payload, tuple(sorted(headers.items())))))}.lua"
            lines = [f"wrk.method = {lua_string(method)}"]
            if payload is not None:
                lines.append(f"wrk.body = {lua_string(payload.decode())}")
            lines += [f"wrk.headers[{lua_string(k)}] = {lua_string(v)}" for k, v in headers.items()]
            script.write_text("\n".join(lines) + "\n")
            cmd += ["-s", str(script)]
        cmd.append(url)
        busy, generator = machine_busy_s(), children_cpu_s()
        try:
            done = subprocess.run(cmd, capture_output=True, text=True, timeout=duration_s + 60)
        except subprocess.TimeoutExpired as exc:
            raise BenchError(f"wrk against {url} did not finish in {duration_s + 60:.0f} s") from exc
        busy, generator = machine_busy_s() - busy, children_cpu_s() - generator
        if done.returncode != 0:
            raise BenchError(f"wrk failed ({done.returncode}): {done.stderr or done.stdout}")
        if self.verbose:
            print(done.stdout, file=sys.stderr)
        result = parse_wrk(url, done.stdout)
        result.server_cpu_s = max(0.0, busy - generator)
        return result

    def fixed_rate(self, url: str, rate_per_s: float, duration_s: float, method: str = "GET", body=None,
                   headers: dict[str, str] | None = None, *, concurrency: int = 32,
                   timeout_s: float = 10.0, request_for=None) -> FixedRateResult:
        """Open-loop load: request i is due at start + i/rate, sent on its own connection (at most
        `concurrency` in flight) by one thread with non-blocking sockets (`_open_loop`).

        Every request is `method` `url` with `body` and `headers`, unless `request_for(i)` gives request
        i its own `(method, path, body, headers)` (a new signed event, another search); those are built
        before the clock starts.

        Latency runs from the due time, not the send time, so a server that falls behind is charged for
        the queue it causes (no coordinated omission). Bounded by count (rate*duration requests) and by a
        deadline (duration + timeout + 5 s); requests still unsent at the deadline count as errors.
        """
        parts = local_url(url)
        if rate_per_s <= 0 or duration_s <= 0:
            raise BenchError("fixed_rate needs a positive rate and duration")
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        payload, headers = encode_body(body, headers)
        total = max(1, int(rate_per_s * duration_s))
        prepared = None
        if request_for is not None:
            prepared = []
            for index in range(total):
                each_method, each_path, each_body, each_headers = request_for(index)
                prepared.append((each_method, each_path, *encode_body(each_body, each_headers)))
        interval = 1.0 / rate_per_s
        host = f"{parts.hostname}:{parts.port or 80}"
        requests = []
        for index in range(total):
            each = prepared[index] if prepared is not None else (method, path, payload, headers)
            requests.append(_request_bytes(host, *each))
        start = time.monotonic() + 0.1
        deadline = start + duration_s + timeout_s + 5
        busy, generator = machine_busy_s(), own_cpu_s()
        outcome = _open_loop(requests, (parts.hostname, parts.port or 80), start, interval, deadline,
                             concurrency=max(1, min(concurrency, total)), timeout_s=timeout_s)
        busy, generator = machine_busy_s() - busy, own_cpu_s() - generator
        elapsed = max(time.monotonic() - start, 1e-9)
        unfinished = max(0, total - len(outcome.latencies) - outcome.errors - outcome.dropped)
        return FixedRateResult(
            url=url, target_rate=rate_per_s, scheduled=total, latencies_ms=outcome.latencies,
            errors=outcome.errors + outcome.dropped + unfinished, dropped=outcome.dropped + unfinished,
            elapsed_s=elapsed, max_send_lag_ms=outcome.lag * 1000,
            failure_latencies_ms=outcome.failure_latencies, statuses=outcome.statuses,
            server_cpu_s=max(0.0, busy - generator), generator_cpu_s=generator,
        )


def overload_ceiling(calm: FixedRateResult, busy: FixedRateResult, hogs_cores: float, rate: float) -> str:
    """What the machine could serve at most under the busy loops, from the CPU one request took without them.

    `calm` ran at half the rate with the machine to itself, after the new workers' first requests: the
    CPU every process but the generator spent, per served request. Under load the
    service has the machine's cores less what the busy loops (`hogs_cores`, measured) and the generator
    took; that, divided by the CPU per request, is the most it can serve: no queue, timeout or shedding
    policy serves more. Below the failure goal's complement, the goal is out of reach at this request cost.
    """
    served = len(calm.latencies_ms)
    if not served or not calm.server_cpu_s:
        return "CPU per request not measured"
    per_request_s = calm.server_cpu_s / served
    cores = os.cpu_count() or 1
    left = max(0.0, cores - hogs_cores - busy.generator_cores)
    most = left / per_request_s
    return (f"CPU limit: {1000 * per_request_s:.2f} ms of machine CPU per request without the busy loops "
            f"(workers, PostgreSQL, Redis, kernel), {cores} cores less {hogs_cores:.2f} taken by the busy "
            f"loops and {busy.generator_cores:.2f} by the generator leave {left:.2f}: about {most:.0f}/s, "
            f"{min(1.0, most / rate):.2f} of the {rate:g}/s sent")


def _request_bytes(host: str, method: str, path: str, payload: bytes | None,
                   headers: dict[str, str]) -> bytes:
    lines = [f"{method} {path} HTTP/1.1", f"Host: {host}", "Connection: close"]
    lines += [f"{name}: {value}" for name, value in headers.items()
              if name.lower() not in ("host", "connection", "content-length")]
    if payload is not None or method in ("POST", "PUT", "PATCH"):
        lines.append(f"Content-Length: {len(payload or b'')}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + (payload or b"")


@dataclass
class _OpenLoopOutcome:
    latencies: list[float] = field(default_factory=list)
    failure_latencies: list[float] = field(default_factory=list)
    errors: int = 0
    dropped: int = 0
    lag: float = 0.0
    statuses: dict[int, int] = field(default_factory=dict)  # 0: no answer (refused, reset, timed out)


class _Exchange:
    """One request on its own connection (the sync workers close each one): connect, send, read the answer."""

    __slots__ = ("due", "sent_at", "sock", "out", "buf", "header_end", "length", "status")

    def __init__(self, due: float, data: bytes, address) -> None:
        self.due, self.sent_at, self.out, self.buf = due, time.monotonic(), memoryview(data), bytearray()
        self.header_end, self.length, self.status = -1, None, 0
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setblocking(False)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.sock.connect_ex(address)

    def write(self) -> bool:
        """Send what is left; True once all of it is sent (or the connection failed: read finds out)."""
        try:
            sent = self.sock.send(self.out)
        except BlockingIOError:
            return False
        except OSError:
            return True
        self.out = self.out[sent:]
        return not self.out

    def read(self) -> bool | None:
        """Read what arrived; True when the answer is complete, None when the connection failed."""
        try:
            chunk = self.sock.recv(65536)
        except BlockingIOError:
            return False
        except OSError:
            return None
        if not chunk:
            return True if self.status else None
        self.buf += chunk
        if self.header_end < 0:
            end = self.buf.find(b"\r\n\r\n")
            if end < 0:
                return False
            self.header_end = end + 4
            head = bytes(self.buf[:end]).decode("latin-1").split("\r\n")
            try:
                self.status = int(head[0].split(" ", 2)[1])
            except (IndexError, ValueError):
                return None
            for line in head[1:]:
                name, _sep, value = line.partition(":")
                if name.strip().lower() == "content-length":
                    self.length = int(value.strip())
        # Done when the declared body is in: closing now sends our FIN, which a lingering server waits for.
        return self.length is not None and len(self.buf) - self.header_end >= self.length


def _open_loop(requests: list[bytes], address, start: float, interval: float, deadline: float, *,
               concurrency: int, timeout_s: float) -> _OpenLoopOutcome:
    """Send request i at start + i*interval from one thread with non-blocking sockets: a thread per connection
    costs the machine several times the CPU, which under contention the server being measured would lose."""
    import selectors

    outcome = _OpenLoopOutcome()
    selector = selectors.DefaultSelector()
    in_flight: dict[int, _Exchange] = {}
    total, next_index = len(requests), 0
    last_sweep = time.monotonic()

    def finish(exchange: _Exchange, ok: bool) -> None:
        with contextlib.suppress(KeyError, ValueError):
            selector.unregister(exchange.sock)
        exchange.sock.close()
        del in_flight[id(exchange)]
        took = (time.monotonic() - exchange.due) * 1000
        status = exchange.status if ok else 0
        outcome.statuses[status] = outcome.statuses.get(status, 0) + 1
        if ok and exchange.status < 400:
            outcome.latencies.append(took)
        else:
            outcome.errors += 1
            outcome.failure_latencies.append(took)

    while next_index < total or in_flight:
        now = time.monotonic()
        if now > deadline + timeout_s:
            break
        while next_index < total and len(in_flight) < concurrency:
            due = start + next_index * interval
            if due > now:
                break
            if now > deadline:
                outcome.dropped += total - next_index
                next_index = total
                break
            outcome.lag = max(outcome.lag, now - due)
            exchange = _Exchange(due, requests[next_index], address)
            in_flight[id(exchange)] = exchange
            selector.register(exchange.sock, selectors.EVENT_WRITE, exchange)
            next_index += 1
        if now - last_sweep > 0.05:
            last_sweep = now
            for exchange in [e for e in in_flight.values() if now - e.sent_at > timeout_s]:
                finish(exchange, False)
        if next_index < total and len(in_flight) < concurrency:
            wait = min(max(0.0, start + next_index * interval - time.monotonic()), 0.05)
        else:
            wait = 0.05
        if not in_flight:
            time.sleep(wait)
            continue
        for key, mask in selector.select(wait):
            exchange = key.data
            if id(exchange) not in in_flight:
                continue
            if mask & selectors.EVENT_WRITE:
                if exchange.write():
                    selector.modify(exchange.sock, selectors.EVENT_READ, exchange)
                continue
            done = exchange.read()
            if done is None:
                finish(exchange, False)
            elif done:
                finish(exchange, True)
    for exchange in list(in_flight.values()):  # past the deadline: failed
        finish(exchange, False)
    selector.close()
    return outcome


# --- Discovery and main -----------------------------------------------------------------------------------


def discover() -> list[str]:
    """Every bench/<app>.py that is a benchmark module, in APP_ORDER then alphabetical order."""
    names = {p.stem for p in BENCH_DIR.glob("*.py")
             if p.stem.isidentifier() and not p.stem.startswith("_") and p.stem not in NOT_APPS}
    return [n for n in APP_ORDER if n in names] + sorted(names - set(APP_ORDER))


def load(app: str) -> ModuleType:
    # Loaded by path under a prefixed name, so bench/core.py cannot clash with any installed `core`.
    spec = importlib.util.spec_from_file_location(f"ansim_bench_{app}", BENCH_DIR / f"{app}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    if not callable(getattr(module, "run", None)):
        raise BenchError(f"bench/{app}.py has no run(ctx) function")
    return module


def requirements(app: str, module: ModuleType) -> tuple[str, ...]:
    """Apps other than core compare with core's figures unless they say `REQUIRES = ()`."""
    return tuple(getattr(module, "REQUIRES", () if app == "core" else ("core",)))


def plan(requested: list[str], available: list[str]) -> tuple[list[str], dict[str, ModuleType]]:
    unknown = [a for a in requested if a not in available]
    if unknown:
        raise BenchError(f"no benchmark module for {', '.join(unknown)}; "
                         f"available: {', '.join(available) or 'none'}")
    wanted = list(dict.fromkeys(requested or available))
    modules: dict[str, ModuleType] = {}
    pending = list(wanted)
    while pending:  # bounded: each app is loaded once and there are finitely many
        app = pending.pop()
        if app in modules:
            continue
        if app not in available:
            raise BenchError(f"a benchmark needs bench/{app}.py, which does not exist")
        modules[app] = load(app)
        pending.extend(requirements(app, modules[app]))
    ordered = [a for a in available if a in modules]
    return ordered, modules


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("apps", nargs="*", help="apps to benchmark (default: every bench/<app>.py)")
    parser.add_argument("--list", action="store_true", help="list the benchmark modules and exit")
    parser.add_argument("-v", "--verbose", action="store_true", help="echo wrk's full reports to stderr")
    args = parser.parse_args(argv)

    available = discover()
    if args.list:
        print("\n".join(available))
        return 0
    if not os.access(WRK, os.X_OK):
        print(f"bench: {WRK} not found. Install the load generator with: apt-get install wrk",
              file=sys.stderr)
        return 2
    try:
        order, modules = plan(args.apps, available)
    except BenchError as exc:
        print(f"bench: {exc}", file=sys.stderr)
        return 2

    # SIGTERM (e.g. from make's parent or CI) unwinds like Ctrl-C, so the finally below stops the servers.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    ctx = Context(verbose=args.verbose)
    atexit.register(ctx.close)
    failed: list[str] = []
    try:
        log(f"running {', '.join(order)} with {ctx.workers} gunicorn workers")
        for app in order:
            blocked = [req for req in requirements(app, modules[app]) if req in failed]
            if blocked:
                log(f"{app}: skipped, it needs {', '.join(blocked)}, which failed")
                failed.append(app)
                continue
            started = time.monotonic()
            try:
                modules[app].run(ctx)
            except BenchError as exc:
                print(f"bench: {app} FAILED: {exc}", file=sys.stderr, flush=True)
                failed.append(app)
                continue
            except Exception:  # a bug in one module should not hide the others' figures
                traceback.print_exc()
                print(f"bench: {app} FAILED with the error above", file=sys.stderr, flush=True)
                failed.append(app)
                continue
            log(f"{app} done in {time.monotonic() - started:.0f} s")
    except KeyboardInterrupt:
        print("bench: interrupted", file=sys.stderr)
        return 130
    finally:
        ctx.close()
    if failed:
        print(f"bench: failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
