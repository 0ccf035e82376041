"""The Twilio adapter through the official package, with its HTTP layer replaced (no network)."""

import json

import pytest
from twilio.http import HttpClient
from twilio.http.response import Response

from masking.providers import ProviderError
from masking.providers.twilio import TwilioProvider


class FakeTwilioHttp(HttpClient):
    def __init__(self, status=201):
        import logging

        super().__init__(logging.getLogger("tests.twilio"), False)
        self.status = status
        self.requests = []

    def request(self, method, url, params=None, data=None, headers=None, auth=None, timeout=None,
                allow_redirects=False):
        self.requests.append({"method": method, "url": url, "data": data})
        prefix = "CA" if "/Calls" in url else "SM"
        body = ({"sid": prefix + "f" * 32} if self.status < 400
                else {"code": 21211, "message": "bad", "status": 400})
        return Response(self.status, json.dumps(body))


@pytest.fixture
def twilio_settings(settings):
    settings.TWILIO_ACCOUNT_SID = "AC" + "a" * 32
    settings.TWILIO_AUTH_TOKEN = "twilio-token"
    return settings


def test_texts_and_calls_go_through_the_rest_client(twilio_settings):
    http = FakeTwilioHttp()
    provider = TwilioProvider(http_client=http)
    assert provider.message_send(to="+821020000001", sender="+8215880000", body="배달 완료").startswith("SM")
    assert provider.call_create(to="+821020000002", caller_id="+825051000001",
                                answer_url="https://ansim.example.kr/hooks/telephony/bridge/x/").startswith("CA")
    text, call = http.requests
    assert text["url"].endswith("/Messages.json") and text["data"]["To"] == "+821020000001"
    assert call["data"]["From"] == "+825051000001" and call["data"]["Url"].startswith("https://")


def test_a_refusal_is_a_provider_error_without_the_number(twilio_settings):
    provider = TwilioProvider(http_client=FakeTwilioHttp(status=400))
    with pytest.raises(ProviderError) as refused:
        provider.message_send(to="+821020000001", sender="+8215880000", body="x")
    assert "20000001" not in str(refused.value)


def test_webhook_signatures_use_the_twilio_auth_token(twilio_settings):
    from twilio.request_validator import RequestValidator

    url, params = "https://ansim.example.kr/hooks/telephony/voice/", {"CallSid": "CA1", "From": "+1"}
    signature = RequestValidator("twilio-token").compute_signature(url, params)
    provider = TwilioProvider()
    assert provider.request_is_valid(url=url, params=params, signature=signature)
    assert not provider.request_is_valid(url=url, params={**params, "From": "+2"}, signature=signature)
    assert not provider.request_is_valid(url=url, params=params, signature="")
