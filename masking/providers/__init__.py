"""The telephony provider chosen by MASKING_PROVIDER, and an SMS backend on top of it."""

import functools

from django.conf import settings

from trustplatform.notifications.sms import SmsBackend

from .base import ProviderError, TelephonyProvider

__all__ = ["ProviderError", "TelephonyProvider", "get_provider", "ProviderSmsBackend"]


@functools.cache
def _provider(name: str) -> TelephonyProvider:
    if name == "twilio":
        from .twilio import TwilioProvider

        return TwilioProvider()
    from .sandbox import SandboxProvider

    return SandboxProvider()


def get_provider() -> TelephonyProvider:
    return _provider(settings.MASKING_PROVIDER)


class ProviderSmsBackend(SmsBackend):
    """`SMS_BACKEND = "masking.providers.ProviderSmsBackend"`: platform texts through the same carrier."""

    def send(self, *, to: str, body: str, sender: str) -> str:
        return get_provider().message_send(to=to, sender=sender, body=body)
