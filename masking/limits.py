"""Hourly counters for abuse limits: INCR + EXPIRE in one Redis round trip, atomic across workers.

Without REDIS_URL (the embedded setup) Django's cache stands in; it is per machine, which is
what the embedded setup is.
"""

import functools
import time

import redis
from django.conf import settings
from django.core.cache import cache

WINDOW_S = 3600


@functools.cache
def _redis() -> redis.Redis:
    # redis-py's pool notices a fork (gunicorn, Celery prefork) and reconnects in the child.
    return redis.Redis.from_url(settings.REDIS_URL)


def _key(name: str, bucket: int) -> str:
    prefix = getattr(settings, "CACHES", {}).get("default", {}).get("KEY_PREFIX", "ansim")
    return f"{prefix}:masking:limit:{name}:{bucket}"


def counters_hit(counters: dict[str, int]) -> bool:
    """Count one more event on every counter (`name -> hourly limit`); True if all are within it."""
    if not counters:
        return True
    bucket = int(time.time()) // WINDOW_S
    keys = {name: _key(name, bucket) for name in counters}
    if settings.REDIS_URL:
        pipe = _redis().pipeline(transaction=True)
        for key in keys.values():
            pipe.incr(key)
            pipe.expire(key, WINDOW_S + 60)
        values = pipe.execute()[::2]
    else:
        values = []
        for key in keys.values():
            cache.add(key, 0, WINDOW_S + 60)
            values.append(cache.incr(key))
    return all(value <= counters[name] for name, value in zip(keys, values, strict=True))


def counters_reset() -> None:
    """Forget every masking counter (tests, and staff after an incident)."""
    if settings.REDIS_URL:
        client = _redis()
        for key in client.scan_iter(match=_key("*", 0).rsplit(":", 2)[0] + ":*", count=1000):
            client.delete(key)
    else:
        cache.clear()
