"""Outgoing text messages: a small interface and the backends chosen by SMS_BACKEND.

The masking app adds the telephony provider (sandbox and Twilio-compatible) as another backend;
`solapi.py` is the Korean provider (SMS/LMS and 알림톡 with delivery reports).
"""

import logging
import threading
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.utils.module_loading import import_string

from trustplatform import pii

logger = logging.getLogger(__name__)


# Korean carriers take a short text (SMS) of up to 90 bytes in EUC-KR: 2 bytes a Hangul syllable, 1 an
# ASCII letter. Anything longer goes as a long text (LMS) of up to 2,000 bytes.
SMS_MAX_BYTES = 90


def text_bytes(body: str) -> int:
    """The size of `body` as the carriers count it (EUC-KR); a character EUC-KR lacks counts 2."""
    return sum(len(char.encode("euc-kr")) if _in_euc_kr(char) else 2 for char in body)


def _in_euc_kr(char: str) -> bool:
    try:
        char.encode("euc-kr")
    except UnicodeEncodeError:
        return False
    return True


def text_type(body: str) -> str:
    """"SMS" for a text that fits a short message, else "LMS"."""
    return "SMS" if text_bytes(body) <= SMS_MAX_BYTES else "LMS"


class SmsRejected(Exception):
    """The provider refused this text for good (a bad number, a blocked recipient): sending it again
    would be refused again."""

    def __init__(self, message: str, *, code: str = "") -> None:
        super().__init__(message)
        self.code = code


class SmsUnavailable(ConnectionError):
    """The provider could not be reached or failed on its side (5xx): worth trying again later. A
    ConnectionError, so the delivery task retries it with backoff."""


@dataclass(frozen=True)
class Sent:
    """What a provider accepted: its message id, how it goes (SMS, LMS, ATA = 알림톡), and whether a
    알림톡 refused at once was sent as a text instead."""

    message_id: str
    sent_as: str = ""
    group_id: str = ""
    fell_back: bool = False


class SmsBackend:
    # The name its delivery reports come under; "" for a backend that reports nothing.
    provider = ""

    def send(self, *, to: str, body: str, sender: str) -> str:
        """Send one text and return the provider's message id; raise on failure."""
        raise NotImplementedError

    def deliver(self, *, to: str, body: str, sender: str, kind: str = "", reference: str = "") -> Sent:
        """Send the text of a notice of `kind` (a backend may choose 알림톡 for it); `reference` is
        ours, for a backend whose reports carry it back."""
        return Sent(message_id=self.send(to=to, body=body, sender=sender), sent_as=text_type(body))


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
