"""Hourly counters for abuse limits: one Redis script per event (INCR, EXPIRE), atomic across workers.

Without REDIS_URL (the embedded setup) Django's cache stands in; it is per machine, which is
what the embedded setup is.
"""

import time

import redis
from django.conf import settings
from django.core.cache import cache

from trustplatform.cache_scripts import cache_script

WINDOW_S = 3600


# Every counter: INCR, and EXPIRE when this INCR created it; one script, one round trip, atomic.
_HIT_SCRIPT = """
local values = {}
for i, key in ipairs(KEYS) do
  values[i] = redis.call('INCR', key)
  if values[i] == 1 then redis.call('EXPIRE', key, ARGV[1]) end
end
return values
"""


def _script():
    """The script on the cache's Redis (its pool, its timeouts; trustplatform/cache_scripts.py), or None."""
    return cache_script(_HIT_SCRIPT)


def _redis() -> redis.Redis:
    return _script().registered_client


def _key(name: str, bucket: int) -> str:
    prefix = getattr(settings, "CACHES", {}).get("default", {}).get("KEY_PREFIX", "ansim")
    return f"{prefix}:masking:limit:{name}:{bucket}"


def counters_hit(counters: dict[str, int]) -> bool:
    """Count one more event on every counter (`name -> hourly limit`); True if all are within it."""
    if not counters:
        return True
    bucket = int(time.time()) // WINDOW_S
    keys = {name: _key(name, bucket) for name in counters}
    script = _script()
    if script is not None:
        values = script(keys=list(keys.values()), args=[WINDOW_S + 60])
    else:
        values = []
        for key in keys.values():
            cache.add(key, 0, WINDOW_S + 60)
            values.append(cache.incr(key))
    return all(value <= counters[name] for name, value in zip(keys, values, strict=True))


def counters_reset() -> None:
    """Forget every masking counter (tests, and staff after an incident)."""
    if _script() is not None:
        client = _redis()
        for key in client.scan_iter(match=_key("*", 0).rsplit(":", 2)[0] + ":*", count=1000):
            client.delete(key)
    else:
        cache.clear()
