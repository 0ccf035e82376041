"""Django's PostgreSQL backend, with a health check that reads the connection's state instead of asking.

With CONN_HEALTH_CHECKS, Django checks a persistent connection before each request's first query by
sending `SELECT 1`: a full round trip, 0.1 ms or more of every request on this path. A connection the
server has closed (a restart, `pg_terminate_backend`, an idle timeout) can be told without asking:
the server writes its FATAL message and closes the socket, so an idle connection with anything to read,
or at end of file, is finished. This check looks at psycopg's own state and polls the socket without
waiting; a connection it cannot vouch for is closed and Django opens a new one, as with `SELECT 1`.

What it cannot see is a peer that vanished without closing (a cable pulled between machines): the
first query then fails, as it would have a moment after a `SELECT 1` that passed. TCP keepalives
(`keepalives_idle` in OPTIONS) bound how long such a connection lingers.
"""

import select
from contextlib import contextmanager

import psycopg
from django.db import connections
from django.db.backends.postgresql import base, operations
from psycopg import pq

# Django turns psycopg's preparing off (prepare_threshold None) so that poolers keep working; None also
# refuses an explicit prepare=True. A threshold no statement reaches leaves the ORM unprepared (its
# client-side binding cursors never prepare anyway) and lets prepared_cursor() below prepare its own.
_ONLY_WHEN_ASKED = 2**31


class DatabaseOperations(operations.DatabaseOperations):
    def last_executed_query(self, cursor, sql, params):
        # A prepared statement runs by name: psycopg keeps no text of it to show. Query logs and
        # captured queries get the statement with its values, as Django's own cursors give them.
        if isinstance(cursor, _PreparingCursor):
            try:
                return self.compose_sql(sql, params)
            except psycopg.errors.DataError:
                return sql
        return super().last_executed_query(cursor, sql, params)


class DatabaseWrapper(base.DatabaseWrapper):
    ops_class = DatabaseOperations

    def get_new_connection(self, conn_params):
        connection = super().get_new_connection(conn_params)
        if connection.prepare_threshold is None:
            connection.prepare_threshold = _ONLY_WHEN_ASKED
        return connection

    def is_usable(self):
        connection = self.connection
        if connection is None or connection.closed or connection.broken:
            return False
        pgconn = connection.pgconn
        if pgconn.status != pq.ConnStatus.OK or pgconn.transaction_status == pq.TransactionStatus.UNKNOWN:
            return False
        try:
            readable, _, _ = select.select([pgconn.socket], [], [], 0)
        except (OSError, ValueError, psycopg.Error):
            return False
        # Between queries the server sends nothing unless it is ending the session.
        return not readable


class _PreparingCursor(base.ServerBindingCursor):
    """Server-side binding (Django's own cursor for it), every statement prepared (Django turns psycopg's
    automatic preparing off)."""

    def execute(self, query, params=None, *, prepare=None, binary=None):
        return super().execute(query, params, prepare=True if prepare is None else prepare, binary=binary)


def prepared_cursor(connection):
    """A Django cursor whose statements PostgreSQL plans once per connection, not on every run.

    Django binds parameters on the client, so the server parses and plans each statement afresh: for
    the webhook's routing join that is 1 ms of planning for 0.08 ms of execution. This cursor binds
    on the server and prepares each statement on its first run; psycopg keeps the connection's 100 most
    recent. It is for a hot path's fixed raw SQL only; the ORM stays on Django's client-side binding,
    which accepts more query shapes. Errors, transactions and query logging are Django's as usual.
    Behind a pooler in transaction mode, it needs one that tracks prepared statements (PgBouncer 1.21+
    with max_prepared_statements).
    """
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    with connection.wrap_database_errors:
        cursor = _PreparingCursor(connection.connection)
    if connection.queries_logged:
        return connection.make_debug_cursor(cursor)
    return connection.make_cursor(cursor)


@contextmanager
def prepared_statements(using: str = "default"):
    """Inside the block, every statement of this connection (the ORM's included) is bound on the server
    and prepared on its first run, as `prepared_cursor` does for raw SQL; outside, nothing changes.

    For a hot write path of many small ORM statements (a booking, a session open), where PostgreSQL
    spent more CPU planning each statement than running it. It is Django's own server-side binding
    (`server_side_binding` in OPTIONS) for the block only: the rest of the ORM keeps client-side binding,
    which accepts more query shapes, and its plans made for each value (a search's, say). Only
    statements whose text repeats are worth it: one built with values inline would fill psycopg's
    cache of a connection's 100 most recent. A no-op on other databases, and nests.
    """
    connection = connections[using]
    if connection.vendor != "postgresql":
        yield
        return
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    pg = connection.connection
    previous = pg.cursor_factory
    pg.cursor_factory = _PreparingCursor
    try:
        yield
    finally:
        pg.cursor_factory = previous
