"""Fire real parallel requests: threads, each with its own database connection, released together."""

import threading

from django.db import IntegrityError, close_old_connections, connection

from trustplatform.errors import DomainError


def race(work, count: int, *, expected=(DomainError, IntegrityError), timeout: float = 60) -> list:
    """Run `work(index)` in `count` threads behind a barrier; returns each result or expected error."""
    barrier = threading.Barrier(count)
    outcomes, lock = [], threading.Lock()

    def run(index):
        close_old_connections()
        try:
            barrier.wait(timeout=timeout)
            result = work(index)
        except expected as exc:
            result = exc
        finally:
            connection.close()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=2 * timeout)
    assert len(outcomes) == count, "a thread hung"
    return outcomes
