"""Identity verification (본인인증) of an individual landlord who has no business registration number.

The browser opens the provider's window (PortOne's `requestIdentityVerification`, or the sandbox's
page) for a verification id this server made for the signed-in account; the server then fetches
that verification from the provider and trusts only what it fetched: that it is VERIFIED, and the
verified person's name, birth date and phone. Nothing the browser sends about the person is read.

The sandbox keeps its verifications in `SandboxIdentityVerification` rows, written by its simulated
window (a page that exists only where the sandbox is enabled); PortOne is asked through its SDK.
"""

import abc
import secrets
from dataclasses import dataclass

import httpx
from django.conf import settings

from trustplatform.payments.providers import provider_enabled

ID_PREFIX = "ansim-iv"


@dataclass(frozen=True)
class VerifiedIdentity:
    verification_id: str
    status: str  # VERIFIED, READY (the window was never finished) or FAILED, as the provider says
    name: str = ""
    birth_date: str = ""  # yyyy-MM-dd
    phone: str = ""


class IdentityUnavailable(Exception):
    """The provider did not answer: the person may send the form again in a moment."""


class IdentityNotFound(Exception):
    """The provider has no verification with this id."""


def identity_verification_id_new(*, user_id: int) -> str:
    """A fresh verification id bound to the account that opens the window."""
    return f"{ID_PREFIX}-{user_id}-{secrets.token_hex(10)}"


def identity_verification_id_owner(verification_id: str) -> int | None:
    """The account a verification id was made for, or None when it is not one of ours."""
    parts = verification_id.split("-")
    if len(parts) != 4 or "-".join(parts[:2]) != ID_PREFIX or not parts[2].isdigit():
        return None
    return int(parts[2])


class IdentityProvider(abc.ABC):
    name = ""

    @abc.abstractmethod
    def fetch(self, *, verification_id: str) -> VerifiedIdentity:
        """The verification as the provider has it; raises IdentityNotFound or IdentityUnavailable."""


class SandboxIdentity(IdentityProvider):
    name = "sandbox"

    def fetch(self, *, verification_id: str) -> VerifiedIdentity:
        from .models import SandboxIdentityVerification

        if not provider_enabled("sandbox"):
            raise IdentityNotFound(verification_id)
        record = SandboxIdentityVerification.objects.filter(pk=verification_id).first()
        if record is None:
            raise IdentityNotFound(verification_id)
        return VerifiedIdentity(verification_id=record.pk, status=record.status, name=record.name,
                                birth_date=record.birth_date, phone=record.phone)


class PortOneIdentity(IdentityProvider):
    name = "portone"

    def fetch(self, *, verification_id: str) -> VerifiedIdentity:
        from portone_server_sdk import IdentityVerificationClient
        from portone_server_sdk import errors as portone_errors
        from portone_server_sdk.identity_verification import (
            FailedIdentityVerification,
            VerifiedIdentityVerification,
        )

        timeout = httpx.Timeout(settings.PORTONE_TIMEOUT_SECONDS, connect=3.0)
        client = IdentityVerificationClient(secret=settings.PORTONE_API_SECRET,
                                            base_url=settings.PORTONE_API_URL,
                                            store_id=settings.PORTONE_STORE_ID or None)
        # A verification is fetched once per application: a short-lived connection is enough.
        with httpx.Client(timeout=timeout) as http:
            client._sync_client = http
            try:
                answer = client.get_identity_verification(identity_verification_id=verification_id)
            except portone_errors.IdentityVerificationNotFoundError as exc:
                raise IdentityNotFound(verification_id) from exc
            except (httpx.HTTPError, ValueError, KeyError, portone_errors.PortOneError) as exc:
                raise IdentityUnavailable(f"PortOne identity verification: {type(exc).__name__}") from exc
        if isinstance(answer, VerifiedIdentityVerification):
            customer = answer.verified_customer
            return VerifiedIdentity(verification_id=answer.id, status="VERIFIED", name=customer.name,
                                    birth_date=customer.birth_date or "",
                                    phone=customer.phone_number or "")
        status = "FAILED" if isinstance(answer, FailedIdentityVerification) else "READY"
        return VerifiedIdentity(verification_id=verification_id, status=status)


def identity_provider() -> IdentityProvider:
    if settings.PAYMENTS_PROVIDER == "portone":
        return PortOneIdentity()
    return SandboxIdentity()


def identity_window(*, verification_id: str, redirect_url: str) -> dict:
    """What PortOne's browser SDK needs to open its identity window for this verification."""
    return {
        "storeId": settings.PORTONE_STORE_ID,
        "channelKey": settings.PORTONE_CHANNEL_KEY_IDENTITY,
        "identityVerificationId": verification_id,
        "redirectUrl": redirect_url,
        "sdkUrl": settings.PORTONE_BROWSER_SDK_URL,
    }


def sandbox_identity_record(*, verification_id: str, verified: bool, name: str = "", birth_date: str = "",
                            phone: str = "") -> None:
    """The sandbox's window finishing a verification, once (a second finish changes nothing)."""
    from .models import SandboxIdentityVerification

    status = SandboxIdentityVerification.Status
    SandboxIdentityVerification.objects.get_or_create(
        pk=verification_id,
        defaults={"status": status.VERIFIED if verified else status.FAILED,
                  "name": name if verified else "", "birth_date": birth_date if verified else "",
                  "phone": phone if verified else ""},
    )
