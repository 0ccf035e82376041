"""PortOne V2 through its official server SDK (`portone-server-sdk`).

The payer pays in PortOne's own payment window (the browser SDK, loaded by the checkout page); the
server pre-registers each payment's amount so that PortOne refuses a window opened for another
amount. PortOne's webhooks are signed (Standard Webhooks: `webhook-id`, `webhook-timestamp`,
`webhook-signature`) and say only which payment changed: the server then fetches the payment from
PortOne and trusts only what it fetched (our payment id, the amount, the currency, the status, the
cancellations). Nothing the browser says moves money.

Cancellations happen exactly once per key: each carries a short reference of its key in its reason,
is sent only after the payment is fetched and shows no cancellation with that reference, and is
sent with the cancellable amount PortOne had at that moment, so a second request racing the first
is refused by PortOne instead of cancelling twice.
"""

import functools
import logging
import re
import secrets

import httpx
from django.conf import settings
from django.utils import timezone
from portone_server_sdk import PaymentClient, PlatformClient
from portone_server_sdk import errors as portone_errors
from portone_server_sdk import webhook as portone_webhook
from portone_server_sdk.payment import CancelPaymentBodyRefundAccount
from portone_server_sdk.platform import partner as partner_api
from portone_server_sdk.platform import payout as payout_api

from .providers import (
    AccountCheck,
    BankAccount,
    Checkout,
    Payee,
    PaymentProvider,
    ProviderEventData,
    ProviderPayment,
    ProviderRefused,
    ProviderUnavailable,
    SignatureError,
    key_reference,
)

_REFERENCE = re.compile(r"ref:[0-9a-f]{12}")

logger = logging.getLogger(__name__)

# PortOne's payment status → the payments module's.
STATUSES = {
    "READY": "pending",
    "PAY_PENDING": "pending",
    "VIRTUAL_ACCOUNT_ISSUED": "pending",
    "PAID": "paid",
    "PARTIAL_CANCELLED": "partially_cancelled",
    "CANCELLED": "cancelled",
    "FAILED": "failed",
}

# The SDK answers with one class per status.
_STATUS_OF_CLASS = {
    "ReadyPayment": "READY",
    "PayPendingPayment": "PAY_PENDING",
    "VirtualAccountIssuedPayment": "VIRTUAL_ACCOUNT_ISSUED",
    "PaidPayment": "PAID",
    "PartialCancelledPayment": "PARTIAL_CANCELLED",
    "CancelledPayment": "CANCELLED",
    "FailedPayment": "FAILED",
    "SucceededPaymentCancellation": "SUCCEEDED",
    "FailedPaymentCancellation": "FAILED",
    "RequestedPaymentCancellation": "REQUESTED",
}


def status_of(obj) -> str:
    return getattr(obj, "status", None) or _STATUS_OF_CLASS.get(type(obj).__name__, "UNKNOWN")


# Answers that say "not now" rather than "no": the request may be sent again.
_TRANSIENT = (
    portone_errors.UnknownError,
    portone_errors.UnauthorizedError,
    portone_errors.ForbiddenError,
    portone_errors.CancellableAmountConsistencyBrokenError,
)


def _http_client() -> httpx.Client:
    # The SDK waits 60 s by default; a webhook or a page waiting on PortOne must give up sooner.
    return httpx.Client(timeout=httpx.Timeout(settings.PORTONE_TIMEOUT_SECONDS, connect=3.0))


@functools.lru_cache(maxsize=8)
def _clients(base_url: str, secret: str, store_id: str) -> tuple[PaymentClient, PlatformClient]:
    """One pair of SDK clients per process and configuration, so connections are kept and reused."""
    payment = PaymentClient(secret=secret, base_url=base_url, store_id=store_id)
    platform = PlatformClient(secret=secret, base_url=base_url, store_id=store_id)
    shared = _http_client()
    payment._sync_client = shared
    for client in (platform, *vars(platform).values()):
        if hasattr(client, "_sync_client"):
            client._sync_client = shared
    return payment, platform


def payment_client() -> PaymentClient:
    return _clients(settings.PORTONE_API_URL, settings.PORTONE_API_SECRET, settings.PORTONE_STORE_ID)[0]


def platform_client() -> PlatformClient:
    return _clients(settings.PORTONE_API_URL, settings.PORTONE_API_SECRET, settings.PORTONE_STORE_ID)[1]


class _Calling:
    """Translate what the SDK raises into the payments module's two kinds of failure."""

    def __init__(self, what: str):
        self.what = what

    def __enter__(self):
        return self

    def __exit__(self, kind, exc, tb):
        if exc is None:
            return False
        if isinstance(exc, (httpx.HTTPError, ValueError, *_TRANSIENT)):
            # A timeout, a refused connection, a 5xx or an answer the SDK cannot read.
            raise ProviderUnavailable(f"PortOne {self.what}: {type(exc).__name__}: {exc}") from exc
        if isinstance(exc, portone_errors.PortOneError):
            message = getattr(exc, "message", "") or ""
            raise ProviderRefused(f"PortOne {self.what}: {type(exc).__name__}: {message}") from exc
        return False


def _bank_birthdate(birthdate: str) -> str | None:
    """A real-name lookup at a Korean bank takes the holder's birth date as six digits (yyMMdd)."""
    if not birthdate:
        return None
    year, month, day = birthdate.split("-")
    return f"{year[2:]}{month}{day}"


class PortOneProvider(PaymentProvider):
    name = "portone"

    def warm(self) -> None:
        # The SDK's clients open ~20 TLS contexts between them: ~1 s of a worker's first webhook.
        payment_client()

    def checkout_create(self, *, payment_id: int, amount_krw: int, method: str) -> Checkout:
        provider_payment_id = f"ansim-{payment_id}-{secrets.token_hex(8)}"
        with _Calling("pre-register"):
            payment_client().pre_register_payment(
                payment_id=provider_payment_id, total_amount=amount_krw, currency="KRW"
            )
        # A virtual account is issued in PortOne's window; its number arrives with the payment.
        return Checkout(provider_payment_id=provider_payment_id)

    def _fetch(self, provider_payment_id: str):
        with _Calling("payment fetch"):
            try:
                return payment_client().get_payment(payment_id=provider_payment_id)
            except portone_errors.PaymentNotFoundError:
                return None

    def payment_fetch(self, *, provider_payment_id: str) -> ProviderPayment:
        fetched = self._fetch(provider_payment_id)
        if fetched is None:
            raise ProviderRefused(f"PortOne has no payment {provider_payment_id}")
        return ProviderPayment(
            provider_payment_id=fetched.id,
            status=STATUSES.get(status_of(fetched), status_of(fetched).lower()),
            amount_krw=fetched.amount.total,
            cancelled_krw=fetched.amount.cancelled,
            currency=str(fetched.currency),
        )

    def payment_facts(self, *, provider_payment_id: str) -> list[ProviderEventData]:
        fetched = self._fetch(provider_payment_id)
        if fetched is None:
            return [ProviderEventData("", "payment.unknown", {"payment_id": provider_payment_id})]
        return facts_of(fetched)

    def payment_cancel(self, *, provider_payment_id: str, amount_krw: int, reason: str, key: str,
                       refund_account: BankAccount | None = None) -> str:
        reference = key_reference(key)
        fetched = self._fetch(provider_payment_id)
        if fetched is None:
            raise ProviderRefused(f"PortOne has no payment {provider_payment_id}")
        for cancellation in getattr(fetched, "cancellations", None) or []:
            if reference in cancellation.reason:
                return cancellation.id  # sent before (the answer was lost): never twice
        account = None
        if refund_account is not None:
            account = CancelPaymentBodyRefundAccount(
                bank=refund_account.bank, number=refund_account.number, holder_name=refund_account.holder
            )
        with _Calling("cancel"):
            response = payment_client().cancel_payment(
                payment_id=provider_payment_id,
                amount=amount_krw,
                reason=f"{reason[:150]} ({reference})",
                current_cancellable_amount=fetched.amount.total - fetched.amount.cancelled,
                refund_account=account,
            )
        return response.cancellation.id

    def virtual_account_close(self, *, provider_payment_id: str) -> None:
        """Close an issued virtual account nobody paid into (its deadline passed, or it was replaced)."""
        with _Calling("virtual account close"):
            payment_client().close_virtual_account(payment_id=provider_payment_id)

    def account_verify(self, *, account: BankAccount, birthdate: str = "",
                       business_number: str = "") -> AccountCheck:
        """The holder's name as the bank has it (PortOne's holder lookup), with PortOne's id of the check,
        which registering the payee's account with PortOne then cites."""
        with _Calling("account holder"):
            answer = platform_client().account.get_platform_account_holder(
                bank=account.bank,
                account_number=account.number,
                birthdate=_bank_birthdate(birthdate),
                business_registration_number=business_number or None,
            )
        return AccountCheck(holder=answer.holder_name, verification_id=answer.account_verification_id)

    def payee_register(self, *, payee: Payee) -> str:
        """The payee as a PortOne platform partner with its verified account: created the first time,
        its account replaced afterwards. Our reference is PortOne's partner id, so a repeat is harmless."""
        account = partner_api.CreatePlatformPartnerBodyAccount(
            bank=payee.account.bank, currency="KRW", number=payee.account.number, holder=payee.account.holder,
            account_verification_id=payee.verification_id or None,
        )
        client = platform_client().partner
        with _Calling("partner update"):
            try:
                client.update_platform_partner(id=payee.ref, name=payee.name, account=account)
                return payee.ref
            except portone_errors.PlatformPartnerNotFoundError:
                pass
        if payee.business_number:
            business = partner_api.CreatePlatformPartnerBodyTypeBusiness(
                company_name=payee.name, business_registration_number=payee.business_number,
                representative_name=payee.name)
            kind = partner_api.CreatePlatformPartnerBodyType(business=business)
        else:
            individual = partner_api.CreatePlatformPartnerBodyTypeNonWhtPayer(
                birthdate=payee.birthdate or None)
            kind = partner_api.CreatePlatformPartnerBodyType(non_wht_payer=individual)
        with _Calling("partner create"):
            client.create_platform_partner(
                id=payee.ref, name=payee.name, account=account, type=kind, tags=["ansim"],
                contact=partner_api.CreatePlatformPartnerBodyContact(
                    name=payee.name, email=settings.DEFAULT_FROM_EMAIL),
                default_contract_id=settings.PORTONE_PLATFORM_CONTRACT_ID,
            )
        return payee.ref

    def payout_create(self, *, payout_ref: str, amount_krw: int, payee: Payee, payee_id: str) -> str:
        """A manual settlement (정산건) of `amount_krw` for the payee, under our reference as its id, which
        PortOne pays out to the payee's registered account; PortOne refuses the same id twice, so a
        retried request never pays twice. Its outcome is read back by `payout_facts`."""
        with _Calling("payout"):
            try:
                platform_client().transfer.create_platform_manual_transfer(
                    id=payout_ref, partner_id=payee_id, settlement_amount=amount_krw,
                    settlement_date=timezone.localdate().isoformat(), memo=payout_ref,
                    is_for_test=settings.PORTONE_TEST_MODE or None,
                )
            except portone_errors.PlatformTransferIdAlreadyUsedError:
                pass  # sent before, and the answer was lost
        return payout_ref

    def payout_facts(self, *, provider_payout_id: str) -> list[ProviderEventData]:
        """The settlement's payout as PortOne has it: paid when PortOne's payout succeeded, failed (the
        money back to the payee's payable) when it failed, was stopped or cancelled."""
        with _Calling("payout fetch"):
            try:
                transfer = platform_client().transfer.get_platform_transfer(id=provider_payout_id)
            except portone_errors.PlatformTransferNotFoundError:
                # Never received (the request was lost before PortOne kept it): to be sent, not failed,
                # since a request still on its way may yet arrive.
                return [ProviderEventData("", "payout.unknown", {"payout_id": provider_payout_id})]
            portone_payout_id = getattr(transfer, "payout_id", None)
            if not portone_payout_id:
                return []
            found = platform_client().payout.get_platform_payouts(filter=payout_api.PlatformPayoutFilterInput(
                criteria=payout_api.PlatformPayoutFilterInputCriteria(payout_id=portone_payout_id)))
        for payout in found.items:
            if payout.status == "SUCCEEDED":
                return [ProviderEventData("", "payout.paid", {
                    "payout_id": provider_payout_id, "amount_krw": transfer.settlement_amount})]
            if payout.status in ("FAILED", "CANCELLED", "STOPPED"):
                return [ProviderEventData("", "payout.failed", {
                    "payout_id": provider_payout_id, "reason": (payout.fail_reason or payout.status)[:200]})]
        return []

    def parse_webhook(self, *, body: bytes, headers) -> ProviderEventData:
        try:
            webhook = portone_webhook.verify(settings.PORTONE_WEBHOOK_SECRET, body.decode(), headers)
        except (portone_webhook.WebhookVerificationError, UnicodeDecodeError) as exc:
            raise SignatureError(str(getattr(exc, "message", exc))) from exc
        # The SDK names each event by its class: WebhookTransactionPaid is "Transaction.Paid".
        name = type(webhook).__name__.removeprefix("Webhook") if webhook is not None else "Unknown"
        event_type = re.sub(r"^(Transaction|BillingKey)", r"\1.", name)
        data = getattr(webhook, "data", None)
        payment_id = getattr(data, "payment_id", None)
        return ProviderEventData(
            event_id=str(headers.get("webhook-id")),
            event_type=f"portone.{event_type}",
            data={"payment_id": payment_id} if payment_id else {},
        )

    def event_facts(self, event: ProviderEventData) -> list[ProviderEventData]:
        payment_id = event.data.get("payment_id")
        if not payment_id:
            return []  # not about a payment (e.g. a billing key): nothing of ours changed
        return self.payment_facts(provider_payment_id=payment_id)


def facts_of(fetched) -> list[ProviderEventData]:
    """What a payment fetched from PortOne implies, in the payments module's events. Applying them
    is idempotent, so the same fetch (or a later one) applied twice changes nothing the second time,
    and webhooks arriving out of order converge on what PortOne has now."""
    facts: list[ProviderEventData] = []
    payment_id = fetched.id
    paid_at = getattr(fetched, "paid_at", None)
    status = status_of(fetched)
    if status in ("PAID", "PARTIAL_CANCELLED", "CANCELLED") and (paid_at or status != "CANCELLED"):
        facts.append(ProviderEventData("", "payment.paid", {
            "payment_id": payment_id, "amount_krw": fetched.amount.total, "currency": str(fetched.currency),
        }))
    elif status == "CANCELLED":  # cancelled before any money arrived: an unpaid virtual account closed
        facts.append(ProviderEventData("", "payment.expired", {"payment_id": payment_id}))
    elif status == "FAILED":
        failure = getattr(fetched, "failure", None)
        facts.append(ProviderEventData("", "payment.failed", {
            "payment_id": payment_id, "reason": str(getattr(failure, "reason", "") or "")[:200],
        }))
    elif status == "VIRTUAL_ACCOUNT_ISSUED":
        method = getattr(fetched, "method", None)
        facts.append(ProviderEventData("", "payment.account_issued", {
            "payment_id": payment_id,
            "bank": str(getattr(method, "bank", "") or ""),
            "account_number": str(getattr(method, "account_number", "") or ""),
            "expires_at": str(getattr(method, "expired_at", "") or ""),
            "amount_krw": fetched.amount.total,
        }))
    for cancellation in getattr(fetched, "cancellations", None) or []:
        reference = _REFERENCE.search(cancellation.reason or "")
        key_ref = reference.group(0) if reference else ""
        if status_of(cancellation) == "SUCCEEDED":
            facts.append(ProviderEventData("", "payment.refunded", {
                "payment_id": payment_id, "refund_id": cancellation.id,
                "amount_krw": cancellation.total_amount, "key_ref": key_ref,
            }))
        elif status_of(cancellation) == "FAILED":
            facts.append(ProviderEventData("", "refund.failed", {
                "payment_id": payment_id, "refund_id": cancellation.id,
                "reason": "PortOne refused the cancellation", "key_ref": key_ref,
            }))
    return facts
