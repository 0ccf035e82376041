"""Tasks only the bookings worker tests load: the guarantee search, slowed down inside its transaction.

The first run writes a marker, moves the money and then sleeps before committing, so the test can
SIGKILL the pool process mid-task; the run after the redelivery finds the marker and goes straight.
"""

import os
import time
from pathlib import Path

from celery import shared_task

FIRST_RUN_SLEEP = 30.0


def marker_path(marker_dir: str | Path, case_id: int) -> Path:
    return Path(marker_dir) / f"slow_case_search-{case_id}.log"


def marker_lines(marker_dir: str | Path, case_id: int) -> list[str]:
    try:
        return marker_path(marker_dir, case_id).read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return []


def _append(path: Path, line: str) -> None:
    with open(path, "a", encoding="utf-8") as marker:
        marker.write(line + "\n")


@shared_task
def slow_case_search(case_id: int, marker_dir: str) -> str:
    from bookings.services import guarantee

    path = marker_path(marker_dir, case_id)
    first = not path.exists()
    _append(path, f"start pid={os.getpid()}")
    original = guarantee._rebook

    def rebook_then_stall(**kwargs):
        booking = original(**kwargs)
        if first:
            _append(path, "moved, not committed")
            time.sleep(FIRST_RUN_SLEEP)
        return booking

    guarantee._rebook = rebook_then_stall
    try:
        outcome = guarantee.case_search(case_id=case_id)
    finally:
        guarantee._rebook = original
    _append(path, f"outcome {outcome}")
    return outcome
