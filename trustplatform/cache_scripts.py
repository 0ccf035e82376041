"""Redis Lua scripts on the cache's own client (its pool, its timeouts), one per source per process.

Django's cache builds a new client object, a few hundred microseconds of Python, for every command; a
script registered once is sent by its digest (EVALSHA), and in full once if the server lacks it.
Without a Redis cache (the embedded default's files) there is no script: callers use the cache API.
"""

import functools

from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from django.core.signals import setting_changed
from django.dispatch import receiver


@functools.cache
def cache_script(source: str):
    """The registered script for `source` on the default cache's Redis, or None on another cache."""
    backend = caches["default"]
    if not isinstance(backend, RedisCache):
        return None
    return backend._cache.get_client(write=True).register_script(source)


@receiver(setting_changed)
def _cache_settings_changed(*, setting, **kwargs):
    if setting == "CACHES":
        cache_script.cache_clear()
