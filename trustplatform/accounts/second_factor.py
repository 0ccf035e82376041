"""A second factor for staff who can move money: a TOTP code (django-otp) after the password.

Who: active staff who are superusers, in a STAFF_SECOND_FACTOR_GROUPS group (finance), or hold any
of STAFF_SECOND_FACTOR_PERMISSIONS (deciding claims and disputes, refunds, paying compensation, the
guarantee fund). Where: everywhere a signed-in person can act, not only the admin. A session counts
as verified once a code from the person's confirmed device was entered in it (django-otp's
OTPMiddleware); until then it reaches only signing in and out, these pages, the password reset, the
language switch and the home page (StaffSecondFactorMiddleware), and an API token counts only when it
was issued with a code (accounts/tokens.py). Enrolment happens once, on a page that draws the QR code
itself; afterwards only an administrator deleting the device (admin, TOTP devices) lets a person enrol
again, and deleting it ends the tokens issued with its codes.
"""

from urllib.parse import urlencode

from django.conf import settings
from django.db import transaction
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django_otp import user_has_device
from django_otp.plugins.otp_totp.models import TOTPDevice

from trustplatform.api.middleware import API_PREFIX
from trustplatform.notifications.services import message_enqueue

from .services import AccountError


def staff_needs_second_factor(user) -> bool:
    """Whether `user` is staff who can move money, and so signs in with a code too."""
    if not (user.is_authenticated and user.is_active and user.is_staff):
        return False
    if user.is_superuser or user.groups.filter(name__in=settings.STAFF_SECOND_FACTOR_GROUPS).exists():
        return True
    return any(user.has_perm(permission) for permission in settings.STAFF_SECOND_FACTOR_PERMISSIONS)


def second_factor_enrolled(*, user) -> bool:
    return user_has_device(user, confirmed=True)


def second_factor_device(*, user) -> TOTPDevice:
    """The authenticator `user` is setting up (unconfirmed, made once); AccountError when one
    is already confirmed, so a signed-in session cannot swap in a device of its own."""
    if second_factor_enrolled(user=user):
        raise AccountError(_("An authenticator is already set up for this account."), code="enrolled")
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    return device or TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)


def second_factor_required() -> AccountError:
    """The API's refusal (403) of staff who move money and have not entered a code."""
    return AccountError(
        _("Staff who can move money need a code from their authenticator app: enter it on the "
          "sign-in code page, or send it as second_factor_code when asking for an API token."),
        code="second_factor_required",
        status=403,
    )


def _wrong_code() -> AccountError:
    return AccountError(
        _("That code is not right, or came too soon after a wrong one. Wait for the next code."),
        code="wrong_code",
    )


def second_factor_enrol(*, user, code: str) -> TOTPDevice:
    """Confirm the device being set up with a code from it; tell the person by email (if it was not
    them, their password is known). Locks the device row."""
    with transaction.atomic():
        device = (
            TOTPDevice.objects.select_for_update()
            .filter(pk=second_factor_device(user=user).pk, confirmed=False)
            .first()
        )
        verified = device is not None and device.verify_token(code.strip())
        if verified:
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            TOTPDevice.objects.filter(user=user, confirmed=False).delete()
            message_enqueue(
                channel="email",
                to=user.email,
                key=f"second-factor-enrolled:{device.pk}",
                subject=_("An authenticator was set up for your Ansim staff account"),
                body=_(
                    "An authenticator app now gives the codes for signing in to the Ansim staff console "
                    "with your account. If you did not set it up, tell an administrator at once: "
                    "someone knows your password."
                ),
            )
    # Raised after the block, so the wrong code's throttling step commits: it is what slows guessing.
    if not verified:
        raise _wrong_code()
    return device


def second_factor_check(*, user, code: str) -> TOTPDevice:
    """The confirmed device that `code` came from; AccountError when none accepts it (each wrong
    code makes the device wait longer before it accepts another: django-otp's throttling)."""
    for device in TOTPDevice.objects.filter(user=user, confirmed=True):
        if device.verify_token(code.strip()):
            return device
    raise _wrong_code()


class StaffSecondFactorMiddleware:
    """Staff who move money and have not entered a code in this session reach only what OPEN_ROUTES
    name: a page sends them to enter one (or to set up their authenticator) and back, an API route
    answers 403 second_factor_required. After django_otp's OTPMiddleware."""

    # What a signed-in person needs before their code: nothing here shows or moves anything. The API
    # token exchange checks its own credentials, the code among them (accounts/tokens.py).
    OPEN_ROUTES = (
        "home", "accounts:login", "accounts:logout", "accounts:second_factor",
        "accounts:second_factor_setup", "admin:login", "admin:logout", "set_language", "api:token",
    )

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if (
            user.is_authenticated
            and user.is_staff
            and not self._open(request.path_info)
            and not user.is_verified()
            and staff_needs_second_factor(user)
        ):
            if request.path_info.startswith(API_PREFIX):
                refusal = second_factor_required()
                return JsonResponse({"code": refusal.code, "detail": refusal.detail, "fields": {}},
                                    status=refusal.status)
            enrolled = second_factor_enrolled(user=user)
            name = "accounts:second_factor" if enrolled else "accounts:second_factor_setup"
            return redirect(f"{reverse(name)}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)

    @classmethod
    def _open(cls, path: str) -> bool:
        # The reset pages share one prefix (the link in the email carries its own token).
        return path in {reverse(name) for name in cls.OPEN_ROUTES} or path.startswith(
            reverse("accounts:password_reset")
        )
