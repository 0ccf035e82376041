"""Load shedding: a request that waited too long for a worker is answered at once, before any work.

A sync worker takes the next connection only when it is free, so under overload requests wait in the
kernel's accept queue, and the wait grows for as long as more arrive than are served. A phone call whose
routing answer comes 5 s late is a lost call, and a browser that waited 10 s has given up; working on
either spends the CPU that the requests behind it needed.

`ShedOverload` wraps the WSGI application (trustplatform/wsgi.py). It reads how long ago the request's
bytes reached this machine:
- from the socket gunicorn hands the application (`gunicorn.socket`): Linux's TCP_INFO says how many
  milliseconds ago the last data arrived on the connection, and the request is the last thing the client
  sent; no clock is shared with anyone;
- or, behind a front proxy that stamps it and only when `OVERLOAD_TRUST_REQUEST_START` says so, from
  `X-Request-Start` (nginx `t=${msec}`, or milliseconds or microseconds since the epoch).

Past the budget of the request's class (settings.OVERLOAD_BUDGETS_MS) the answer is a 503 with
`Retry-After`, built before Django sees the request, so nothing is read, written or counted:
- telephony webhooks: Twilio requests the number's fallback URL on a 5xx, at once, so the caller hears
  the fallback's message instead of silence (`/hooks/telephony/fallback/` is one that needs no database;
  better still, a TwiML Bin held by the provider);
- other webhooks (payments): the provider delivers the event again later; events are deduplicated;
- the API: `{"code": "overloaded", ...}`, the API's error shape;
- pages: a short Korean page that asks to try again.
The health check and the telephony fallback are never shed. A budget of 0 turns shedding off for a class.
"""

import json
import logging
import socket
import struct
import time

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

# struct tcp_info (linux/tcp.h): eight one-byte fields, then u32s; tcpi_last_data_recv is the 12th u32.
_TCP_INFO_LAST_DATA_RECV = 8 + 11 * 4
_TCP_INFO_SIZE = 104
NEVER_SHED = ("/healthz/", "/hooks/telephony/fallback/")
RETRY_AFTER_S = "1"


def request_class(path: str) -> str:
    if path.startswith("/hooks/telephony/"):
        return "telephony"
    if path.startswith("/hooks/"):
        return "hooks"
    if path.startswith("/api/"):
        return "api"
    return "pages"


def socket_age_ms(sock) -> float | None:
    """Milliseconds since the last bytes arrived on this TCP connection (Linux); None where unknown."""
    try:
        info = sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, _TCP_INFO_SIZE)
    except (AttributeError, OSError):  # not TCP (a unix socket behind a proxy), or not Linux
        return None
    if len(info) < _TCP_INFO_LAST_DATA_RECV + 4:
        return None
    return float(struct.unpack_from("I", info, _TCP_INFO_LAST_DATA_RECV)[0])


def stamp_age_ms(value: str, now: float) -> float | None:
    """The age of an `X-Request-Start` stamp: `t=1700000000.123` (seconds), milliseconds or microseconds."""
    value = value.strip()
    if value.startswith("t="):
        value = value[2:]
    try:
        stamp = float(value)
    except ValueError:
        return None
    if stamp > 1e14:  # microseconds
        stamp /= 1e6
    elif stamp > 1e11:  # milliseconds
        stamp /= 1e3
    if stamp <= 0:
        return None
    return max(0.0, (now - stamp) * 1000)


def queue_age_ms(environ: dict, *, trust_stamp: bool) -> float | None:
    """How long this request has waited on this machine before its worker took it up."""
    if trust_stamp and "HTTP_X_REQUEST_START" in environ:
        age = stamp_age_ms(environ["HTTP_X_REQUEST_START"], time.time())
        if age is not None:
            return age
    sock = environ.get("gunicorn.socket")
    return socket_age_ms(sock) if sock is not None else None


def _answers() -> dict[tuple[str, str], tuple[str, bytes]]:
    """(class, language) -> (content type, body), built once: shedding must cost next to nothing."""
    answers = {}
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            detail = _("Too many requests are waiting right now. Try again in a moment.")
            page = _("Ansim is busy right now. Please try again in a moment.")
            title = _("Please try again")
        api = json.dumps({"code": "overloaded", "detail": detail, "fields": {}}, ensure_ascii=False)
        html = (f'<!doctype html><html lang="{language}"><meta charset="utf-8">'
                f'<meta name="viewport" content="width=device-width, initial-scale=1">'
                f"<title>{title}</title><p>{page}</p></html>")
        answers[("api", language)] = ("application/json", api.encode())
        answers[("hooks", language)] = ("application/json", api.encode())
        answers[("telephony", language)] = ("text/plain; charset=utf-8", b"overloaded")
        answers[("pages", language)] = ("text/html; charset=utf-8", html.encode())
    return answers


def _language(environ: dict) -> str:
    accept = environ.get("HTTP_ACCEPT_LANGUAGE", "")
    return "en" if accept[:2].lower() == "en" else settings.LANGUAGE_CODE


class ShedOverload:
    """WSGI middleware, outermost: refuse at once what waited past its class's budget."""

    def __init__(self, application):
        self.application = application
        self.budgets = {name: float(ms) for name, ms in settings.OVERLOAD_BUDGETS_MS.items()}
        self.trust_stamp = settings.OVERLOAD_TRUST_REQUEST_START
        self.answers = _answers()
        self.shed = 0  # since the last log line
        self.logged_at = 0.0

    def __call__(self, environ, start_response):
        if any(self.budgets.values()):
            path = environ.get("PATH_INFO", "")
            kind = request_class(path)
            budget = self.budgets.get(kind, 0)
            if budget and not path.startswith(NEVER_SHED):
                age = queue_age_ms(environ, trust_stamp=self.trust_stamp)
                if age is not None and age > budget:
                    return self._refuse(kind, age, budget, environ, start_response)
        return self.application(environ, start_response)

    def _refuse(self, kind: str, age: float, budget: float, environ, start_response):
        content_type, body = self.answers[(kind, _language(environ))]
        start_response("503 Service Unavailable", [
            ("Content-Type", content_type), ("Content-Length", str(len(body))),
            ("Retry-After", RETRY_AFTER_S), ("Cache-Control", "no-store"),
            ("X-Ansim-Shed", f"{kind};queued={age:.0f}ms;budget={budget:.0f}ms"),
        ])
        self.shed += 1
        now = time.monotonic()
        if now - self.logged_at >= 1.0:  # one line a second per process, not one per refusal
            logger.warning("overload: shed %d request(s); the last, %s, waited %.0f ms (budget %.0f ms)",
                           self.shed, kind, age, budget)
            self.shed, self.logged_at = 0, now
        return [body]


# --- A dependency that did not answer in time ------------------------------------------------------------


def busy_dependency(exc: BaseException) -> str | None:
    """"database" or "cache" when `exc` is a timeout of that hop (a statement or lock timeout of a web
    process, a Redis command past REDIS_TIMEOUT_S): the request can be tried again, and its transaction
    was rolled back, so nothing of it is stored."""
    import psycopg.errors
    import redis.exceptions
    from django.db import OperationalError

    cause = exc.__cause__ if isinstance(exc, OperationalError) else exc
    if isinstance(cause, psycopg.errors.QueryCanceled | psycopg.errors.LockNotAvailable):
        return "database"
    if isinstance(exc, redis.exceptions.TimeoutError | redis.exceptions.ConnectionError):
        return "cache"
    return None


def busy_detail() -> str:
    return _("The service is busy right now and nothing was changed. Try again in a moment.")


def busy_response(request_path: str, language: str):
    """The 503 for a request a dependency timed out on, in the shape its class expects."""
    from django.http import HttpResponse

    kind = request_class(request_path)
    with translation.override(language):
        detail = busy_detail()
        if kind in ("api", "hooks"):
            body = json.dumps({"code": "busy", "detail": detail, "fields": {}}, ensure_ascii=False)
            response = HttpResponse(body, status=503, content_type="application/json")
        elif kind == "telephony":  # the provider asks the number's fallback URL
            response = HttpResponse(b"busy", status=503, content_type="text/plain; charset=utf-8")
        else:
            response = HttpResponse(f'<!doctype html><html lang="{language}"><meta charset="utf-8">'
                                    f"<title>{_('Please try again')}</title><p>{detail}</p></html>",
                                    status=503, content_type="text/html; charset=utf-8")
    response["Retry-After"] = RETRY_AFTER_S
    response["Cache-Control"] = "no-store"
    return response


class BusyDependencyMiddleware:
    """A statement, lock or Redis timeout becomes a 503 that says to try again, not a 500."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        which = busy_dependency(exception)
        if which is None:
            return None
        logger.warning("busy: %s did not answer in time for %s (%s)", which, request.path_info,
                       type(exception.__cause__ or exception).__name__)
        return busy_response(request.path_info, translation.get_language() or settings.LANGUAGE_CODE)
