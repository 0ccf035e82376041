"""Twilio (or any Twilio-compatible carrier API) through the official `twilio` package."""

import functools

from django.conf import settings
from twilio.base.exceptions import TwilioException
from twilio.rest import Client

from .base import ProviderError, TelephonyProvider


class TwilioProvider(TelephonyProvider):
    name = "twilio"

    def __init__(self, *, http_client=None) -> None:
        self._http_client = http_client

    def auth_token(self) -> str:
        return settings.TWILIO_AUTH_TOKEN

    @functools.cached_property
    def client(self) -> Client:
        return Client(settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN, http_client=self._http_client)

    def message_send(self, *, to: str, sender: str, body: str) -> str:
        try:
            return self.client.messages.create(to=to, from_=sender, body=body).sid
        except TwilioException as exc:
            # Twilio's messages name no number of ours beyond what we sent; keep the status only.
            raise ProviderError(f"twilio refused the text: {getattr(exc, 'status', '?')}") from None

    def call_create(self, *, to: str, caller_id: str, answer_url: str) -> str:
        try:
            return self.client.calls.create(to=to, from_=caller_id, url=answer_url, method="POST").sid
        except TwilioException as exc:
            raise ProviderError(f"twilio refused the call: {getattr(exc, 'status', '?')}") from None
