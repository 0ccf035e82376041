"""API calls and providers' webhooks go down a shorter middleware chain than pages do.

A JSON or webhook answer has no use for what only pages need, and each middleware costs every request
its Python: the page chain took about 0.4 ms of a 1.5 ms API read. `ApiChainMiddleware`, first in
MIDDLEWARE, sends requests under MACHINE_PREFIXES (the API and /hooks/) down a second chain built from
the same MIDDLEWARE list, in the same order, without the entries of SKIPPED below; everything else
(security headers, sessions, language, the error shape, authentication, the replica pin, second
factors, the audit actor, login lockouts) runs as on pages.

What the skipped middleware gave such an answer is given here instead, where it still matters:
- a Content-Security-Policy that forbids everything (a JSON body has nothing to load or frame);
- X-Frame-Options DENY.
CSRF: every view under MACHINE_PREFIXES is csrf-exempt (DRF's views are, webhooks are signed; the test
walks the URL patterns), and DRF's SessionAuthentication checks the token itself for a logged-in
browser's unsafe requests.

A request there that carries no cookie and no Authorization header cannot be anyone, so it takes a third,
shorter chain (`ANONYMOUS_SKIPPED` left out as well) when it only reads (GET, HEAD, OPTIONS) or is a
provider's webhook (under /hooks/, signed, never a sign-in): what only a signed-in person needs (their
session, the user behind it, the second factor, the audit actor, the sign-in lockout) has nothing to
work on. Such a request gets the anonymous user and an empty session that is never saved, as the full
chain would give it. Sign-ins and every other anonymous write keep the full chain, lockouts included.
A provider's webhook among them also leaves out the language negotiation (`WEBHOOK_SKIPPED`): it is
answered in LANGUAGE_CODE.
"""

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.handlers.base import BaseHandler
from django.utils import translation

from .middleware import API_PREFIX

MACHINE_PREFIXES = (API_PREFIX, "/hooks/")

# What pages need and API answers do not, with the reason.
SKIPPED = {
    # Static files are never under these prefixes.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # The page policy is built per request (nonces); API answers get the fixed policy below.
    "csp.middleware.CSPMiddleware",
    # Every view there is csrf-exempt (webhooks are signed); DRF's SessionAuthentication checks the token.
    "django.middleware.csrf.CsrfViewMiddleware",
    # Flash messages are shown by pages only; no API view adds one.
    "django.contrib.messages.middleware.MessageMiddleware",
    # Replaced by the fixed header below.
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
}
# What a request with no cookie and no credentials has no use for, with the reason.
ANONYMOUS_SKIPPED = {
    # No session cookie: the session would be empty and, as nothing here writes one, never saved.
    "django.contrib.sessions.middleware.SessionMiddleware",
    # No session and no token: the user is the anonymous one, set directly.
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Wraps a signed-in user's second factor.
    "django_otp.middleware.OTPMiddleware",
    # Stops signed-in staff without their second factor.
    "trustplatform.accounts.second_factor.StaffSecondFactorMiddleware",
    # Records a signed-in actor on audit rows; an anonymous request has none.
    "trustplatform.audit.middleware.ActorMiddleware",
    # Answers a locked-out sign-in; no sign-in takes this chain (reads and webhooks only).
    "axes.middleware.AxesMiddleware",
}
# What a provider's webhook (anonymous, under /hooks/) has no use for besides, with the reason.
WEBHOOK_SKIPPED = {
    # Providers send no Accept-Language and read no Korean: a webhook is answered in the platform's
    # language (LANGUAGE_CODE), activated directly, so a language a page set on this thread never leaks in.
    "django.middleware.locale.LocaleMiddleware",
}
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
WEBHOOK_PREFIX = "/hooks/"
API_HEADERS = (
    ("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; "
                                "form-action 'none'"),
    ("X-Frame-Options", "DENY"),
)


def api_middleware(configured: list[str]) -> list[str]:
    """The API chain: the configured middleware in its order, without this one and SKIPPED."""
    return [path for path in configured if path not in SKIPPED and path != f"{__name__}.ApiChainMiddleware"]


def anonymous_middleware(configured: list[str]) -> list[str]:
    """The anonymous chain: the API chain without ANONYMOUS_SKIPPED."""
    return [path for path in api_middleware(configured) if path not in ANONYMOUS_SKIPPED]


def webhook_middleware(configured: list[str]) -> list[str]:
    """The webhook chain: the anonymous chain without WEBHOOK_SKIPPED."""
    return [path for path in anonymous_middleware(configured) if path not in WEBHOOK_SKIPPED]


def is_anonymous_machine_request(request) -> bool:
    """No cookie, no Authorization header, and a read or a provider's webhook."""
    meta = request.META
    if meta.get("HTTP_COOKIE") or meta.get("HTTP_AUTHORIZATION"):
        return False
    return request.method in SAFE_METHODS or request.path_info.startswith(WEBHOOK_PREFIX)


class _ApiHandler(BaseHandler):
    """Django's own chain builder (view, exception and template-response hooks included) over the API list."""

    def __init__(self, middleware: list[str]):
        super().__init__()
        self.middleware = middleware
        self.load_middleware()

    def load_middleware(self, is_async=False):
        # BaseHandler reads the list from settings; it is set for the build only, once per handler.
        configured = settings.MIDDLEWARE
        settings.MIDDLEWARE = self.middleware
        try:
            super().load_middleware(is_async)
        finally:
            settings.MIDDLEWARE = configured


class ApiChainMiddleware:
    """First in MIDDLEWARE: requests under MACHINE_PREFIXES take the short chain, the rest the page chain."""

    def __init__(self, get_response):
        from django.contrib.sessions.backends.base import SessionBase

        self.get_response = get_response
        configured = list(settings.MIDDLEWARE)
        self.api_chain = _ApiHandler(api_middleware(configured))._middleware_chain
        self.anonymous_chain = _ApiHandler(anonymous_middleware(configured))._middleware_chain
        self.webhook_chain = _ApiHandler(webhook_middleware(configured))._middleware_chain
        self.empty_session = SessionBase  # no key, no store: reads find nothing, nothing is saved

    def __call__(self, request):
        if not request.path_info.startswith(MACHINE_PREFIXES):
            return self.get_response(request)
        if is_anonymous_machine_request(request):
            request.user = AnonymousUser()
            request.session = self.empty_session()
            if request.path_info.startswith(WEBHOOK_PREFIX):
                translation.activate(settings.LANGUAGE_CODE)
                request.LANGUAGE_CODE = settings.LANGUAGE_CODE
                response = self.webhook_chain(request)
                response.headers.setdefault("Content-Language", settings.LANGUAGE_CODE)
            else:
                response = self.anonymous_chain(request)
        else:
            response = self.api_chain(request)
        for header, value in API_HEADERS:
            response.headers.setdefault(header, value)
        return response
