"""Escrow: what a ledger transfer through the service API costs, against pgbench on the same PostgreSQL.

`escrow.transfer_tps_ratio` is the rate at which 8 client processes commit
`trustplatform.ledger.services.ledger_transfer` calls between accounts drawn at random from a pool of funded
accounts (like TPC-B's accounts), divided by pgbench's built-in TPC-B-like transactions/s with 8 clients,
both measured in this run against the same PostgreSQL. pgbench's transaction (three balance UPDATEs, a
SELECT and a history INSERT, from a C client) is the physical limit of this machine for a balance-updating
transaction, so the ratio means the same on a faster or slower machine. `escrow.hot_account_tps_ratio` is
the same with every transaction also paying a fee into one shared fee account: a transfer and a fee transfer
in one `transaction.atomic()`, counted as one transaction. Like platform-fee-revenue, that account queues
its credits (folded into its balance by a beat task), so the fee never waits on the one shared row. After
the load, `ledger_reconcile()` must find nothing, or the module fails.

This file is also the Django-side driver: the harness runs `python bench/escrow.py <command>` in the bench
environment (production settings on the bench database). It is not a separate bench/<name>.py, which
run.py would take for a benchmark module. A command prints one `ESCROW_RESULT <json>` line on stdout and
its progress on stderr. To add a figure (e.g. `escrow.simulation_seeds`), add a command to COMMANDS and a
step to STEPS.
"""

from __future__ import annotations

import glob
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

REQUIRES = ()  # the anchor is pgbench, measured here, not core's figures

CLIENTS = 8
DURATION_S = 15
POOL_SIZE = 10_000  # funded accounts the transfers draw from, like TPC-B's accounts
PGBENCH_DB = "ansim_pgbench"
PGBENCH_SCALE = 8
PGBENCH_THREADS = 2

TRANSFER_GOAL = 0.5
HOT_GOAL = 0.3

# Bench-only ledger accounts; codes are stable so that every run reuses them.
POOL_PREFIX = "bench-pool-"
OUTSIDE_CODE = "bench-outside"  # funds the pool, may go negative (like platform-psp-clearing)
FEE_CODE = "bench-fee-revenue"  # the one shared fee account (like platform-fee-revenue)
FUNDING_KRW = 1_000_000_000  # per pool account: a random walk of bench transfers never drains it
MAX_AMOUNT_KRW = 10_000
FEE_PERCENT = 3

MAX_OPS_PER_CLIENT = 1_000_000  # the count bound of each client's loop, besides the deadline
SETUP_DEADLINE_S = 90.0  # funding a fresh pool; a later run continues where this one stopped
PROFILE_OPS = 300
PROFILE_S = 3.0
RESULT_TAG = "ESCROW_RESULT "
LOCAL_HOSTS = {"", "localhost", "127.0.0.1", "::1"}

ROOT = Path(__file__).resolve().parent.parent


def _log(message: str) -> None:
    print(f"bench: escrow: {message}", file=sys.stderr, flush=True)


# =========================================================================================================
# Harness side: runs inside bench/run.py, standard library (and psycopg, as run.py) only.
# =========================================================================================================


def run(ctx) -> None:
    ctx.ensure_database()
    state: dict = {}
    for step in STEPS:
        step(ctx, state)


def _driver(ctx, command: str, args: dict, timeout_s: float) -> dict:
    """Run `bench/escrow.py <command>` in the bench environment and return its result."""
    cmd = [ctx.python, str(Path(__file__).resolve()), command, json.dumps(args)]
    try:
        # stderr is inherited: the driver's progress shows up live, like the harness's own.
        done = subprocess.run(cmd, cwd=ctx.root, env=ctx.env, stdout=subprocess.PIPE, stderr=None,
                              text=True, timeout=timeout_s)
    except subprocess.TimeoutExpired as exc:
        raise ctx.Error(f"`escrow.py {command}` took more than {timeout_s:.0f} s") from exc
    results = [line[len(RESULT_TAG):] for line in done.stdout.splitlines() if line.startswith(RESULT_TAG)]
    if done.returncode != 0 or not results:
        ctx.fail(f"`escrow.py {command}` failed ({done.returncode}); its output:\n{done.stdout[-3000:]}")
    result = json.loads(results[-1])
    if result.get("error"):
        ctx.fail(f"`escrow.py {command}`: {result['error']}")
    return result


# --- pgbench, the anchor -----------------------------------------------------------------------------------


def _pgbench_binary(ctx) -> str:
    def version(path: str) -> tuple[int, ...]:
        match = re.search(r"/postgresql/([\d.]+)/", path)
        return tuple(int(p) for p in match[1].split(".")) if match else (0,)

    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pgbench"), key=version)
    if found:
        return found[-1]
    path = shutil.which("pgbench")
    if not path:
        ctx.fail("pgbench not found (looked in /usr/lib/postgresql/*/bin and PATH): "
                 "apt-get install postgresql-contrib")
    return path


def _server_params(ctx) -> dict:
    """host/port/user of the bench database, refused unless the server is on this machine."""
    from psycopg.conninfo import conninfo_to_dict

    params = conninfo_to_dict(ctx.env["DATABASE_URL"])
    host = params.get("host") or ""
    if not (host in LOCAL_HOSTS or host.startswith("/")):
        ctx.fail(f"refusing to run pgbench against {host!r}: only a local PostgreSQL is measured")
    return {k: v for k, v in params.items() if k in ("host", "port", "user", "password") and v}


def _pgbench_ready(params: dict) -> bool:
    import psycopg

    try:
        with psycopg.connect(**params, dbname=PGBENCH_DB, autocommit=True, connect_timeout=10) as conn:
            branches = conn.execute("SELECT count(*) FROM pgbench_branches").fetchone()[0]
            accounts = conn.execute("SELECT count(*) FROM pgbench_accounts").fetchone()[0]
    except psycopg.Error:
        return False
    return branches == PGBENCH_SCALE and accounts == PGBENCH_SCALE * 100_000


def _pgbench_prepare(ctx, pgbench: str, params: dict, flags: list[str]) -> None:
    """Create the pgbench database and initialise it at PGBENCH_SCALE, once (reused by later runs)."""
    import psycopg
    from psycopg import sql

    if _pgbench_ready(params):
        return
    with psycopg.connect(**params, dbname="postgres", autocommit=True, connect_timeout=10) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [PGBENCH_DB]).fetchone():
            _log(f"creating database {PGBENCH_DB}")
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(PGBENCH_DB)))
    _log(f"initialising {PGBENCH_DB} with pgbench -i -s {PGBENCH_SCALE}")
    try:
        done = subprocess.run([pgbench, "-i", "-q", "-s", str(PGBENCH_SCALE), *flags, PGBENCH_DB],
                              capture_output=True, text=True, timeout=180, env=ctx.env)
    except subprocess.TimeoutExpired as exc:
        raise ctx.Error("pgbench -i took more than 180 s") from exc
    if done.returncode != 0:
        ctx.fail(f"pgbench -i failed ({done.returncode}):\n{done.stderr[-2000:]}")


def measure_pgbench(ctx, state: dict) -> None:
    pgbench = _pgbench_binary(ctx)
    params = _server_params(ctx)
    flags = []
    for key, flag in (("host", "-h"), ("port", "-p"), ("user", "-U")):
        if params.get(key):
            flags += [flag, str(params[key])]
    _pgbench_prepare(ctx, pgbench, params, flags)
    # The default script is TPC-B-like; without -n pgbench first vacuums its tables and empties its
    # history, so every run starts from the same state.
    cmd = [pgbench, "-c", str(CLIENTS), "-j", str(PGBENCH_THREADS), "-T", str(DURATION_S), *flags, PGBENCH_DB]
    _log(f"pgbench: {' '.join(cmd[1:])}")
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=DURATION_S + 120, env=ctx.env)
    except subprocess.TimeoutExpired as exc:
        raise ctx.Error(f"pgbench did not finish in {DURATION_S + 120} s") from exc
    out = done.stdout + done.stderr
    tps = re.search(r"^tps = ([\d.]+) \(without initial connection time\)", out, re.M)
    failed = re.search(r"^number of failed transactions: (\d+)", out, re.M)
    if done.returncode != 0 or not tps:
        ctx.fail(f"pgbench failed ({done.returncode}) or printed no tps:\n{out[-2000:]}")
    if failed and int(failed[1]):
        ctx.fail(f"pgbench reported {failed[1]} failed transactions:\n{out[-2000:]}")
    version = subprocess.run([pgbench, "--version"], capture_output=True, text=True).stdout.strip()
    state["pgbench_tps"] = float(tps[1])
    state["pgbench_label"] = (f"{version} TPC-B-like, -c {CLIENTS} -j {PGBENCH_THREADS} -T {DURATION_S}, "
                              f"scale {PGBENCH_SCALE}")
    _log(f"pgbench: {state['pgbench_tps']:.1f} tps")
    if ctx.verbose:
        print(out, file=sys.stderr)


# --- The ledger under load ----------------------------------------------------------------------------------


def measure_ledger(ctx, state: dict) -> None:
    args = {"clients": CLIENTS, "duration_s": DURATION_S, "pool": POOL_SIZE}
    # Setup (first run: funding the pool), two load phases with process start-up, a profile, reconciles.
    result = _driver(ctx, "ledger", args, timeout_s=SETUP_DEADLINE_S + 2 * DURATION_S + 180)
    pg_tps = state["pgbench_tps"]
    plain, hot, profile = result["plain"], result["hot"], result["profile"]
    for label, r in (("ledger_transfer", plain), ("transfer+fee", hot)):
        _log(f"{label}: {r['tps']:.1f} tps ({r['committed']} in {r['elapsed_s']:.1f} s, per client "
             f"{r['per_client']}), client CPU {r['client_cpu_ms']:.2f} ms per transaction under load")
    for mode in ("plain", "hot"):
        _log(f"profile {mode}: {_profile_text(profile[mode])}")
        _log(f"profile {mode} statements: {' | '.join(profile[mode]['statements'])}")
        _log(f"profile {mode} ms per operation by statement kind: " + ", ".join(
            f"{kind} {ms:.2f}" for kind, ms in profile[mode]["per_kind_ms"].items()))
    problems = result["reconcile"]
    if problems:
        ctx.fail(f"ledger_reconcile() found {len(problems)} discrepancies after the load "
                 f"(throughput {plain['tps']:.1f} / {hot['tps']:.1f} tps not reported): "
                 + "; ".join(problems[:10]))
    setup = (f"{CLIENTS} client processes x {DURATION_S} s, random pairs of {POOL_SIZE:,} funded accounts, "
             f"unique idempotency keys, PostgreSQL on this machine")
    anchor = f"{state['pgbench_label']}: {pg_tps:.1f} tps"
    ctx.figure("escrow", "transfer_tps_ratio", plain["tps"] / pg_tps, "xpgbench", f">={TRANSFER_GOAL:.2f}",
               f"{anchor}; ledger_transfer {plain['tps']:.1f} tps ({setup}); per transfer "
               f"{_profile_text(profile['plain'])}; ledger reconciles")
    ctx.figure("escrow", "hot_account_tps_ratio", hot["tps"] / pg_tps, "xpgbench", f">={HOT_GOAL:.2f}",
               f"{anchor}; transfer + {FEE_PERCENT}% fee into one shared queued-credits account in one "
               "transaction "
               f"{hot['tps']:.1f} tps ({setup}); per pair {_profile_text(profile['hot'])}; ledger reconciles")


def _profile_text(p: dict) -> str:
    return (f"{p['round_trips']} round trips ({p['queries']} statements between BEGIN and COMMIT), "
            f"single client {p['total_ms']:.2f} ms = SQL {p['sql_ms']:.2f} + COMMIT {p['commit_ms']:.2f} "
            f"+ Python {p['python_ms']:.2f} ms (client CPU {p['client_cpu_ms']:.2f} ms)")


SIMULATION_SEEDS = 1000
SIMULATION_STEPS = 14


def measure_simulation(ctx, state: dict) -> None:
    """escrow.simulation_seeds: seeded whole-platform money runs with every invariant holding."""
    args = {"seeds": SIMULATION_SEEDS, "steps": SIMULATION_STEPS, "processes": os.cpu_count() or 2}
    # Its own small database: each step reconciles the whole ledger, which the load figures above grow.
    bench_env = ctx.env
    ctx.env = {**bench_env, "DATABASE_URL": "postgres:///ansim_bench_simulation"}
    try:
        subprocess.run(["createdb", "ansim_bench_simulation"], capture_output=True)
        subprocess.run([ctx.python, "manage.py", "migrate", "--noinput", "-v0"], cwd=ctx.root, env=ctx.env,
                       check=True)
        result = _driver(ctx, "simulation", args, timeout_s=3600)
    finally:
        ctx.env = bench_env
    if result["broken"]:
        ctx.fail(f"{len(result['broken'])} simulation seeds broke an invariant, e.g. {result['broken'][:3]}")
    ctx.figure("escrow", "simulation_seeds", result["passed"], "seeds", f">={SIMULATION_SEEDS}",
               f"the simulation: {SIMULATION_STEPS} random steps per seed (funding with duplicate and "
               f"racing webhooks, releases, registry liens, disputes with four-eyes, claims, payouts, "
               f"workers killed before commit and redelivered after), ledger reconciled after every step; "
               f"{result['elapsed_s']:.0f} s on {args['processes']} processes")


# The module's figures, in order; each step may use what earlier ones left in `state`.
STEPS = (measure_pgbench, measure_ledger, measure_simulation)


# =========================================================================================================
# Driver side: `python bench/escrow.py <command> '<json args>'` in the bench environment (Django).
# =========================================================================================================


def _django_setup() -> None:
    # Run as a script, this file's folder comes first on sys.path, where `escrow` would be this file.
    here = Path(__file__).resolve().parent
    sys.path[:] = [str(ROOT)] + [p for p in sys.path if Path(p or ".").resolve() != here]
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "trustplatform.settings")
    import django

    django.setup()


def _ensure_pool(size: int) -> tuple[list, object]:
    """The pool of funded accounts and the fee account, created and funded once (idempotent)."""
    from django.db import connection, transaction

    from trustplatform.ledger.models import LedgerAccount, Transfer
    from trustplatform.ledger.services import account_open, ledger_transfer

    started = time.monotonic()
    outside = account_open(code=OUTSIDE_CODE, name="Bench: outside world", kind=LedgerAccount.Kind.EXTERNAL,
                           allow_negative=True)
    # Like platform-fee-revenue, the shared fee account queues its credits (no row lock per fee).
    fee = account_open(code=FEE_CODE, name="Bench: fee revenue", kind=LedgerAccount.Kind.PLATFORM,
                       queued_credits=True)
    if not fee.queued_credits:  # made by an earlier version of this bench
        LedgerAccount.objects.filter(pk=fee.pk).update(queued_credits=True)
        fee.queued_credits = True
    codes = [f"{POOL_PREFIX}{i:05d}" for i in range(size)]
    existing = set(LedgerAccount.objects.filter(code__startswith=POOL_PREFIX).values_list("code", flat=True))
    missing = [c for c in codes if c not in existing]
    if missing:
        _log(f"creating {len(missing)} pool accounts")
        LedgerAccount.objects.bulk_create(
            [LedgerAccount(code=c, name=f"Bench pool {c[len(POOL_PREFIX):]}",
                           kind=LedgerAccount.Kind.CONSUMER) for c in missing],
            batch_size=2000, ignore_conflicts=True)
    pool = list(LedgerAccount.objects.filter(code__in=codes).order_by("pk"))
    funded = set(Transfer.objects.filter(debit_account=outside).values_list("credit_account_id", flat=True))
    unfunded = [a for a in pool if a.pk not in funded]
    if unfunded:
        _log(f"funding {len(unfunded)} pool accounts through ledger_transfer")
        deadline = time.monotonic() + SETUP_DEADLINE_S
        for start in range(0, len(unfunded), 500):
            if time.monotonic() > deadline:
                raise RuntimeError(f"funding the pool took more than {SETUP_DEADLINE_S:.0f} s; "
                                   "run again to continue (it is idempotent)")
            with transaction.atomic():  # one commit per batch, not one per funding transfer
                for account in unfunded[start:start + 500]:
                    ledger_transfer(debit=outside, credit=account, amount_krw=FUNDING_KRW,
                                    key=f"bench-fund-{account.code}", reason="Bench: pool funding")
    if len(pool) != size:
        raise RuntimeError(f"the pool has {len(pool)} accounts, not {size}")
    # As pgbench vacuums its tables before each run (and this server may run without autovacuum), so
    # that both sides start from tables without the dead rows of earlier runs.
    with connection.cursor() as cursor:
        for model in (LedgerAccount, Transfer):
            cursor.execute(f'VACUUM ANALYZE "{model._meta.db_table}"')
    _log(f"pool of {len(pool)} funded accounts ready in {time.monotonic() - started:.1f} s")
    return pool, fee


def _operation(mode: str, pool: list, fee, key_prefix: str, rng):
    """One unit of work of a client: a transfer (plain) or a transfer plus its fee in one transaction."""
    from django.db import transaction

    from trustplatform.ledger.services import ledger_transfer

    def plain(seq: int) -> None:
        debit, credit = rng.sample(pool, 2)
        ledger_transfer(debit=debit, credit=credit, amount_krw=rng.randint(1, MAX_AMOUNT_KRW),
                        key=f"{key_prefix}{seq}", reason="Bench: transfer")

    def hot(seq: int) -> None:
        debit, credit = rng.sample(pool, 2)
        amount = rng.randint(1, MAX_AMOUNT_KRW)
        with transaction.atomic():
            ledger_transfer(debit=debit, credit=credit, amount_krw=amount, key=f"{key_prefix}{seq}",
                            reason="Bench: transfer")
            ledger_transfer(debit=credit, credit=fee, amount_krw=max(1, amount * FEE_PERCENT // 100),
                            key=f"{key_prefix}{seq}:fee", reason="Bench: fee")

    return {"plain": plain, "hot": hot}[mode]


def _client(index: int, mode: str, pool: list, fee, run_id: str, duration_s: float, barrier, results) -> None:
    """A forked client: one warm-up operation, the shared start, then operations until the deadline."""
    import random
    import traceback

    from django.db import connection

    try:
        rng = random.Random(f"{run_id}:{mode}:{index}")
        op = _operation(mode, pool, fee, f"bench:{run_id}:{mode}:{index}:", rng)
        op(0)  # connects, and warms the statement paths
        barrier.wait(timeout=60)
        cpu_start = time.process_time()
        start = time.monotonic()
        deadline = start + duration_s
        committed = 0
        errors: dict[str, int] = {}
        seq = 0
        while seq < MAX_OPS_PER_CLIENT and time.monotonic() < deadline:
            seq += 1
            try:
                op(seq)
                committed += 1
            except Exception as exc:  # counted and reported; the figure fails on any
                label = f"{type(exc).__name__}: {str(exc)[:120]}"
                errors[label] = errors.get(label, 0) + 1
                if sum(errors.values()) >= 100:
                    break
        results.put({"index": index, "committed": committed, "elapsed_s": time.monotonic() - start,
                     "cpu_s": time.process_time() - cpu_start, "errors": errors})
    except BaseException:
        barrier.abort()  # the others stop waiting for this client at once
        results.put({"index": index, "fatal": traceback.format_exc()[-2000:]})
    finally:
        connection.close()


def _load(mode: str, clients: int, duration_s: float, pool: list, fee, run_id: str) -> dict:
    import multiprocessing
    import queue as queue_module

    from django.db import connections

    mp = multiprocessing.get_context("fork")
    connections.close_all()  # every client opens its own connection; none inherits the parent's socket
    barrier = mp.Barrier(clients)
    results = mp.Queue()
    procs = [mp.Process(target=_client, args=(i, mode, pool, fee, run_id, duration_s, barrier, results),
                        name=f"escrow-{mode}-{i}", daemon=True) for i in range(clients)]
    for proc in procs:
        proc.start()
    reports = []
    deadline = time.monotonic() + duration_s + 120
    try:
        while len(reports) < clients:
            try:
                reports.append(results.get(timeout=max(0.1, deadline - time.monotonic())))
            except queue_module.Empty:
                break
    finally:
        for proc in procs:
            proc.join(timeout=max(0.1, deadline - time.monotonic()))
            if proc.is_alive():
                proc.terminate()  # our own child, by its handle
                proc.join(timeout=5)
    fatal = [r["fatal"] for r in reports if "fatal" in r]
    if fatal or len(reports) < clients:
        raise RuntimeError(f"{mode}: {len(reports)} of {clients} clients reported; "
                           f"{len(fatal)} failed:\n" + "\n".join(fatal[:2]))
    errors: dict[str, int] = {}
    for report in reports:
        for label, n in report["errors"].items():
            errors[label] = errors.get(label, 0) + n
    committed = sum(r["committed"] for r in reports)
    elapsed = max(r["elapsed_s"] for r in reports)
    if errors:
        raise RuntimeError(f"{mode}: {sum(errors.values())} operations failed ({committed} committed): "
                           + "; ".join(f"{n}x {label}" for label, n in errors.items()))
    if committed == 0:
        raise RuntimeError(f"{mode}: no operation committed")
    return {"committed": committed, "elapsed_s": elapsed, "tps": committed / elapsed,
            "client_cpu_ms": 1000 * sum(r["cpu_s"] for r in reports) / committed,
            "per_client": sorted(r["committed"] for r in reports)}


def _statement_kind(sql: str) -> str:
    """A short name for a statement: its verb and table, e.g. `SELECT FOR UPDATE escrow_ledgeraccount`."""
    text = " ".join(sql.split())
    head = text.split(" ", 1)[0].upper()
    if head in ("BEGIN", "COMMIT", "SAVEPOINT", "RELEASE", "ROLLBACK"):
        return "RELEASE SAVEPOINT" if head == "RELEASE" else head
    table = re.search(r'(?:FROM|UPDATE|INTO) "?(\w+)', text)
    kind = head + (" FOR UPDATE" if head == "SELECT" and "FOR UPDATE" in text.upper() else "")
    return f"{kind} {table[1] if table else '?'}"


def _profile(mode: str, pool: list, fee, run_id: str) -> dict:
    """Single-client cost of one operation: statements sent, time in SQL round trips, COMMIT, Python."""
    import random
    from collections import Counter

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    op = _operation(mode, pool, fee, f"bench:{run_id}:profile-{mode}:", random.Random(f"{run_id}:{mode}"))
    op(0)  # connected and warm
    with CaptureQueriesContext(connection) as captured:
        op(1)
    statements = [_statement_kind(q["sql"]) for q in captured.captured_queries]
    # Django logs BEGIN and COMMIT too; psycopg sends each as a round trip of its own.
    queries = sum(1 for kind in statements if kind not in ("BEGIN", "COMMIT"))

    timings = {"sql": 0.0, "commit": 0.0}
    per_kind: Counter = Counter()

    def timed_execute(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            spent = time.perf_counter() - started
            timings["sql"] += spent
            per_kind[_statement_kind(sql)] += spent

    original_commit = connection._commit

    def timed_commit():
        started = time.perf_counter()
        try:
            return original_commit()
        finally:
            timings["commit"] += time.perf_counter() - started

    connection._commit = timed_commit  # this process only, for the profile
    ops = 0
    cpu_started = time.process_time()
    started = time.perf_counter()
    deadline = started + PROFILE_S
    try:
        with connection.execute_wrapper(timed_execute):
            while ops < PROFILE_OPS and time.perf_counter() < deadline:
                ops += 1
                op(1 + ops)
    finally:
        del connection._commit
    total = time.perf_counter() - started
    cpu = time.process_time() - cpu_started
    ms = 1000 / ops
    return {
        "ops": ops, "queries": queries, "round_trips": len(statements), "statements": statements,
        "client_cpu_ms": cpu * ms,
        "total_ms": total * ms, "sql_ms": timings["sql"] * ms, "commit_ms": timings["commit"] * ms,
        "python_ms": (total - timings["sql"] - timings["commit"]) * ms,
        "per_kind_ms": {k: v * ms for k, v in per_kind.most_common()},
    }


def _reconcile() -> list[str]:
    from trustplatform.ledger.selectors import ledger_reconcile

    started = time.monotonic()
    problems = [str(p) for p in ledger_reconcile()]
    _log(f"ledger_reconcile(): {len(problems)} discrepancies, {time.monotonic() - started:.1f} s")
    return problems


def command_ledger(args: dict) -> dict:
    from django.db import connections

    run_id = f"{int(time.time())}-{os.getpid()}"
    pool, fee = _ensure_pool(int(args["pool"]))
    before = _reconcile()
    if before:
        return {"error": f"the ledger did not reconcile before the load ({len(before)} discrepancies, "
                         "so not the benchmark's doing): " + "; ".join(before[:10])}
    result = {}
    for mode in ("plain", "hot"):
        _log(f"{mode}: {args['clients']} clients for {args['duration_s']} s")
        result[mode] = _load(mode, int(args["clients"]), float(args["duration_s"]), pool, fee, run_id)
    connections.close_all()
    result["profile"] = {mode: _profile(mode, pool, fee, run_id) for mode in ("plain", "hot")}
    result["reconcile"] = _reconcile()
    return result


def _simulate_slice(seeds: list[int], steps: int, queue) -> None:
    from django.db import connections

    from tests.escrow.simulation import InvariantBroken, simulate

    connections.close_all()  # a forked process opens its own connection
    passed, broken = 0, []
    for seed in seeds:
        try:
            simulate(seed=seed, steps=steps)
            passed += 1
        except InvariantBroken as exc:
            broken.append(str(exc)[:500])
    queue.put((passed, broken))


def command_simulation(args: dict) -> dict:
    import multiprocessing

    from django.db import connections

    connections.close_all()
    seeds, processes = int(args["seeds"]), int(args["processes"])
    started = time.monotonic()
    queue = multiprocessing.get_context("fork").Queue()
    workers = [multiprocessing.get_context("fork").Process(
        target=_simulate_slice, args=(list(range(index, seeds, processes)), int(args["steps"]), queue))
        for index in range(processes)]
    for worker in workers:
        worker.start()
    results = [queue.get(timeout=3600) for _ in workers]
    for worker in workers:
        worker.join(timeout=60)
    _log(f"simulation: {seeds} seeds in {time.monotonic() - started:.0f} s")
    return {"passed": sum(p for p, _b in results), "broken": [b for _p, bs in results for b in bs],
            "elapsed_s": time.monotonic() - started}


COMMANDS = {"ledger": command_ledger, "simulation": command_simulation}


def main(argv: list[str]) -> int:
    if len(argv) < 1 or argv[0] not in COMMANDS:
        print(f"usage: escrow.py {{{','.join(COMMANDS)}}} '<json args>'", file=sys.stderr)
        return 2
    _django_setup()
    try:
        result = COMMANDS[argv[0]](json.loads(argv[1]) if len(argv) > 1 else {})
    except Exception as exc:
        import traceback

        traceback.print_exc()
        result = {"error": f"{type(exc).__name__}: {exc}"}
    print(RESULT_TAG + json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
