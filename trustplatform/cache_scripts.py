"""Redis Lua scripts on the cache's Redis (its server, its timeouts), one per source per process.

Django's cache builds a new client object, a few hundred microseconds of Python, for every command; a
script registered once is sent by its digest (EVALSHA), and in full once if the server lacks it.

The scripts run on the hot paths (the API's rate limit on every call, the telephony limits on every
webhook), so a call goes straight down one connection of its own per thread instead of through
redis-py's pool: the pool's lock, its check that an idle connection has nothing to read (a system call)
and its retry and metrics wrappers took 38 µs of CPU of a 50 µs script call. Errors are redis-py's as
the pool raises them (the overload middleware answers a Redis timeout with 503); a connection that
failed is dropped, and a call that finds its idle connection closed by the server (a Redis restart)
tries once more on a new one, as the pool does.

Without a Redis cache (the embedded default's files) there is no script: callers use the cache API.
"""

import functools
import os
import threading

import redis.exceptions
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from django.core.signals import setting_changed
from django.dispatch import receiver


class CacheScript:
    """One Lua script on the cache's Redis: `script(keys=[...], args=[...])` returns its reply."""

    def __init__(self, client, source: str):
        # For callers that need other commands on the same Redis (a reset, a scan).
        self.registered_client = client
        self.source = source
        self.sha = client.register_script(source).sha
        pool = client.connection_pool
        self._connection_class = pool.connection_class
        self._connection_kwargs = dict(pool.connection_kwargs)
        self._local = threading.local()

    def _connection(self):
        local = self._local
        connection = getattr(local, "connection", None)
        if connection is None or local.pid != os.getpid():  # none yet, or inherited across a fork
            connection = self._connection_class(**self._connection_kwargs)
            local.connection, local.pid = connection, os.getpid()
        return connection

    def _run(self, connection, keys, args):
        try:
            connection.send_command("EVALSHA", self.sha, len(keys), *keys, *args)
            return connection.read_response()
        except redis.exceptions.NoScriptError:  # a restarted or flushed server: send it in full once
            connection.send_command("EVAL", self.source, len(keys), *keys, *args)
            return connection.read_response()

    def __call__(self, *, keys, args=()):
        connection = self._connection()
        reused = connection.is_connected
        try:
            return self._run(connection, keys, args)
        except redis.exceptions.ConnectionError:
            connection.disconnect()
            if not reused:
                raise
            # The idle connection was closed under us (a restart, the server's idle timeout).
            try:
                return self._run(connection, keys, args)
            except (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError):
                connection.disconnect()
                raise
        except (redis.exceptions.TimeoutError, OSError):
            # A reply may still be on its way: this connection can no longer be trusted to be in step.
            connection.disconnect()
            raise


@functools.cache
def cache_script(source: str) -> CacheScript | None:
    """The registered script for `source` on the default cache's Redis, or None on another cache."""
    backend = caches["default"]
    if not isinstance(backend, RedisCache):
        return None
    return CacheScript(backend._cache.get_client(write=True), source)


@receiver(setting_changed)
def _cache_settings_changed(*, setting, **kwargs):
    if setting == "CACHES":
        cache_script.cache_clear()
