"""TwiML answers, built with the official `twilio` package."""

from django.utils.translation import get_language
from django.utils.translation import gettext as _
from twilio.twiml.messaging_response import MessagingResponse
from twilio.twiml.voice_response import VoiceResponse

# Twilio's limit for one message body.
MAX_TEXT = 1600


def _say_language() -> str:
    return "ko-KR" if (get_language() or "ko").startswith("ko") else "en-US"


def voice_connect(*, number: str, caller_id: str, time_limit_s: int) -> str:
    """Ring `number` showing `caller_id`; the call ends by itself when the session does."""
    response = VoiceResponse()
    dial = response.dial(caller_id=caller_id, answer_on_bridge=True, time_limit=max(60, time_limit_s))
    dial.number(number)
    return str(response)


def voice_refuse(message: str) -> str:
    response = VoiceResponse()
    response.say(message, language=_say_language())
    response.hangup()
    return str(response)


def text_relay(*, to: str, sender: str, body: str) -> str:
    response = MessagingResponse()
    response.message(body[:MAX_TEXT], to=to, from_=sender)
    return str(response)


def text_reply(message: str) -> str:
    response = MessagingResponse()
    response.message(message)
    return str(response)


def empty_text() -> str:
    return str(MessagingResponse())


def not_in_use() -> str:
    return _("This number is no longer in use. Please check the app for how to reach the other side.")


def not_available() -> str:
    return _("The person you are trying to reach is not available through this number.")


def busy() -> str:
    return _("We cannot connect your call right now. Please try again in a moment.")


def too_many() -> str:
    return _("Too many attempts on this number. Please try again later.")


def wrong_mode(kind: str) -> str:
    if kind == "call":
        return _("This safe number takes texts only.")
    return _("This safe number takes calls only.")
