"""Every engine branch of the production code answers the same on PostgreSQL and on SQLite.

Each parity case runs here on PostgreSQL and, for the whole session at once, in one subprocess on a
fresh SQLite database (engine_runner.py). The subprocess starts with the first test, so its
migration runs while the PostgreSQL answers are computed; the comparisons come after.
"""

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from .cases import CASES, run_case

# Every production function that reads the engine, and the parity branch whose cases exercise it.
ENGINE_BRANCHES = {
    "bookings/services/inventory.py::nights_take": "bookings.inventory",
    "bookings/selectors.py::available_room_types": "bookings.available",
    "bookings/selectors.py::search": "bookings.search",
    "trustplatform/ledger/services.py::ledger_transfer": "escrow.ledger",
    "listings/services/risk.py::listings_rescore": "listings.risk",
    "masking/services/sessions.py::_identity_lock": "masking.sessions",
    "masking/services/sessions.py::_situation": "masking.sessions",
    "masking/services/relay.py::_event_store": "masking.relay",
    "trustplatform/payments/services.py::_inline_slot_take": "payments.events",
    # Server-side prepared statements on PostgreSQL, nothing on SQLite: session_open runs in one.
    "trustplatform/postgres/base.py::prepared_statements": "masking.sessions",
}
# Engine reads compared elsewhere, or that only decide which DDL PostgreSQL gets.
COMPARED_ELSEWHERE = {
    "masking/selectors.py::route_lookup": "tests/masking/test_selectors.py",
    "masking/selectors.py::inbound_lookup": "tests/masking/test_selectors.py",
    "masking/constraints.py::constraint_sql": "schema only",
    "masking/constraints.py::create_sql": "schema only",
    "masking/constraints.py::remove_sql": "schema only",
    # SQLite has no exclusion constraints to check; there the allocation lock keeps the rule.
    "masking/constraints.py::validate": "PostgreSQL only by design",
    "trustplatform/dbutil.py::forwards": "schema only",
    "trustplatform/dbutil.py::backwards": "schema only",
    # One beat: an advisory lock on PostgreSQL, a file lock on SQLite (one machine); both tested there.
    "trustplatform/beat.py::beat_lock": "tests/core/test_beat_lock.py",
}
# Reads with no engine branch whose SQL could still answer differently (sums with NULL, JSON in a CHECK):
# their cases run on both engines all the same.
PORTABLE_READS = {
    "listings/selectors.py::listings_search": "listings.search",
    "listings/services/campaigns.py::_riskiest_by_area": "listings.campaigns",
}
PRODUCTION = ("bookings", "escrow", "listings", "masking", "trustplatform")
RUNNER_TIMEOUT_S = 180


class SqliteRun:
    """The engine runner's subprocess, started once; `answers()` waits for it the first time."""

    def __init__(self, folder: Path):
        self.output = folder / "answers.json"
        environment = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
        environment.pop("PYTEST_XDIST_WORKER", None)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.parity.engine_runner", str(folder / "parity.sqlite3"),
             str(self.output)],
            cwd=settings.BASE_DIR, env=environment, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        self._result = None

    def answers(self) -> dict:
        if self._result is None:
            out, err = self.process.communicate(timeout=RUNNER_TIMEOUT_S)
            if self.process.returncode != 0:
                pytest.fail(f"the SQLite engine runner failed ({self.process.returncode}):\n{out}\n{err}")
            self._result = json.loads(self.output.read_text(encoding="utf-8"))
        return self._result

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.communicate()


@pytest.fixture(scope="session")
def sqlite_run(tmp_path_factory):
    run = SqliteRun(tmp_path_factory.mktemp("parity"))
    yield run
    run.stop()


# PostgreSQL answers, kept from the first test to the comparison (each is computed once).
_postgresql: dict[str, object] = {}


def _postgresql_answer(name: str):
    if name not in _postgresql:
        _postgresql[name] = run_case(name)
    return _postgresql[name]


@pytest.mark.django_db
@pytest.mark.parametrize("name", list(CASES))
def test_the_postgresql_answer_shows_what_the_case_is_about(name, sqlite_run):
    answer = _postgresql_answer(name)
    assert "crashed" not in answer, answer
    assert CASES[name].expect(answer), json.dumps(answer, ensure_ascii=False, indent=1)


@pytest.mark.django_db
@pytest.mark.parametrize("name", list(CASES))
def test_sqlite_gives_the_postgresql_answer(name, sqlite_run):
    postgresql = _postgresql_answer(name)
    sqlite = sqlite_run.answers()["answers"][name]
    assert sqlite == postgresql


def test_the_runner_answered_every_case_on_sqlite(sqlite_run):
    result = sqlite_run.answers()
    assert result["vendor"] == "sqlite"
    assert sorted(result["answers"]) == sorted(CASES)


def _engine_reads() -> set[str]:
    """`file::function` of every function in the production code that reads `<connection>.vendor`."""
    found = set()
    base = Path(settings.BASE_DIR)
    for package in PRODUCTION:
        for path in sorted((base / package).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for function in ast.walk(tree):
                if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
                    continue
                # Only the function's own body, not functions nested inside it (they are visited too).
                own = [node for child in ast.iter_child_nodes(function) for node in _walk_shallow(child)]
                if any(isinstance(node, ast.Attribute) and node.attr == "vendor" for node in own):
                    found.add(f"{path.relative_to(base).as_posix()}::{function.name}")
    return found


def _walk_shallow(node):
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
        return
    yield node
    for child in ast.iter_child_nodes(node):
        yield from _walk_shallow(child)


def test_every_engine_branch_of_the_code_has_parity_cases():
    assert _engine_reads() == set(ENGINE_BRANCHES) | set(COMPARED_ELSEWHERE)
    branches = {case.branch for case in CASES.values()}
    assert set(ENGINE_BRANCHES.values()) <= branches
    assert branches <= set(ENGINE_BRANCHES.values()) | set(PORTABLE_READS.values()), (
        "a case names a branch no production code has"
    )


def test_portable_reads_exist_and_do_not_branch():
    """A portable read that came to read the engine belongs in ENGINE_BRANCHES; one renamed, nowhere."""
    base = Path(settings.BASE_DIR)
    for target, branch in PORTABLE_READS.items():
        path, name = target.split("::")
        tree = ast.parse((base / path).read_text(encoding="utf-8"))
        assert any(isinstance(node, ast.FunctionDef) and node.name == name for node in ast.walk(tree)), target
        assert target not in _engine_reads(), target
        assert branch in {case.branch for case in CASES.values()}, branch
