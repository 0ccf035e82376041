"""The parity cases: each builds its input, calls an engine-branching service or selector, and
returns a plain answer (JSON types, objects named by label, dates as offsets from today).

`run_case` is the one entry point both sides use, so the settings, language and transaction around
a case are the same on PostgreSQL (pytest) and SQLite (tests/parity/engine_runner.py).
"""

import importlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.test.utils import override_settings
from django.utils import translation

from trustplatform.errors import DomainError

# The settings the branches read, pinned: the input must not depend on either process's environment.
SETTINGS = {
    "BOOKINGS_SEARCH_RADIUS_M": 5000,
    "BOOKINGS_CITY_RADIUS_M": 1000,
    "BOOKINGS_OTHER_RADIUS_M": 5000,
    "BOOKINGS_RATING_TOLERANCE": 0.1,
    "BOOKINGS_MIN_REVIEWS": 20,
    "BOOKINGS_MAX_ADVANCE_DAYS": 365,
    "LISTINGS_PHOTO_NEAR_BITS": 3,
    "LISTINGS_YOUNG_BROKER_DAYS": 90,
    "LISTINGS_STALE_DAYS": 30,
    "MASKING_COOLOFF_MINUTES": 60,
    "MASKING_MAX_SESSION_DAYS": 30,
    "MASKING_CALLS_PER_CALLER_HOUR": 30,
    "MASKING_TEXTS_PER_CALLER_HOUR": 60,
    "MASKING_CALLS_PER_SESSION_HOUR": 20,
    "MASKING_TEXTS_PER_SESSION_HOUR": 40,
    "MASKING_WEBHOOK_REPLAY_SECONDS": 600,
    "PAYMENTS_WEBHOOK_INLINE_SLOTS": 1,
}


@dataclass(frozen=True)
class Case:
    name: str
    branch: str  # which engine branch it exercises, e.g. "bookings.search"
    run: Callable[[], Any]
    # What the answer must show on PostgreSQL, so a case whose input went wrong cannot pass as "equal".
    expect: Callable[[Any], bool]


CASES: dict[str, Case] = {}


def case(branch: str, *, expect: Callable[[Any], bool]):
    def register(function):
        name = function.__name__
        if name in CASES:
            raise ValueError(f"two parity cases are called {name}")
        CASES[name] = Case(name=name, branch=branch, run=function, expect=expect)
        return function

    return register


def names(branch: str) -> list[str]:
    return [name for name, registered in CASES.items() if registered.branch == branch]


def attempt(call: Callable[[], Any]) -> dict:
    """{"ok": answer} or {"refused": the domain error's code, status, detail and fields}."""
    try:
        return {"ok": call()}
    except DomainError as error:
        return {
            "refused": {
                "code": error.code,
                "status": error.status,
                "detail": error.detail,
                "fields": {key: [str(message) for message in value] for key, value in error.fields.items()},
            }
        }


def _plain_default(value):
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, frozenset | set):
        return sorted(value)
    raise TypeError(f"a parity answer holds {type(value).__name__} {value!r}: make it plain in the case")


def plain(answer) -> Any:
    """The answer as it comes back from JSON (tuples become lists), so both sides compare alike."""
    return json.loads(json.dumps(answer, default=_plain_default, ensure_ascii=False))


def run_case(name: str) -> Any:
    """Run one case in a transaction that is rolled back, with the pinned settings, in English."""
    with override_settings(**SETTINGS), translation.override("en"), transaction.atomic():
        try:
            answer = plain(CASES[name].run())
        except Exception as error:  # a crash is an answer too: the other engine may not crash
            answer = {"crashed": f"{type(error).__name__}: {error}"}
        transaction.set_rollback(True)
    return answer


for _module in ("bookings", "ledger", "listings", "masking", "payments"):
    importlib.import_module(f"{__name__}.{_module}")
