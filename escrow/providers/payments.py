"""Payment providers: the interface, and the sandbox that behaves like a Korean PSP with no network.

Webhooks are signed like a real PSP's: header `Ansim-Signature: t=<unix time>,v1=<hex>` where the
hex is HMAC-SHA256(secret, "<t>.<raw body>"). Old, unsigned or tampered requests are refused.
"""

import hashlib
import hmac
import json
import secrets
import time
from dataclasses import dataclass

from django.conf import settings
from django.utils.module_loading import import_string

SIGNATURE_HEADER = "Ansim-Signature"


class SignatureError(Exception):
    pass


@dataclass(frozen=True)
class ProviderEventData:
    event_id: str
    event_type: str
    data: dict


def sign(*, secret: str, body: bytes, timestamp: int) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def verify(
    *, secret: str, body: bytes, header: str, tolerance_seconds: int, now: float | None = None
) -> None:
    """Raise SignatureError unless `header` signs `body` with `secret` within the tolerance."""
    try:
        parts = dict(item.split("=", 1) for item in header.split(","))
        timestamp = int(parts["t"])
        given = parts["v1"]
    except (ValueError, KeyError, AttributeError) as exc:
        raise SignatureError("missing or malformed signature") from exc
    if abs((now or time.time()) - timestamp) > tolerance_seconds:
        raise SignatureError("signature too old")
    expected = sign(secret=secret, body=body, timestamp=timestamp).split("v1=", 1)[1]
    if not hmac.compare_digest(expected, given):
        raise SignatureError("signature does not match")


class PaymentProvider:
    name = ""

    def checkout_create(self, *, payment_id: int, amount_krw: int, method: str) -> dict:
        """Open a checkout; returns {"provider_payment_id", "virtual_account"}."""
        raise NotImplementedError

    def payout_create(self, *, payout_id: int, amount_krw: int, partner_id: int) -> str:
        """Send money to a partner's bank; returns the provider's payout id. Confirmed by webhook."""
        raise NotImplementedError

    def parse_webhook(self, *, body: bytes, headers) -> ProviderEventData:
        raise NotImplementedError


class SandboxProvider(PaymentProvider):
    """No network: ids are made up here and events are produced by `event()` and signed."""

    name = "sandbox"

    @property
    def secret(self) -> str:
        return settings.PAYMENTS_WEBHOOK_SECRET

    def checkout_create(self, *, payment_id: int, amount_krw: int, method: str) -> dict:
        account = ""
        if method == "virtual_account":
            account = f"신한 562-{secrets.randbelow(10**6):06d}-{secrets.randbelow(10**5):05d}"
        return {
            "provider_payment_id": f"sbx_pay_{payment_id}_{secrets.token_hex(6)}",
            "virtual_account": account,
        }

    def payout_create(self, *, payout_id: int, amount_krw: int, partner_id: int) -> str:
        return f"sbx_po_{payout_id}_{secrets.token_hex(6)}"

    def parse_webhook(self, *, body: bytes, headers) -> ProviderEventData:
        verify(
            secret=self.secret,
            body=body,
            header=headers.get(SIGNATURE_HEADER, ""),
            tolerance_seconds=settings.PAYMENTS_WEBHOOK_TOLERANCE_SECONDS,
        )
        try:
            payload = json.loads(body)
            return ProviderEventData(str(payload["id"]), str(payload["type"]), dict(payload["data"]))
        except (ValueError, KeyError, TypeError) as exc:
            raise SignatureError("signed body is not an event") from exc

    def event(
        self, *, event_type: str, data: dict, event_id: str | None = None, timestamp: int | None = None
    ) -> tuple[bytes, dict]:
        """The exact request the sandbox PSP sends: (raw body, headers)."""
        body = json.dumps(
            {"id": event_id or f"evt_{secrets.token_hex(10)}", "type": event_type, "data": data},
            separators=(",", ":"),
        ).encode()
        header = sign(secret=self.secret, body=body, timestamp=timestamp or int(time.time()))
        return body, {SIGNATURE_HEADER: header, "Content-Type": "application/json"}


def get_provider(name: str | None = None) -> PaymentProvider:
    name = name or settings.PAYMENTS_PROVIDER
    return import_string(settings.PAYMENTS_PROVIDERS[name])()


def webhook_post(*, body: bytes, headers: dict) -> int:
    """POST a signed event to this platform's own webhook URL (SITE_URL); the sandbox's delivery."""
    import urllib.request

    request = urllib.request.Request(f"{settings.SITE_URL}/hooks/payments/sandbox/", data=body, method="POST",
                                     headers=headers)
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 (our own URL)
        return response.status
