"""The default provider: no network. Webhooks are produced by the phone simulator page and signed
exactly as Twilio signs them, so the real webhook views and checks handle them."""

import logging
import uuid

from django.conf import settings
from twilio.request_validator import RequestValidator

from trustplatform import pii

from .base import TelephonyProvider

logger = logging.getLogger(__name__)

ACCOUNT_SID = "AC" + "0" * 32


def new_sid(prefix: str) -> str:
    return prefix + uuid.uuid4().hex


class SandboxProvider(TelephonyProvider):
    name = "sandbox"

    def auth_token(self) -> str:
        return settings.MASKING_SANDBOX_AUTH_TOKEN

    def sign(self, *, url: str, params: dict) -> str:
        return RequestValidator(self.auth_token()).compute_signature(url, params)

    def message_send(self, *, to: str, sender: str, body: str) -> str:
        sid = new_sid("SM")
        logger.info("sandbox text %s to %s", sid, pii.mask_phone(to))
        return sid

    def call_create(self, *, to: str, caller_id: str, answer_url: str) -> str:
        # The simulator page "answers" it by posting the signed request to answer_url.
        sid = new_sid("CA")
        logger.info("sandbox call %s to %s", sid, pii.mask_phone(to))
        return sid

    def deliver(self, *, path: str, params: dict) -> tuple[int, str]:
        """Post a signed webhook through the whole Django stack in-process, as the network would."""
        from django.test import Client  # the sandbox's stand-in for the telephone network

        url = settings.SITE_URL + path
        host = settings.SITE_URL.split("://", 1)[1].split("/", 1)[0]
        client = Client(HTTP_HOST=host, enforce_csrf_checks=True)
        response = client.post(path, params, HTTP_X_TWILIO_SIGNATURE=self.sign(url=url, params=params),
                               secure=settings.SITE_URL.startswith("https://"))
        return response.status_code, response.content.decode()
