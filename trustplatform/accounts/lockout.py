"""Login lockouts (django-axes): per account from any address, and per address over any accounts.

A lock per (account, address) pair let an attacker guess at one account from a new address each time,
and spray one password over many accounts from one address. Axes now counts failures by username
and by address (AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]); an address takes
LOGIN_FAILURE_LIMIT_PER_ADDRESS failures to lock, as many people may share one.
"""

from axes.handlers.database import AxesDatabaseHandler
from django.conf import settings
from django.db.models import Sum
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _


def login_username(request, credentials=None) -> str | None:
    """The account a login names, as the login finds it: trimmed, in lower case (emails match in any case)."""
    if credentials:
        username = credentials.get(settings.AXES_USERNAME_FORM_FIELD)
    else:
        username = getattr(request, "data", request.POST).get(settings.AXES_USERNAME_FORM_FIELD)
    return username.strip().lower() if isinstance(username, str) else None


class LockoutHandler(AxesDatabaseHandler):
    """Axes' database handler with a separate, higher threshold for an address than for an account."""

    def get_failures(self, request, credentials=None) -> int:
        by_account, by_address = (
            attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0
            for attempts in self.get_user_attempts(request, credentials)
        )
        # Scaled so that LOGIN_FAILURE_LIMIT_PER_ADDRESS failures from an address reach AXES_FAILURE_LIMIT.
        address_share = by_address * settings.AXES_FAILURE_LIMIT // settings.LOGIN_FAILURE_LIMIT_PER_ADDRESS
        return max(by_account, address_share)

    def reset_user_attempts(self, request, credentials=None) -> int:
        # A success clears its own account's failures only: clearing the address's too would let a
        # sprayer reset the count now and then by logging in to an account of their own.
        by_account = self.filter_user_attempts(request, credentials)[0]
        count, _deleted = by_account.delete()
        return count


def lockout_response(request, original_response=None, credentials=None):
    """What a locked-out login sees: a page for people, the API's error shape for machines."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    detail = _("Too many failed logins: logging in to this account is paused for %(minutes)s minutes.") % {
        "minutes": minutes}
    if request.path.startswith("/api/"):
        return JsonResponse({"code": "locked_out", "detail": detail, "fields": {}}, status=429)
    return render(request, "accounts/locked_out.html", {"minutes": minutes}, status=429)
