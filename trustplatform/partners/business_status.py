"""A business's standing at the tax office (사업자 상태조회): active, suspended (휴업) or closed (폐업).

Asked at application and monthly after approval, through the provider `PAYMENTS_PROVIDER` names:
PortOne's business-info lookup (its official SDK) or the sandbox, which answers from a fixed table
with no network. An answer that cannot be had is `BusinessStatusUnavailable`, never a guess: callers
keep the application and ask again later. A number the tax office does not know is `unknown`.

The sandbox's table (every other valid number is an active business):
    999-99-00005  suspended (휴업)
    999-99-00010  closed (폐업)
    999-99-00024  not registered (unknown)
"""

import abc

import httpx
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class BusinessStatus(models.TextChoices):
    ACTIVE = "active", pgettext_lazy("business status", "Active")
    SUSPENDED = "suspended", _("Suspended (휴업)")
    CLOSED = "closed", _("Closed (폐업)")
    UNKNOWN = "unknown", _("Unknown")


class BusinessStatusUnavailable(Exception):
    """No answer, a timeout or a server error: ask again later; nothing is decided on it."""


SANDBOX_BUSINESSES = {
    "9999900005": BusinessStatus.SUSPENDED,
    "9999900010": BusinessStatus.CLOSED,
    "9999900024": BusinessStatus.UNKNOWN,
}

# What the tax office says, as PortOne passes it on (its codes, or the tax office's own words).
_PORTONE_STATUSES = {
    "IN_BUSINESS": BusinessStatus.ACTIVE,
    "SUSPENDED": BusinessStatus.SUSPENDED,
    "CLOSED": BusinessStatus.CLOSED,
    "계속사업자": BusinessStatus.ACTIVE,
    "휴업자": BusinessStatus.SUSPENDED,
    "폐업자": BusinessStatus.CLOSED,
}


class BusinessStatusProvider(abc.ABC):
    @abc.abstractmethod
    def status(self, *, registration_number: str) -> BusinessStatus:
        """The standing of the business with these 10 digits; raises BusinessStatusUnavailable."""


class SandboxBusinessStatus(BusinessStatusProvider):
    def status(self, *, registration_number: str) -> BusinessStatus:
        return SANDBOX_BUSINESSES.get(registration_number, BusinessStatus.ACTIVE)


class PortOneBusinessStatus(BusinessStatusProvider):
    def status(self, *, registration_number: str) -> BusinessStatus:
        from portone_server_sdk import errors as portone_errors

        from trustplatform.payments.portone import platform_client

        try:
            answer = platform_client().company.get_b2b_business_infos(
                brn_list=[registration_number], test=settings.PORTONE_TEST_MODE or None,
            )
        except (httpx.HTTPError, ValueError, KeyError, portone_errors.PortOneError) as exc:
            # Every failure here is PortOne's or the tax office's side: an application is never lost to it.
            raise BusinessStatusUnavailable(f"PortOne business info: {type(exc).__name__}: {exc}") from exc
        for result in answer.result:
            if result.brn == registration_number and result.business_info is not None:
                return _PORTONE_STATUSES.get(result.business_info.business_status, BusinessStatus.UNKNOWN)
        # The number came back with an error of its own (e.g. not registered at the tax office).
        return BusinessStatus.UNKNOWN


def business_status_provider() -> BusinessStatusProvider:
    if settings.PAYMENTS_PROVIDER == "portone":
        return PortOneBusinessStatus()
    return SandboxBusinessStatus()
