"""The anchor for core's figures: the least a WSGI app can do, `{"status": "ok"}` as JSON.

Served by the same gunicorn with the same workers and loaded by the same wrk, it measures what the server,
the load generator and this machine cost on their own; the project's figures are stated as ratios of it.
"""

BODY = b'{"status": "ok"}'
HEADERS = [("Content-Type", "application/json"), ("Content-Length", str(len(BODY)))]


def application(environ, start_response):
    start_response("200 OK", HEADERS)
    return [BODY]
