"""Who is calling (the client address behind our proxies) and how often they may do a thing.

The address is REMOTE_ADDR unless TRUSTED_PROXY_COUNT proxies stand in front of the site; then it is
the address the outermost of them saw, read from the right of X-Forwarded-For, so a client cannot
choose it by sending the header itself. DRF's throttles, axes' lockouts and the budgets below all
count by this one address.
"""

import time

from django.conf import settings
from django.core.cache import cache
from rest_framework.throttling import SimpleRateThrottle


def client_ip(request) -> str:
    """The caller's address, as the proxies we trust report it (also axes' AXES_CLIENT_IP_CALLABLE)."""
    remote = request.META.get("REMOTE_ADDR", "")
    proxies = settings.TRUSTED_PROXY_COUNT
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if not proxies or not forwarded:
        return remote
    # Each proxy appends the address it received the request from: the client's is `proxies` from the end.
    hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
    return hops[-min(proxies, len(hops))] if hops else remote


def budget_spend(*, scope: str, ident: str, limit: int, seconds: int) -> bool:
    """Count one use of `scope` by `ident` in the current window of `seconds`; False past `limit`.

    The count is one atomic INCR in Redis, so parallel requests cannot all slip under the limit.
    """
    window = int(time.time() // seconds)
    key = f"budget:{scope}:{ident}:{window}"
    cache.add(key, 0, timeout=seconds + 60)
    try:
        used = cache.incr(key)
    except ValueError:  # the key expired between add and incr
        cache.add(key, 1, timeout=seconds + 60)
        used = 1
    return used <= limit


class CallerRateThrottle(SimpleRateThrottle):
    """One rate limit per caller: the user when logged in, else the client address.

    A single throttle (instead of DRF's anon + user pair) costs one cache round trip per request.
    """

    def __init__(self):
        # The rate depends on who calls, so it is chosen per request in allow_request.
        pass

    def allow_request(self, request, view):
        self.scope = "user" if request.user and request.user.is_authenticated else "anon"
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)

    def get_ident(self, request):
        return client_ip(request)

    def get_cache_key(self, request, view):
        ident = f"u{request.user.pk}" if self.scope == "user" else self.get_ident(request)
        return f"throttle:{self.scope}:{ident}"
