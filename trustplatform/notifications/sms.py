"""Outgoing text messages: a small interface and the backends chosen by SMS_BACKEND.

The masking app adds the telephony provider (sandbox and Twilio-compatible) as another backend.
"""

import logging
import threading
import uuid

from django.conf import settings
from django.utils.module_loading import import_string

from trustplatform import pii

logger = logging.getLogger(__name__)


class SmsBackend:
    def send(self, *, to: str, body: str, sender: str) -> str:
        """Send one text and return the provider's message id; raise on failure."""
        raise NotImplementedError


class ConsoleSmsBackend(SmsBackend):
    """Writes texts to the log: the embedded default, so codes are visible on a bare machine.

    Only with DEBUG on (a developer's own machine) is the body written: elsewhere a text may carry a
    verification code or a link with a token, and those never reach a log.
    """

    def send(self, *, to: str, body: str, sender: str) -> str:
        message_id = f"console-{uuid.uuid4().hex[:16]}"
        # The recipient is masked even here.
        if settings.DEBUG:
            logger.warning("SMS %s to %s: %s", message_id, pii.mask_phone(to), body)
        else:
            logger.warning("SMS %s to %s (%s characters, not logged with DEBUG off)", message_id,
                           pii.mask_phone(to), len(body))
        return message_id


class LocmemSmsBackend(SmsBackend):
    """Keeps texts in memory (`outbox`), for tests that run in one process."""

    outbox: list[dict] = []
    _lock = threading.Lock()

    def send(self, *, to: str, body: str, sender: str) -> str:
        message_id = f"locmem-{uuid.uuid4().hex[:16]}"
        with self._lock:
            self.outbox.append({"id": message_id, "to": to, "body": body, "sender": sender})
        return message_id


def get_backend() -> SmsBackend:
    return import_string(settings.SMS_BACKEND)()
