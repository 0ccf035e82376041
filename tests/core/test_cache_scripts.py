"""The Lua scripts behind the rate limits run on a connection of their own per thread: they must count
as the pool's client would, survive what a real Redis does (a restart, a flushed script cache, a killed
connection) and fail within the cache's timeout when Redis does not answer."""

import socket
import threading
import time

import pytest
import redis
from django.core.cache import cache

from trustplatform.api.throttling import _count
from trustplatform.cache_scripts import cache_script

pytestmark = pytest.mark.django_db

_INCR = "return redis.call('INCRBY', KEYS[1], ARGV[1])"


@pytest.fixture
def script(settings):
    assert "RedisCache" in settings.CACHES["default"]["BACKEND"]  # the suite runs with REDIS_URL
    key = cache.make_key("test:cache-scripts")
    cache.delete("test:cache-scripts")
    yield cache_script(_INCR), key
    cache.delete("test:cache-scripts")


def test_a_script_counts_on_the_cache_s_redis(script):
    run, key = script
    assert [run(keys=[key], args=[2]) for _ in range(3)] == [2, 4, 6]
    assert int(run.registered_client.get(key)) == 6


def test_threads_each_use_a_connection_of_their_own_and_lose_no_count(script):
    run, key = script
    seen = []

    def hammer():
        for _ in range(200):
            run(keys=[key], args=[1])
        seen.append(id(run._connection()))

    threads = [threading.Thread(target=hammer) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert int(run.registered_client.get(key)) == 800
    assert len(set(seen)) == 4


def test_a_server_without_the_script_gets_it_in_full_once(script):
    run, key = script
    run(keys=[key], args=[1])
    run.registered_client.script_flush()
    assert run(keys=[key], args=[1]) == 2
    assert run.registered_client.script_exists(run.sha) == [True]


def test_a_connection_the_server_closed_is_replaced_without_losing_the_call(script):
    run, key = script
    run(keys=[key], args=[1])
    connection = run._connection()
    connection.send_command("CLIENT", "ID")
    client_id = connection.read_response()
    assert run.registered_client.client_kill_filter(_id=client_id) == 1
    assert run(keys=[key], args=[1]) == 2
    assert int(run.registered_client.get(key)) == 2


def test_a_redis_that_does_not_answer_fails_the_call_within_the_timeout(settings):
    silent = socket.create_server(("127.0.0.1", 0))
    accepted = []
    threading.Thread(target=lambda: accepted.append(silent.accept()), daemon=True).start()
    before = settings.CACHES
    settings.CACHES = {"default": {**before["default"],
                                   "LOCATION": f"redis://127.0.0.1:{silent.getsockname()[1]}/0"}}
    try:
        started = time.monotonic()
        with pytest.raises(redis.exceptions.TimeoutError):
            _count("test:silent", timeout=60)
        assert time.monotonic() - started < settings.REDIS_TIMEOUT_S + 0.5
    finally:
        settings.CACHES = before
        silent.close()


def test_a_redis_that_is_gone_fails_the_call_at_once(settings):
    closed = socket.create_server(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    closed.close()
    before = settings.CACHES
    settings.CACHES = {"default": {**before["default"], "LOCATION": f"redis://127.0.0.1:{port}/0"}}
    try:
        with pytest.raises(redis.exceptions.ConnectionError):
            _count("test:gone", timeout=60)
    finally:
        settings.CACHES = before
