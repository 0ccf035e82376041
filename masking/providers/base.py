"""What the masking app needs from a telephony provider, whatever the provider."""

from twilio.request_validator import RequestValidator, get_signature_algorithm

SIGNATURE_HEADER = "HTTP_X_TWILIO_SIGNATURE"
SIGNATURE_SETTINGS_HEADER = "HTTP_X_TWILIO_WEBHOOKS_SIGNATURE_SETTINGS"


class ProviderError(Exception):
    """The provider refused or could not be reached; the message never holds a real number."""


class TelephonyProvider:
    """Twilio-compatible webhooks in, REST-like texts and calls out.

    Webhook requests are checked with Twilio's own `RequestValidator` against the public URL,
    so the same checks run for every provider that signs the Twilio way.
    """

    name = ""

    def auth_token(self) -> str:
        raise NotImplementedError

    def request_is_valid(self, *, url: str, params, signature: str, settings_header: str = "") -> bool:
        if not signature:
            return False
        validator = RequestValidator(self.auth_token())
        return validator.validate(url, params, signature, get_signature_algorithm(settings_header))

    def message_send(self, *, to: str, sender: str, body: str) -> str:
        """Send one text; return the provider's message id."""
        raise NotImplementedError

    def call_create(self, *, to: str, caller_id: str, answer_url: str) -> str:
        """Ring `to` showing `caller_id`; when answered, the provider fetches `answer_url`."""
        raise NotImplementedError
