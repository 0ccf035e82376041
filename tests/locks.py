"""A lock held by another PostgreSQL session while the test's own connection waits only briefly for it."""

from contextlib import contextmanager

import psycopg
from django.conf import settings
from django.db import connection


@contextmanager
def held_elsewhere(sql: str, params=(), *, lock_timeout_ms: int = 200):
    """Run `sql` (which takes a lock) in a session of its own and hold it for the block, while this test's
    Django connection gives up on a lock after `lock_timeout_ms`, as a web process does after its own."""
    holder = psycopg.connect(dbname=settings.DATABASES["default"]["NAME"], autocommit=False)
    try:
        holder.execute(sql, params)
        with connection.cursor() as cursor:
            cursor.execute(f"SET lock_timeout = '{int(lock_timeout_ms)}ms'")
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute("RESET lock_timeout")
    finally:
        holder.rollback()
        holder.close()
