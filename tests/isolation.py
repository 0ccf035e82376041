"""Keep parallel pytest workers out of each other's way (loaded early by `-p tests.isolation`).

pytest-xdist runs the suite in several processes, and pytest-django gives each its own test
database (`test_ansim_gw0`, ...). Redis is shared, and every test starts by clearing the cache
(a FLUSHDB), which would wipe the rate-limit counters of a test running in the other process, so
each worker gets its own Redis database number. This runs before Django's settings are read: the
worker's id is already in the environment then, and the settings take REDIS_URL from it.

PYTEST_DONT_REWRITE
"""

import os
import re

WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")  # "gw0", "gw1", ... or "" without xdist


def _redis_url_for_worker(url: str, worker: str) -> str:
    """The same server, database 1 + the worker's number (database 0 stays the serial run's)."""
    number = int(worker.removeprefix("gw")) + 1
    base, _, query = url.partition("?")
    base = re.sub(r"/\d*$", "", base.rstrip("/")) if base.count("/") > 2 else base
    return f"{base}/{number}" + (f"?{query}" if query else "")


if WORKER and os.environ.get("REDIS_URL"):
    os.environ["REDIS_URL"] = _redis_url_for_worker(os.environ["REDIS_URL"], WORKER)
