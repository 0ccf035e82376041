"""The phone simulator (sandbox only): plays the telephone network for demos and browser tests.

It sends the same signed webhook requests Twilio would, through the whole Django stack, and
reads the TwiML answer back as a person would experience it, with no digit of a real number shown.
"""

import re
import uuid
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

from django.urls import reverse
from django.utils.translation import gettext as _

from trustplatform import pii

from .models import Interaction
from .numbers import format_number
from .providers import get_provider
from .providers.sandbox import ACCOUNT_SID, SandboxProvider


class SimulatorUnavailable(Exception):
    pass


@dataclass
class Outcome:
    """What the person at each end would see or hear."""

    status: int
    connected: bool = False
    lines: list[str] = field(default_factory=list)


def _sandbox() -> SandboxProvider:
    provider = get_provider()
    if not isinstance(provider, SandboxProvider):
        raise SimulatorUnavailable
    return provider


def _hidden(e164: str) -> str:
    """The other side's real number as the page may show it: its prefix and shape, no other digit."""
    masked = pii.mask_phone(e164)  # 010-****-5678
    return masked[:3] + re.sub(r"\d", "*", masked[3:])


def _read(status: int, body: str) -> Outcome:
    outcome = Outcome(status=status)
    if status != 200:
        outcome.lines.append(_("The platform refused the request (HTTP %(status)s).") % {"status": status})
        return outcome
    # Real numbers are masked before anything reaches the page.
    root = ET.fromstring(body)
    for dial in root.iter("Dial"):
        for number in dial.iter("Number"):
            outcome.connected = True
            outcome.lines.append(_("Call bridged: %(callee)s rings and sees %(proxy)s.") % {
                "callee": _hidden(number.text or ""),
                "proxy": format_number(dial.get("callerId", ""))})
    for message in root.iter("Message"):
        if message.get("to"):
            outcome.connected = True
            outcome.lines.append(_("Text relayed to %(to)s from %(sender)s: %(body)s") % {
                "to": _hidden(message.get("to")), "sender": format_number(message.get("from", "")),
                "body": message.text or ""})
        else:
            outcome.lines.append(_("Reply to the sender: %(body)s") % {"body": message.text or ""})
    for say in root.iter("Say"):
        outcome.lines.append(_("The caller hears: %(text)s") % {"text": say.text or ""})
    if not outcome.lines:
        outcome.lines.append(_("No answer is sent."))
    return outcome


def simulate_call(*, caller: str, proxy: str) -> Outcome:
    params = {"CallSid": "CA" + uuid.uuid4().hex, "AccountSid": ACCOUNT_SID, "From": caller, "To": proxy,
              "CallStatus": "ringing", "Direction": "inbound"}
    return _read(*_sandbox().deliver(path=reverse("masking_webhook:voice"), params=params))


def simulate_text(*, caller: str, proxy: str, body: str) -> Outcome:
    sid = "SM" + uuid.uuid4().hex
    params = {"MessageSid": sid, "SmsSid": sid, "AccountSid": ACCOUNT_SID, "From": caller, "To": proxy,
              "Body": body, "NumMedia": "0"}
    return _read(*_sandbox().deliver(path=reverse("masking_webhook:sms"), params=params))


def simulate_answer(*, call: Interaction) -> Outcome:
    """The business picks up a ringing click-to-call."""
    params = {"CallSid": call.sid or "", "AccountSid": ACCOUNT_SID, "CallStatus": "in-progress",
              "Direction": "outbound-api", "From": call.caller.proxy_number.e164}
    return _read(*_sandbox().deliver(path=reverse("masking_webhook:bridge", args=[call.public_id]),
                                     params=params))
