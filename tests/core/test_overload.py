"""Overload: requests that waited too long are shed before any work, and a dependency that does not answer
in time gives a 503 that says to try again (trustplatform/overload.py), not a 500 or a hang."""

import os
import socket
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.core.wsgi import get_wsgi_application
from django.test import RequestFactory
from django.utils import timezone

from masking.models import MaskedSession
from tests.locks import held_elsewhere
from trustplatform.overload import ShedOverload, queue_age_ms, request_class, socket_age_ms, stamp_age_ms

BASE_DIR = Path(__file__).resolve().parents[2]


class _Conversation:
    """A real loopback TCP connection whose request bytes arrived `age_s` ago, as gunicorn hands it over."""

    def __init__(self, payload: bytes, age_s: float):
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.client = socket.create_connection(self.listener.getsockname())
        self.client.sendall(payload)
        time.sleep(age_s)
        self.server, _addr = self.listener.accept()

    def close(self):
        for sock in (self.client, self.server, self.listener):
            sock.close()


@pytest.fixture
def conversation():
    made = []

    def make(age_s: float, payload: bytes = b"POST / HTTP/1.1\r\n\r\n"):
        made.append(_Conversation(payload, age_s))
        return made[-1]

    yield make
    for each in made:
        each.close()


def test_the_socket_says_how_long_ago_the_request_arrived(conversation):
    waited = conversation(0.3)
    fresh = conversation(0.0)
    assert 280 <= socket_age_ms(waited.server) < 2000
    assert socket_age_ms(fresh.server) < 50
    assert socket_age_ms(object()) is None  # not a socket: no guess
    unix_a, unix_b = socket.socketpair()
    try:
        assert socket_age_ms(unix_a) is None  # a unix socket behind a proxy has no TCP_INFO
    finally:
        unix_a.close()
        unix_b.close()


def test_a_front_proxy_stamp_in_seconds_milliseconds_or_microseconds():
    now = 1_800_000_000.0
    sent = now - 0.25
    for stamp in (f"t={sent:.3f}", f"{sent * 1000:.0f}", f"t={sent * 1_000_000:.0f}"):
        assert stamp_age_ms(stamp, now) == pytest.approx(250, abs=2), stamp
    assert stamp_age_ms(f"t={now + 5:.3f}", now) == 0  # a proxy clock ahead of ours: no wait, not negative
    assert stamp_age_ms("yesterday", now) is None and stamp_age_ms("t=", now) is None


def test_the_stamp_counts_only_when_trusted(conversation):
    fresh = conversation(0.0)
    old = f"t={time.time() - 5:.3f}"
    environ = {"HTTP_X_REQUEST_START": old, "gunicorn.socket": fresh.server}
    assert queue_age_ms(environ, trust_stamp=True) >= 4900
    assert queue_age_ms(environ, trust_stamp=False) < 50  # a client cannot make itself look fresh or old


def test_request_classes():
    assert [request_class(p) for p in ("/hooks/telephony/voice/", "/hooks/payments/portone/",
                                       "/api/v1/bookings/", "/stays/")] == ["telephony", "hooks", "api",
                                                                             "pages"]


def _call(app, environ):
    answer = {}

    def start_response(status, headers):
        answer["status"], answer["headers"] = status, dict(headers)

    body = b"".join(app(environ, start_response))
    return int(answer["status"][:3]), answer["headers"], body


@pytest.fixture
def shed_app():
    return ShedOverload(get_wsgi_application())


@pytest.mark.django_db
def test_a_request_that_waited_past_its_budget_is_refused_in_its_class_shape(shed_app, conversation):
    factory = RequestFactory()
    waited = conversation(0.12)  # past the 30 ms of telephony and the API, within the pages' 2 s

    api = factory.post("/api/v1/masking/sessions/", data="{}", content_type="application/json").environ
    status, headers, body = _call(shed_app, {**api, "gunicorn.socket": waited.server})
    assert status == 503 and headers["Retry-After"] == "1" and headers["Content-Type"] == "application/json"
    assert body.decode().startswith('{"code": "overloaded"') and "잠시 후" in body.decode()

    english = {**api, "gunicorn.socket": waited.server, "HTTP_ACCEPT_LANGUAGE": "en-US,en;q=0.9"}
    assert b"Try again in a moment" in _call(shed_app, english)[2]

    voice = factory.post("/hooks/telephony/voice/", data={"CallSid": "CA1"}).environ
    status, headers, body = _call(shed_app, {**voice, "gunicorn.socket": waited.server})
    assert status == 503 and headers["Retry-After"] == "1" and "telephony" in headers["X-Ansim-Shed"]

    # Under its budget a page is served by Django as usual; the health check and the fallback never shed.
    page = factory.get("/").environ
    assert _call(shed_app, {**page, "gunicorn.socket": waited.server})[0] == 200
    very_late = conversation(0.0)
    stale = {"HTTP_X_REQUEST_START": f"t={time.time() - 10:.3f}", "gunicorn.socket": very_late.server}
    shed_app.trust_stamp = True
    assert _call(shed_app, {**page, **stale})[0] == 503
    assert _call(shed_app, {**factory.get("/healthz/").environ, **stale})[0] == 200
    fallback = factory.post("/hooks/telephony/fallback/", data={"CallSid": "CA2"}).environ
    status, _headers, body = _call(shed_app, {**fallback, **stale})
    assert status == 200 and "<Say" in body.decode() and "<Hangup" in body.decode()


@pytest.mark.django_db
def test_a_fresh_request_goes_to_django(shed_app, conversation):
    fresh = conversation(0.0)
    api = RequestFactory().get("/api/v1/no-such-thing/").environ
    status, headers, body = _call(shed_app, {**api, "gunicorn.socket": fresh.server})
    assert status == 404 and b'"not_found"' in body and "X-Ansim-Shed" not in headers


@pytest.mark.django_db
def test_a_budget_of_zero_turns_shedding_off(settings, conversation):
    settings.OVERLOAD_BUDGETS_MS = {"telephony": 0, "api": 0, "hooks": 0, "pages": 0}
    app = ShedOverload(get_wsgi_application())
    waited = conversation(0.12)
    environ = RequestFactory().get("/api/v1/no-such-thing/").environ
    assert _call(app, {**environ, "gunicorn.socket": waited.server})[0] == 404


# --- Through gunicorn: the real accept queue ---------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _read_answer(sock) -> bytes:
    """The whole answer, then our close: gunicorn lingers on a connection until its client closes it."""
    sock.settimeout(10)
    chunks = []
    while chunk := sock.recv(65536):
        chunks.append(chunk)
    sock.close()
    return b"".join(chunks)


@pytest.mark.django_db(transaction=True)
def test_gunicorn_sheds_a_webhook_that_queued_behind_a_busy_worker_and_serves_the_next():
    """One sync worker, held by a client that sends its request slowly: the webhook queued behind it is
    answered 503 at once when the worker reaches it; the one sent after the queue cleared is served."""
    port = _free_port()
    database = settings.DATABASES["default"]
    env = {**os.environ, "DATABASE_URL": f"postgres:///{database['NAME']}",
           "OVERLOAD_TELEPHONY_BUDGET_MS": "50"}
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "trustplatform.wsgi:application", "-b", f"127.0.0.1:{port}",
         "-w", "1", "--worker-class", "sync", "--preload", "--log-level", "warning"],
        cwd=BASE_DIR, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1) as probe:
                    probe.sendall(b"GET /healthz/ HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
                    if b" 200 " in _read_answer(probe):
                        break
            except OSError:
                pass
            assert time.monotonic() < deadline and server.poll() is None, server.stdout.read().decode()
            time.sleep(0.2)

        slow = socket.create_connection(("127.0.0.1", port))
        slow.sendall(b"GET /healthz/ HTTP/1.1\r\nHost: localhost\r\n")  # the worker waits for the rest
        time.sleep(0.1)
        webhook = socket.create_connection(("127.0.0.1", port))
        body = b"CallSid=CA0001&From=%2B821020000001&To=%2B825051000001"
        webhook.sendall(b"POST /hooks/telephony/voice/ HTTP/1.1\r\nHost: localhost\r\n"
                        b"Content-Type: application/x-www-form-urlencoded\r\n"
                        b"Content-Length: %d\r\nConnection: close\r\n\r\n%s" % (len(body), body))
        time.sleep(0.3)  # the webhook waits in the accept queue
        slow.sendall(b"Connection: close\r\n\r\n")
        assert b" 200 " in _read_answer(slow)
        # Refused, not served late: a served webhook would answer 403 (no signature), as below.
        shed = _read_answer(webhook)
        assert shed.startswith(b"HTTP/1.1 503") and b"Retry-After: 1" in shed, shed

        again = socket.create_connection(("127.0.0.1", port))
        again.sendall(b"POST /hooks/telephony/voice/ HTTP/1.1\r\nHost: localhost\r\n"
                      b"Content-Type: application/x-www-form-urlencoded\r\n"
                      b"Content-Length: %d\r\nConnection: close\r\n\r\n%s" % (len(body), body))
        served = _read_answer(again)
        assert served.startswith(b"HTTP/1.1 403"), served  # served: Django checked the (missing) signature
    finally:
        os.killpg(server.pid, 15)
        server.wait(timeout=30)


# --- Timeouts at the database and the cache ----------------------------------------------------------------


@pytest.mark.django_db
def test_a_web_process_carries_the_statement_and_lock_timeouts_and_a_worker_does_not():
    code = ("import django, os; django.setup(); from django.db import connection; c = connection.cursor(); "
            "print([(c.execute(f'SHOW {n}'), c.fetchone()[0])[1] for n in "
            "('statement_timeout', 'lock_timeout', 'idle_in_transaction_session_timeout')])")
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "trustplatform.settings",
           "DATABASE_URL": f"postgres:///{settings.DATABASES['default']['NAME']}"}
    web = subprocess.run([sys.executable, "-c", code], env={**env, "ANSIM_PROCESS": "web"}, cwd=BASE_DIR,
                         capture_output=True, text=True, timeout=60)
    assert web.stdout.strip() == "['5s', '3s', '30s']", web.stderr
    worker = subprocess.run([sys.executable, "-c", code], env={k: v for k, v in env.items()
                                                               if k != "ANSIM_PROCESS"},
                            cwd=BASE_DIR, capture_output=True, text=True, timeout=60)
    assert worker.stdout.strip() == "['0', '0', '0']", worker.stderr


@pytest.mark.django_db(transaction=True)
def test_a_lock_timeout_answers_503_busy_and_changes_nothing(api_client, owner_membership, settings):
    from tests.masking.factories import ProxyNumberFactory

    ProxyNumberFactory.create_batch(2)
    api_client.force_authenticate(owner_membership.user)
    opened = api_client.post("/api/v1/masking/sessions/", {
        "reference": "order-busy", "expires_at": (timezone.now() + timedelta(hours=3)).isoformat(),
        "consumer": {"phone": "010-2000-0001", "label": "고객"},
        "business": {"phone": "010-2000-0002", "label": "라이더"}}, format="json")
    assert opened.status_code == 201, opened.content
    session_id = opened.json()["id"]
    with held_elsewhere("SELECT 1 FROM masking_maskedsession WHERE id = %s FOR UPDATE", [session_id]):
        started = time.monotonic()
        refused = api_client.post(f"/api/v1/masking/sessions/{session_id}/close/")
        assert time.monotonic() - started < 2
    assert refused.status_code == 503 and refused["Retry-After"] == "1"
    assert refused.json()["code"] == "busy" and "변경된 것은 없습니다" in refused.json()["detail"]
    assert MaskedSession.objects.get(pk=session_id).status == MaskedSession.Status.OPEN
    closed = api_client.post(f"/api/v1/masking/sessions/{session_id}/close/")
    assert closed.status_code == 200 and closed.json()["status"] != "open"


def test_a_redis_that_does_not_answer_fails_within_the_timeout(settings):
    """A listener that accepts and never answers stands for a stuck Redis: the cache's client gives up."""
    import redis
    from django.core.cache import caches

    assert "RedisCache" in settings.CACHES["default"]["BACKEND"]  # the suite runs with REDIS_URL
    silent = socket.create_server(("127.0.0.1", 0))
    accepted = []
    threading.Thread(target=lambda: accepted.append(silent.accept()), daemon=True).start()
    caches_before = settings.CACHES
    settings.CACHES = {"default": {**caches_before["default"], "LOCATION": f"redis://127.0.0.1:"
                                                                            f"{silent.getsockname()[1]}/0"}}
    try:
        started = time.monotonic()
        with pytest.raises(redis.exceptions.TimeoutError):
            caches["default"].get("anything")
        assert time.monotonic() - started < settings.REDIS_TIMEOUT_S + 0.5
    finally:
        settings.CACHES = caches_before
        silent.close()
