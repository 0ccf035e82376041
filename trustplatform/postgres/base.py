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

from django.db.backends.postgresql import base
from psycopg import pq


class DatabaseWrapper(base.DatabaseWrapper):
    def is_usable(self):
        connection = self.connection
        if connection is None or connection.closed or connection.broken:
            return False
        pgconn = connection.pgconn
        if pgconn.status != pq.ConnStatus.OK or pgconn.transaction_status == pq.TransactionStatus.UNKNOWN:
            return False
        try:
            readable, _, _ = select.select([pgconn.socket], [], [], 0)
        except (OSError, ValueError, connection.__class__.OperationalError):
            return False
        # Between queries the server sends nothing unless it is ending the session.
        return not readable
