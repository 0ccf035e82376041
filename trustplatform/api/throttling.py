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

from trustplatform.cache_scripts import cache_script


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


# INCR the counter (giving it its lifetime when this made it) and read the other one: one command, one
# answer, atomic, where a pipeline of INCR, EXPIRE and GET costs three replies to parse.
_COUNT_SCRIPT = """
local used = redis.call('INCR', KEYS[1])
if used == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
local other = 0
if #KEYS > 1 then other = tonumber(redis.call('GET', KEYS[2]) or '0') end
return {used, other}
"""


def _redis_script():
    """The counting script on the cache's Redis (trustplatform/cache_scripts.py), or None."""
    return cache_script(_COUNT_SCRIPT)


def _count(key: str, *, timeout: int, also_read: str | None = None) -> tuple[int, int]:
    """Add one to the counter `key` (kept `timeout` seconds) and read the counter `also_read`.

    On Redis this is one script, one round trip, atomic, so parallel requests cannot all slip under a
    limit; on another cache (the embedded default's files) the cache API.
    """
    script = _redis_script()
    if script is not None:
        keys = [cache.make_key(key)]
        if also_read:
            keys.append(cache.make_key(also_read))
        used, other = script(keys=keys, args=[timeout])
        return int(used), int(other)
    cache.add(key, 0, timeout=timeout)
    try:
        used = cache.incr(key)
    except ValueError:  # the key expired between add and incr
        cache.add(key, 1, timeout=timeout)
        used = 1
    return used, int(cache.get(also_read) or 0) if also_read else 0


def budget_spend(*, scope: str, ident: str, limit: int, seconds: int) -> bool:
    """Count one use of `scope` by `ident` in the current window of `seconds`; False past `limit`."""
    window = int(time.time() // seconds)
    used, _ = _count(f"budget:{scope}:{ident}:{window}", timeout=seconds + 60)
    return used <= limit


class CallerRateThrottle(SimpleRateThrottle):
    """One rate limit per caller: the user when logged in, else the client address.

    A sliding-window counter: this window's count plus the previous window's, weighted by how much of
    it still lies within the last `duration` seconds (no burst of twice the rate across a window's
    edge, as a fixed window allows). One Redis round trip per request, where DRF's request log takes
    two (GET, then SET of the whole list). Refused requests count too: a caller who keeps hammering
    stays refused.
    """

    def __init__(self):
        # The rate depends on who calls, so it is chosen per request in allow_request.
        self.wait_seconds = None

    def allow_request(self, request, view):
        self.scope = "user" if request.user and request.user.is_authenticated else "anon"
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        if self.rate is None:
            return True
        key = self.get_cache_key(request, view)
        window, into = divmod(self.timer(), self.duration)
        current, previous = _count(
            f"{key}:{int(window)}", timeout=2 * self.duration + 1, also_read=f"{key}:{int(window) - 1}"
        )
        if previous * (1 - into / self.duration) + current <= self.num_requests:
            return True
        self.wait_seconds = self.duration - into
        return False

    def wait(self):
        return self.wait_seconds

    def get_ident(self, request):
        return client_ip(request)

    def get_cache_key(self, request, view):
        ident = f"u{request.user.pk}" if self.scope == "user" else self.get_ident(request)
        return f"throttle:{self.scope}:{ident}"
