"""Tasks against a real Celery worker (prefork) and the broker: publishing on commit, and a task whose
worker dies mid-task running again with its effect happening once (the outbox's conditional claim)."""

import os
import re
import signal

import pytest
from django.db import transaction

from tests.factories import OutboundMessageFactory
from tests.worker import declare_queue, queue_depth, wait_until
from tests.worker_tasks import marker_lines, slow_deliver
from trustplatform.notifications.models import OutboundMessage
from trustplatform.notifications.services import message_enqueue

pytest_plugins = ["tests.worker"]

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

PHONE = "+821012345678"
DELIVERY_TIMEOUT = 30  # seconds for a task to be picked up and run
START_LINE = re.compile(r"^start pid=(\d+) redelivered=(True|False)$")
# Celery's log line for a task message the worker took from the queue.
DELIVERY_RECEIVED = re.compile(
    r"Task trustplatform\.notifications\.tasks\.message_deliver_task\[[^\]]+\] received")


class Rollback(Exception):
    pass


def _status(message_id: int) -> str | None:
    return OutboundMessage.objects.filter(pk=message_id).values_list("status", flat=True).first()


def _queued_message(key: str) -> OutboundMessage:
    """An outbox row with no delivery task published for it (the test sends its own task)."""
    return OutboundMessageFactory(recipient=PHONE, body=f"[Ansim] {key}", idempotency_key=key)


def _starts(lines: list[str]) -> list[tuple[int, bool]]:
    matches = [START_LINE.match(line) for line in lines if line.startswith("start ")]
    assert all(matches), lines
    return [(int(m[1]), m[2] == "True") for m in matches]


def _wait_for_marker(marker_dir, message_id: int, line: str, *, what: str, worker) -> list[str]:
    """Wait until the slow_deliver marker file of the message has `line`; return all its lines."""
    return wait_until(lambda: line in (lines := marker_lines(marker_dir, message_id)) and lines,
                      timeout=DELIVERY_TIMEOUT, what=what, worker=worker)


def _deliveries_received(log: str) -> int:
    return len(DELIVERY_RECEIVED.findall(log))


def _assert_sent_once(message_id: int) -> None:
    message = OutboundMessage.objects.get(pk=message_id)
    assert message.status == OutboundMessage.Status.SENT
    assert message.attempts == 1
    assert message.provider_message_id.startswith("console-")
    assert message.sent_at is not None


def test_task_delayed_on_commit_is_published_and_runs_after_commit(start_celery_worker, worker_queue):
    declare_queue(worker_queue)
    assert queue_depth(worker_queue) == 0

    with transaction.atomic():
        message = message_enqueue(channel="sms", to=PHONE, body="[Ansim] after commit", key="commit-1")
        # Nothing is published while the row is invisible to a worker.
        assert queue_depth(worker_queue) == 0
    wait_until(lambda: queue_depth(worker_queue) == 1, timeout=10,
               what="the delivery task to be published after commit")
    assert _status(message.pk) == OutboundMessage.Status.QUEUED

    worker = start_celery_worker()
    wait_until(lambda: _status(message.pk) == OutboundMessage.Status.SENT, timeout=DELIVERY_TIMEOUT,
               what=f"message {message.pk} to be sent by the worker", worker=worker)
    _assert_sent_once(message.pk)
    log = worker.log()
    assert _deliveries_received(log) == 1, log
    # The console SMS backend of the worker sent it (with DEBUG off it logs the id, never the body).
    sent_id = OutboundMessage.objects.get(pk=message.pk).provider_message_id
    assert f"SMS {sent_id} " in log and "[Ansim] after commit" not in log


def test_task_delayed_on_commit_is_never_published_when_the_transaction_rolls_back(start_celery_worker,
                                                                                   worker_queue):
    declare_queue(worker_queue)

    with pytest.raises(Rollback), transaction.atomic():
        rolled_back = message_enqueue(channel="sms", to=PHONE, body="[Ansim] rolled back", key="rollback-1")
        assert _status(rolled_back.pk) == OutboundMessage.Status.QUEUED
        raise Rollback
    assert not OutboundMessage.objects.filter(idempotency_key="rollback-1").exists()

    # A marker sent after it: tasks go out in order on one connection, so when the marker is in the
    # queue, a task published for the rolled-back row would be too. Only the marker is.
    with transaction.atomic():
        marker = message_enqueue(channel="sms", to=PHONE, body="[Ansim] marker", key="rollback-marker")
    wait_until(lambda: queue_depth(worker_queue) >= 1, timeout=10, what="the marker task to be published")
    assert queue_depth(worker_queue) == 1

    worker = start_celery_worker()
    wait_until(lambda: _status(marker.pk) == OutboundMessage.Status.SENT, timeout=DELIVERY_TIMEOUT,
               what=f"marker message {marker.pk} to be sent by the worker", worker=worker)
    _assert_sent_once(marker.pk)
    assert OutboundMessage.objects.count() == 1
    log = worker.log()
    assert f"SMS {OutboundMessage.objects.get(pk=marker.pk).provider_message_id} " in log
    assert _deliveries_received(log) == 1, log
    assert log.count(" SMS console-") == 1, log


def test_task_runs_again_when_its_pool_process_is_killed_and_the_effect_happens_once(
        celery_worker_process, worker_queue, tmp_path):
    worker = celery_worker_process
    # The project's settings make a task whose worker process dies go back to the queue.
    assert slow_deliver.acks_late and slow_deliver.reject_on_worker_lost
    message = _queued_message("sigkill-child")
    slow_deliver.apply_async(args=[message.pk, str(tmp_path)], queue=worker_queue)

    lines = _wait_for_marker(tmp_path, message.pk, "delivered sent=True",
                             what="the first run to deliver the message", worker=worker)
    [(first_pid, first_redelivered)] = _starts(lines)
    assert not first_redelivered
    _assert_sent_once(message.pk)  # the effect is committed; the task is not acknowledged yet
    assert worker.is_child(first_pid), f"pid {first_pid} is not a pool process of worker {worker.pid}"

    os.kill(first_pid, signal.SIGKILL)

    lines = _wait_for_marker(tmp_path, message.pk, "finished",
                             what="the task to run again after its pool process was killed", worker=worker)
    starts = _starts(lines)
    assert len(starts) == 2, lines
    second_pid, second_redelivered = starts[1]
    assert second_pid != first_pid
    assert second_redelivered
    assert lines == [lines[0], "delivered sent=True", lines[2], "delivered sent=False", "finished"]
    assert worker.is_running()  # only the pool process died
    assert "WorkerLostError" in worker.log()
    _assert_sent_once(message.pk)
    assert worker.log().count(" SMS console-") == 1


def test_task_is_redelivered_to_a_new_worker_when_the_whole_worker_is_killed(start_celery_worker,
                                                                              worker_queue, tmp_path):
    first = start_celery_worker()
    message = _queued_message("sigkill-worker")
    slow_deliver.apply_async(args=[message.pk, str(tmp_path)], queue=worker_queue)

    lines = _wait_for_marker(tmp_path, message.pk, "delivered sent=True",
                             what="the first worker to deliver the message", worker=first)
    [(first_pid, _redelivered)] = _starts(lines)
    assert first.is_child(first_pid)
    _assert_sent_once(message.pk)

    assert first.kill() == -signal.SIGKILL
    assert not first.is_child(first_pid)

    # The broker put the unacknowledged message back when the connection dropped.
    second = start_celery_worker()
    lines = _wait_for_marker(tmp_path, message.pk, "finished",
                             what="the new worker to run the redelivered task", worker=second)
    starts = _starts(lines)
    assert len(starts) == 2, lines
    second_pid, second_redelivered = starts[1]
    assert second.is_child(second_pid)
    assert second_redelivered
    assert lines[1:] == ["delivered sent=True", lines[2], "delivered sent=False", "finished"]
    _assert_sent_once(message.pk)
    assert " SMS console-" not in second.log()
