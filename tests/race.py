"""Fire real parallel requests: threads, each with its own database connection, released together.

A race of `count` attempts runs on at most `RACE_CONNECTIONS` threads, so it fits a stock
PostgreSQL (max_connections = 100) beside the rest of the suite: the threads meet at a barrier,
then each takes the next attempt until none is left. The first `RACE_CONNECTIONS` attempts start
at the same instant on as many connections, and the rest start while those still hold their locks
or their transactions, so every attempt competes with dozens of others, as in production.
"""

import itertools
import threading

from django.db import IntegrityError, close_old_connections, connection

from trustplatform.errors import DomainError

# Connections one race may hold at once (each thread keeps its own for all its attempts).
RACE_CONNECTIONS = 50


def race(work, count: int, *, expected=(DomainError, IntegrityError), timeout: float = 60,
         connections: int = RACE_CONNECTIONS) -> list:
    """Run `work(index)` for index 0..count-1 on min(count, connections) threads released by a
    barrier; returns each attempt's result or expected error (in completion order)."""
    threads_count = min(count, connections)
    barrier = threading.Barrier(threads_count)
    attempts = itertools.count()
    outcomes, errors, lock = [], [], threading.Lock()

    def next_attempt():
        with lock:
            index = next(attempts)
        return index if index < count else None

    def run():
        close_old_connections()
        try:
            barrier.wait(timeout=timeout)
            while (index := next_attempt()) is not None:
                try:
                    result = work(index)
                except expected as exc:
                    result = exc
                with lock:
                    outcomes.append(result)
        except Exception as exc:  # an unexpected error fails the test with its own traceback
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=2 * timeout)
    if errors:
        raise errors[0]
    assert len(outcomes) == count, "a thread hung"
    return outcomes
