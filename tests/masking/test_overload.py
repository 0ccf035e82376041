"""Telephony under overload: a shed webhook changes nothing and the provider's retry is routed as usual; the
numbers' fallback URL answers politely without the database; a stuck database answers 503 at once."""

import socket
import time
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.core.wsgi import get_wsgi_application
from django.test import RequestFactory
from twilio.request_validator import RequestValidator

from masking.models import Interaction
from tests.locks import held_elsewhere
from trustplatform.overload import ShedOverload

from .conftest import dialled, mobile, numbers_of, twiml

CONSUMER, RIDER = mobile(1), mobile(2)


def _signed_environ(params: dict) -> dict:
    path = "/hooks/telephony/voice/"
    signature = RequestValidator(settings.MASKING_SANDBOX_AUTH_TOKEN).compute_signature(
        settings.SITE_URL + path, params)
    return RequestFactory().post(path, urlencode(params), content_type="application/x-www-form-urlencoded",
                                 HTTP_X_TWILIO_SIGNATURE=signature).environ


def _aged_socket(age_s: float):
    """The server end of a loopback connection whose request arrived `age_s` ago."""
    listener = socket.create_server(("127.0.0.1", 0))
    client = socket.create_connection(listener.getsockname())
    client.sendall(b"POST /hooks/telephony/voice/ HTTP/1.1\r\n\r\n")
    time.sleep(age_s)
    server, _addr = listener.accept()
    return server, (listener, client, server)


def _call(app, environ):
    answer = {}

    def start_response(status, headers):
        answer["status"] = int(status[:3])

    return answer, b"".join(app(environ, start_response))


@pytest.mark.django_db
def test_a_shed_call_changes_nothing_and_the_providers_retry_is_connected(pool, open_session, telco):
    pool(3)
    session = open_session(consumer=CONSUMER, business=RIDER)
    numbers = numbers_of(session)
    params = {"CallSid": "CA" + "7" * 32, "AccountSid": "AC" + "1" * 32, "From": CONSUMER,
              "To": numbers["consumer"], "CallStatus": "ringing", "Direction": "inbound"}
    app = ShedOverload(get_wsgi_application())
    late, sockets = _aged_socket(0.15)
    try:
        answer, body = _call(app, {**_signed_environ(params), "gunicorn.socket": late})
    finally:
        for each in sockets:
            each.close()
    assert answer["status"] == 503 and body == b"overloaded"
    assert not Interaction.objects.exists()  # nothing stored, nothing counted: the retry starts afresh

    root = twiml(telco.call(caller=CONSUMER, proxy=numbers["consumer"], sid=params["CallSid"]))  # the retry
    assert dialled(root) == [(numbers["business"], RIDER)]
    assert Interaction.objects.get().outcome == "connected"


def test_the_fallback_answers_a_call_politely_in_korean_and_a_text_with_nothing(client):
    call = client.post("/hooks/telephony/fallback/", {"CallSid": "CA1", "From": CONSUMER, "To": "+8250"})
    root = twiml(call)
    say = root.find("Say")
    assert say is not None and say.get("language") == "ko-KR" and "잠시 후 다시 걸어 주세요" in say.text
    assert root.find("Hangup") is not None and dialled(root) == []
    text = twiml(client.post("/hooks/telephony/fallback/", {"MessageSid": "SM1", "Body": "안녕하세요"}))
    assert list(text) == []  # no reply: a reply costs money and tells a stranger the number is live
    assert client.get("/hooks/telephony/fallback/").status_code == 405


@pytest.mark.django_db(transaction=True)
def test_a_call_that_meets_a_stuck_database_gets_a_fast_503_and_no_half_written_event(pool, open_session,
                                                                                        telco):
    """The event row's insert waits on a lock past the web process's lock timeout: the provider gets a 503
    (it asks the fallback URL) within the timeout, and no event is stored; the retry is then routed."""
    pool(3)
    session = open_session(consumer=CONSUMER, business=RIDER)
    numbers = numbers_of(session)
    with held_elsewhere("LOCK TABLE masking_interaction IN EXCLUSIVE MODE"):
        started = time.monotonic()
        refused = telco.call(caller=CONSUMER, proxy=numbers["consumer"], sid="CA" + "8" * 32)
        waited = time.monotonic() - started
    assert refused.status_code == 503 and refused["Retry-After"] == "1" and waited < 2
    assert not Interaction.objects.exists()
    root = twiml(telco.call(caller=CONSUMER, proxy=numbers["consumer"], sid="CA" + "8" * 32))
    assert dialled(root) == [(numbers["business"], RIDER)]
