"""Tasks only the test worker loads (`celery worker -I tests.worker_tasks`, see tests/worker.py).

They take their acknowledgement settings (acks_late, reject_on_worker_lost) from the project's
Celery settings, so the tests exercise those settings.
"""

import os
import time
from pathlib import Path

from celery import shared_task

from trustplatform.notifications import services

FIRST_RUN_SLEEP = 30.0


def marker_path(marker_dir: str | Path, message_id: int) -> Path:
    return Path(marker_dir) / f"slow_deliver-{message_id}.log"


def marker_lines(marker_dir: str | Path, message_id: int) -> list[str]:
    try:
        return marker_path(marker_dir, message_id).read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return []


def _append(path: Path, line: str) -> None:
    with open(path, "a", encoding="utf-8") as marker:
        marker.write(line + "\n")
        marker.flush()
        os.fsync(marker.fileno())


@shared_task(bind=True)
def slow_deliver(self, message_id: int, marker_dir: str, sleep_seconds: float = FIRST_RUN_SLEEP) -> None:
    """Deliver a message with the real outbox service, then (on the first run only) stay busy with
    the message unacknowledged, so a test can kill the worker after the effect was committed.

    Writes to the marker file: `start pid=<pid> redelivered=<bool>`, `delivered sent=<bool>`, `finished`.
    """
    path = marker_path(marker_dir, message_id)
    first_run = not any(line.startswith("start ") for line in marker_lines(marker_dir, message_id))
    redelivered = bool((self.request.delivery_info or {}).get("redelivered"))
    _append(path, f"start pid={os.getpid()} redelivered={redelivered}")
    sent = services.message_deliver(message_id=message_id)
    _append(path, f"delivered sent={sent}")
    if first_run:
        time.sleep(sleep_seconds)
    _append(path, "finished")


def release_marker_path(marker_dir: str | Path, agreement_id: int) -> Path:
    return Path(marker_dir) / f"slow_release-{agreement_id}.log"


@shared_task(bind=True)
def slow_release(self, agreement_id: int, marker_dir: str, sleep_seconds: float = FIRST_RUN_SLEEP) -> None:
    """Run the real escrow release, then (first run only) stay busy unacknowledged so a test can kill
    the worker after the money moved. Marker lines: `start pid=<pid>`, `outcome <result>`, `finished`."""
    from escrow.services import release

    path = release_marker_path(marker_dir, agreement_id)
    first_run = not path.exists()
    _append(path, f"start pid={os.getpid()}")
    _append(path, f"outcome {release.agreement_evaluate(agreement_id=agreement_id)}")
    if first_run:
        time.sleep(sleep_seconds)
    _append(path, "finished")
