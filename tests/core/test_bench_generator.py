"""The benchmarks' open-loop load generator (bench/run.py): latency from each request's due time, every
answer counted by status, refusals and resets counted as failures with the time they took."""

import importlib.util
import socket
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench" / "run.py"


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("ansim_bench_harness_under_test", BENCH)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    yield module
    del sys.modules[spec.name]


class _Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_POST(self):
        length = int(self.headers["Content-Length"])
        body = self.rfile.read(length)
        if self.path == "/slow":
            time.sleep(0.2)
        status = 503 if body == b"shed" else 201
        answer = b'{"ok": true}' if status == 201 else b"overloaded"
        self.send_response(status)
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)


class _Server(ThreadingHTTPServer):
    # A listen backlog above the generator's connections: a dropped SYN would come back a second later.
    request_queue_size = 64


@pytest.fixture
def server():
    httpd = _Server(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd.server_address
    httpd.shutdown()
    httpd.server_close()


def _requests(bench, host, items):
    return [bench._request_bytes(host, "POST", path, body, {"Content-Type": "text/plain"})
            for path, body in items]


def test_answers_are_counted_by_status_and_failures_keep_their_time(bench, server):
    host = f"{server[0]}:{server[1]}"
    items = [("/fast", b"keep" if i % 4 else b"shed") for i in range(40)]
    start = time.monotonic() + 0.05
    outcome = bench._open_loop(_requests(bench, host, items), server, start, 0.005, start + 10,
                               concurrency=8, timeout_s=5)
    assert outcome.statuses == {201: 30, 503: 10}
    assert outcome.errors == 10 and len(outcome.failure_latencies) == 10 and len(outcome.latencies) == 30
    assert outcome.dropped == 0
    # Every answer, refused or not, keeps the time it took (milliseconds from its due time).
    assert min(outcome.latencies) > 0 and min(outcome.failure_latencies) > 0


def test_latency_runs_from_the_due_time_when_the_server_falls_behind(bench, server):
    """Two connections, 0.2 s answers, one request due every 10 ms: the later ones wait for a connection,
    and that wait is charged to the server (no coordinated omission)."""
    host = f"{server[0]}:{server[1]}"
    start = time.monotonic() + 0.05
    outcome = bench._open_loop(_requests(bench, host, [("/slow", b"keep")] * 6), server, start, 0.01,
                               start + 10, concurrency=2, timeout_s=5)
    assert len(outcome.latencies) == 6
    assert max(outcome.latencies) > 550  # the last two started after two rounds of 0.2 s
    assert outcome.lag > 0.35


def test_a_refused_connection_is_a_failure_answered_at_once(bench):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        address = probe.getsockname()  # closed again: nothing listens there
    start = time.monotonic() + 0.02
    outcome = bench._open_loop(_requests(bench, f"127.0.0.1:{address[1]}", [("/", b"x")] * 3), address,
                               start, 0.01, start + 5, concurrency=4, timeout_s=2)
    assert outcome.statuses == {0: 3} and outcome.errors == 3 and max(outcome.failure_latencies) < 500
