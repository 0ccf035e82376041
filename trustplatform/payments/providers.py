"""The payment provider interface, and the sandbox that behaves like a Korean PSP with no network.

Every provider does the same five things: open a checkout, fetch a payment, cancel a payment in part
or whole, pay out to a bank account, and verify a webhook. The sandbox signs its webhooks like a real
PSP: header `Ansim-Signature: t=<unix time>,v1=<hex>` where the hex is HMAC-SHA256(secret,
"<t>.<raw body>"). Old, unsigned or tampered requests are refused.
"""

import abc
import hashlib
import hmac
import json
import secrets
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.utils.module_loading import import_string

SIGNATURE_HEADER = "Ansim-Signature"


class SignatureError(Exception):
    pass


class ProviderError(Exception):
    """The provider refused or could not be reached; nothing it was asked for happened."""


class ProviderUnavailable(ProviderError):
    """No answer, a timeout or a server error: the same request may be tried again later."""


class ProviderRefused(ProviderError):
    """The provider answered no (e.g. nothing left to cancel): trying again changes nothing."""


@dataclass(frozen=True)
class ProviderEventData:
    event_id: str
    event_type: str
    data: dict


@dataclass(frozen=True)
class Checkout:
    provider_payment_id: str
    virtual_account: str = ""


@dataclass(frozen=True)
class BankAccount:
    """An account money is sent to: a refund of a virtual-account payment, a payout."""

    bank: str  # the provider's bank code, e.g. "SHINHAN"
    number: str  # digits only
    holder: str


@dataclass(frozen=True)
class AccountCheck:
    """The bank's answer about an account: its holder's name, and the provider's reference of the check."""

    holder: str
    verification_id: str = ""


@dataclass(frozen=True)
class Payee:
    """Who a payout goes to, as the provider registers them: a business (its registration number), an
    individual (their birth date, YYYY-MM-DD), or a consumer getting their own money back."""

    ref: str  # our stable reference, e.g. "partner-12" or "user-40"
    name: str
    account: BankAccount
    verification_id: str = ""
    business_number: str = ""
    birthdate: str = ""


@dataclass(frozen=True)
class ProviderPayment:
    """A payment as the provider knows it: the only version to trust when money is at stake."""

    provider_payment_id: str
    status: str  # pending, paid, failed, cancelled, partially_cancelled
    amount_krw: int
    cancelled_krw: int
    currency: str = "KRW"


def key_reference(key: str) -> str:
    """The short reference of a refund's key that travels with the provider's cancellation, so that
    a confirmation arriving before the provider's refund id was stored still finds its refund."""
    return f"ref:{hashlib.sha256(key.encode()).hexdigest()[:12]}"


def provider_enabled(name: str) -> bool:
    """Whether this server takes payments of provider `name`: the configured one, and the sandbox
    only where it is allowed (development, or a test server that says so)."""
    if name == "sandbox":
        return settings.PAYMENTS_SANDBOX_ALLOWED
    return name == settings.PAYMENTS_PROVIDER and name in settings.PAYMENTS_PROVIDERS


def portone_window_csp() -> dict[str, list[str]]:
    """What a page that opens PortOne's browser window (a payment, an identity check) adds to its
    Content-Security-Policy, as django-csp's `response._csp_update`: PortOne's SDK may run, be
    fetched from and be framed there, besides the site itself."""
    sdk = urlsplit(settings.PORTONE_BROWSER_SDK_URL)
    sources = ["'self'", f"{sdk.scheme}://{sdk.netloc}", *settings.PORTONE_CSP_SOURCES]
    return {"script-src": sources, "connect-src": sources, "frame-src": sources}


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


class PaymentProvider(abc.ABC):
    """What the payments module asks of a provider. Outcomes of money movements arrive as webhooks."""

    name = ""

    def warm(self) -> None:  # noqa: B027 (optional hook)
        """Load what the first call would otherwise load (an SDK, its clients): at a web process's start."""

    @abc.abstractmethod
    def checkout_create(self, *, payment_id: int, amount_krw: int, method: str) -> Checkout:
        """Open a checkout for our payment `payment_id`."""

    @abc.abstractmethod
    def payment_fetch(self, *, provider_payment_id: str) -> ProviderPayment:
        """The payment as the provider has it now."""

    @abc.abstractmethod
    def payment_cancel(self, *, provider_payment_id: str, amount_krw: int, reason: str, key: str,
                       refund_account: BankAccount | None = None) -> str:
        """Cancel `amount_krw` of a paid payment (all of it or part); returns the provider's refund id.
        The same `key` never refunds twice. Confirmed by a `payment.refunded` or `refund.failed` event.
        A virtual-account payment goes back to `refund_account`. Raises ProviderRefused or
        ProviderUnavailable when nothing was cancelled."""

    def virtual_account_close(self, *, provider_payment_id: str) -> None:  # noqa: B027 (optional)
        """Close an issued virtual account nobody paid into, so that it takes no transfer any more."""

    def account_holder(self, *, account: BankAccount, birthdate: str = "", business_number: str = "") -> str:
        """The name of the account's holder as the bank has it (checked before money is sent there)."""
        check = self.account_verify(account=account, birthdate=birthdate, business_number=business_number)
        return check.holder

    @abc.abstractmethod
    def account_verify(self, *, account: BankAccount, birthdate: str = "",
                       business_number: str = "") -> AccountCheck:
        """Ask the bank, through the provider, who holds the account. ProviderRefused when there is no
        such account."""

    def payee_register(self, *, payee: Payee) -> str:
        """Register (or update) the payee and its verified account with the provider; returns the
        provider's id for the payee. Providers that pay to an account given with each payout keep none."""
        return payee.ref

    def event_facts(self, event: ProviderEventData) -> list[ProviderEventData]:
        """What a verified webhook means, as the events the payments module applies. A provider whose
        webhooks only say "look again" fetches the payment here and answers from what it fetched;
        ProviderUnavailable when it cannot (the webhook is then refused, and the provider retries)."""
        return [event]

    def payment_facts(self, *, provider_payment_id: str) -> list[ProviderEventData]:
        """The events that the payment as fetched from the provider now implies (none for a provider
        that tells everything by its webhooks)."""
        return []

    @abc.abstractmethod
    def payout_create(self, *, payout_ref: str, amount_krw: int, payee: Payee, payee_id: str) -> str:
        """Send money to the payee's verified account, once per `payout_ref`; returns the provider's payout
        id. Confirmed later, by a signed `payout.paid` / `payout.failed` event or by `payout_facts`."""

    def payout_facts(self, *, provider_payout_id: str) -> list[ProviderEventData]:
        """The events the payout as the provider has it now implies: none while it is still on its way,
        `payout.unknown` when the provider never received it."""
        return []

    @abc.abstractmethod
    def parse_webhook(self, *, body: bytes, headers) -> ProviderEventData:
        """Verify the request came from the provider and return its event; SignatureError otherwise."""


class SandboxProvider(PaymentProvider):
    """No network: the sandbox keeps its own record of each checkout, and answers by signed webhooks
    delivered to this platform's own URL by the worker, as a real PSP calls back a moment later."""

    name = "sandbox"

    @property
    def secret(self) -> str:
        return settings.PAYMENTS_WEBHOOK_SECRET

    def checkout_create(self, *, payment_id: int, amount_krw: int, method: str) -> Checkout:
        from .models import SandboxCharge

        account = ""
        if method == "virtual_account":
            account = f"신한 562-{secrets.randbelow(10**6):06d}-{secrets.randbelow(10**5):05d}"
        charge = SandboxCharge.objects.create(
            provider_payment_id=f"sbx_pay_{payment_id}_{secrets.token_hex(6)}",
            amount_krw=amount_krw,
            method=method,
            virtual_account=account,
        )
        return Checkout(provider_payment_id=charge.provider_payment_id, virtual_account=account)

    def payment_fetch(self, *, provider_payment_id: str) -> ProviderPayment:
        from .models import SandboxCharge

        charge = SandboxCharge.objects.filter(provider_payment_id=provider_payment_id).first()
        if charge is None:
            raise ProviderError(f"no sandbox payment {provider_payment_id}")
        return ProviderPayment(
            provider_payment_id=charge.provider_payment_id,
            status=charge.status,
            amount_krw=charge.amount_krw,
            cancelled_krw=charge.cancelled_krw,
        )

    def pay(self, *, provider_payment_id: str) -> tuple[bytes, dict]:
        """The payer completes the sandbox checkout: the charge is paid and the signed event is made."""
        from .models import SandboxCharge

        charge = SandboxCharge.objects.get(provider_payment_id=provider_payment_id)
        SandboxCharge.objects.filter(pk=charge.pk, status="pending").update(status="paid")
        charge.refresh_from_db(fields=["status"])
        if charge.status == "closed":  # a virtual account closed before the transfer: the bank refuses it
            return self.event(event_type="payment.expired", data={"payment_id": charge.provider_payment_id})
        return self.event(
            event_type="payment.paid",
            data={"payment_id": charge.provider_payment_id, "amount_krw": charge.amount_krw},
        )

    def virtual_account_close(self, *, provider_payment_id: str) -> None:
        from .models import SandboxCharge

        SandboxCharge.objects.filter(provider_payment_id=provider_payment_id, status="pending",
                                     method="virtual_account").update(status="closed")

    def payment_cancel(self, *, provider_payment_id: str, amount_krw: int, reason: str, key: str,
                       refund_account: BankAccount | None = None) -> str:
        from .models import SandboxCharge

        refund_id = f"sbx_rf_{hashlib.sha256(key.encode()).hexdigest()[:16]}"
        reference = key_reference(key)
        with transaction.atomic():
            charge = SandboxCharge.objects.select_for_update().filter(
                provider_payment_id=provider_payment_id).first()
            # The same key again (its answer was lost) is answered as before, never cancelled twice.
            done = charge is not None and reference in charge.refund_refs
            if charge is not None and not done and charge.status in ("paid", "partially_cancelled") and (
                charge.cancelled_krw + amount_krw <= charge.amount_krw
            ):
                charge.cancelled_krw += amount_krw
                charge.refund_refs = [*charge.refund_refs, reference]
                whole = charge.cancelled_krw == charge.amount_krw
                charge.status = "cancelled" if whole else "partially_cancelled"
                charge.save(update_fields=["cancelled_krw", "refund_refs", "status"])
                done = True
        if done:
            event = self.event(event_type="payment.refunded",
                               data={"refund_id": refund_id, "payment_id": provider_payment_id,
                                     "amount_krw": amount_krw, "key_ref": reference})
        else:
            event = self.event(event_type="refund.failed",
                               data={"refund_id": refund_id, "payment_id": provider_payment_id,
                                     "reason": "nothing left to cancel", "key_ref": key_reference(key)})
        self._deliver(*event)
        return refund_id

    def account_verify(self, *, account: BankAccount, birthdate: str = "",
                       business_number: str = "") -> AccountCheck:
        """The sandbox bank: every account is held by the name given, except numbers ending in 0000, held
        by someone else (to try a mismatch), and numbers ending in 1111, which no bank knows."""
        if account.number.endswith("1111"):
            raise ProviderRefused("the sandbox bank has no such account")
        holder = "김다른" if account.number.endswith("0000") else account.holder
        return AccountCheck(holder=holder, verification_id=f"sbx_av_{secrets.token_hex(6)}")

    def payout_create(self, *, payout_ref: str, amount_krw: int, payee: Payee, payee_id: str) -> str:
        """The sandbox bank sends the money at once and says so by signed webhook, as a real PSP does a
        moment later; an account ending in 9999 bounces (closed at the bank), to try a bounce."""
        from .models import SandboxPayout

        bounced = payee.account.number.endswith("9999")
        record, _created = SandboxPayout.objects.get_or_create(
            provider_payout_id=payout_ref,  # our reference is its id: a repeat pays nothing twice
            defaults={"amount_krw": amount_krw, "account_hint": payee.account.number[-4:],
                      "status": "failed" if bounced else "paid",
                      "failure": "the receiving account is closed" if bounced else ""},
        )
        self._deliver(*self.event(
            event_type=f"payout.{record.status}",
            data={"payout_id": record.provider_payout_id, "amount_krw": record.amount_krw,
                  "reason": record.failure},
        ))
        return record.provider_payout_id

    def payout_facts(self, *, provider_payout_id: str) -> list[ProviderEventData]:
        from .models import SandboxPayout

        record = SandboxPayout.objects.filter(provider_payout_id=provider_payout_id).first()
        if record is None:
            return [ProviderEventData("", "payout.unknown", {"payout_id": provider_payout_id})]
        return [ProviderEventData("", f"payout.{record.status}", {
            "payout_id": record.provider_payout_id, "amount_krw": record.amount_krw,
            "reason": record.failure})]

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

    @staticmethod
    def _deliver(body: bytes, headers: dict) -> None:
        from .tasks import sandbox_webhook_deliver

        sandbox_webhook_deliver.delay_on_commit(body.decode(), headers)


def get_provider(name: str | None = None) -> PaymentProvider:
    name = name or settings.PAYMENTS_PROVIDER
    return import_string(settings.PAYMENTS_PROVIDERS[name])()


def webhook_post(*, body: bytes, headers: dict, provider: str = SandboxProvider.name) -> int:
    """POST a signed event to this platform's own webhook URL (SITE_URL); the sandbox's delivery."""
    import urllib.request

    from django.urls import reverse

    url = settings.SITE_URL + reverse("payments:webhook", args=[provider])
    request = urllib.request.Request(url, data=body, method="POST", headers=headers)
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 (our own URL)
        return response.status
