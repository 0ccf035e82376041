import base64

import segno
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.i18n import set_language
from django_otp import login as otp_login

from trustplatform.api.throttling import budget_spend, client_ip
from trustplatform.errors import DomainError
from trustplatform.notifications.selectors import notifications_for
from trustplatform.pages import refusal_shown

from . import second_factor, services
from .forms import CodeForm, PasswordResetForm, PhoneForm, SignupForm, SignupStartForm
from .models import User


def safe_next(request, fallback: str) -> str:
    """The `next` the request names when it stays on this site, else `fallback`."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return target
    return fallback


def _over_budget(request, *, scope: str, limit: int) -> bool:
    return not budget_spend(scope=scope, ident=client_ip(request), limit=limit, seconds=3600)


def _too_many(request):
    return render(request, "accounts/rate_limited.html", status=429)


def signup(request):
    """The address first: its mailbox gets the link that finishes the sign-up (or, for an address
    already in use, a note to its owner), and this page answers the same either way."""
    if request.user.is_authenticated:
        return redirect("home")
    form = SignupStartForm(request.POST or None)
    if request.method == "POST":
        if _over_budget(request, scope="signup-address", limit=settings.SIGNUPS_PER_ADDRESS_HOUR):
            return _too_many(request)
        if form.is_valid():
            services.signup_start(email=form.cleaned_data["email"])
            return redirect("accounts:signup_sent")
    return render(request, "accounts/signup.html", {"form": form})


def signup_sent(request):
    return render(request, "accounts/signup_sent.html")


def signup_finish(request, token: str):
    try:
        email = services.signup_email_read(token=token)
    except DomainError as exc:
        if exc.code != "email_taken":
            return render(request, "accounts/signup_link_invalid.html", {"detail": exc.detail}, status=400)
        messages.info(request, exc.detail)
        return redirect("accounts:login")
    if request.user.is_authenticated:
        return redirect("home")
    form = SignupForm(request.POST or None, instance=User(email=email))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = services.user_signup(email=email, password=data["password1"],
                                        full_name=data["full_name"], phone=data["phone"])
        except DomainError as exc:
            form.add_error(None, exc.detail)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            try:
                services.phone_verification_start(user=user, phone=data["phone"],
                                                  client_ip=client_ip(request))
                messages.success(request, _("Welcome! We sent a code to your mobile number."))
            except DomainError as exc:
                messages.error(request, exc.detail)
            return redirect("accounts:phone_verify")
    return render(request, "accounts/signup_finish.html", {"form": form, "email": email})


class PasswordResetView(auth_views.PasswordResetView):
    """Django's reset page, limited per address, mailing through PasswordResetForm (the same answer
    and the same work whether or not an account uses the address)."""

    form_class = PasswordResetForm
    template_name = "accounts/password_reset_form.html"
    email_template_name = "accounts/password_reset_email.txt"
    subject_template_name = "accounts/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")

    def post(self, request, *args, **kwargs):
        if _over_budget(request, scope="reset-address", limit=settings.PASSWORD_RESETS_PER_ADDRESS_HOUR):
            return _too_many(request)
        return super().post(request, *args, **kwargs)


@login_required
def phone_verify(request):
    user = request.user
    code_form = CodeForm(request.POST if "code" in request.POST else None)
    phone_form = PhoneForm(request.POST if "phone" in request.POST else None)
    try:
        if code_form.is_bound and code_form.is_valid():
            services.phone_verification_confirm(user=user, code=code_form.cleaned_data["code"])
            messages.success(request, _("Your mobile number is verified."))
            return redirect("accounts:profile")
        if phone_form.is_bound and phone_form.is_valid():
            services.phone_verification_start(user=user, phone=phone_form.cleaned_data["phone"],
                                              client_ip=client_ip(request))
            messages.success(request, _("We sent a new code."))
            return redirect("accounts:phone_verify")
    except DomainError as exc:
        (code_form if code_form.is_bound else phone_form).add_error(None, exc.detail)
    return render(request, "accounts/phone_verify.html",
                  {"code_form": code_form, "phone_form": phone_form})


@login_required
def profile(request):
    return render(request, "accounts/profile.html", {
        "notifications": notifications_for(user=request.user),
    })


@login_required
@require_POST
def notification_read(request, notification_id: int):
    from trustplatform.notifications.services import notification_mark_read

    if not notification_mark_read(user=request.user, notification_id=notification_id):
        raise Http404
    return redirect(safe_next(request, reverse("accounts:profile")))


def _staff_second_factor_page(view):
    """Second-factor pages: for signed-in staff who move money (others have nothing to do there)."""

    @login_required
    def wrapper(request, *args, **kwargs):
        if not second_factor.staff_needs_second_factor(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def _second_factor_done(request, device):
    otp_login(request, device)
    return redirect(safe_next(request, reverse("admin:index")))


@_staff_second_factor_page
def second_factor_setup(request):
    """Set up an authenticator app once: scan the QR code (drawn here, no outside service sees the
    secret), then enter a code from the app."""
    if second_factor.second_factor_enrolled(user=request.user):
        return redirect(f"{reverse('accounts:second_factor')}?{request.GET.urlencode()}")
    device = second_factor.second_factor_device(user=request.user)
    form = CodeForm(request.POST or None)
    if form.is_valid():
        with refusal_shown(form=form, field="code") as outcome:
            device = second_factor.second_factor_enrol(user=request.user, code=form.cleaned_data["code"])
        if outcome.error is None:
            return _second_factor_done(request, device)
    return render(request, "accounts/second_factor_setup.html", {
        **admin.site.each_context(request), "title": _("Set up sign-in codes"), "form": form,
        "qr_svg": mark_safe(segno.make(device.config_url, error="m").svg_inline(scale=5)),
        "secret": base64.b32encode(device.bin_key).decode(), "next": safe_next(request, ""),
    })


@_staff_second_factor_page
def second_factor_verify(request):
    """Enter the code from the authenticator app, once per sign-in, before the admin opens."""
    if not second_factor.second_factor_enrolled(user=request.user):
        return redirect(f"{reverse('accounts:second_factor_setup')}?{request.GET.urlencode()}")
    form = CodeForm(request.POST or None)
    if form.is_valid():
        with refusal_shown(form=form, field="code") as outcome:
            device = second_factor.second_factor_check(user=request.user, code=form.cleaned_data["code"])
        if outcome.error is None:
            return _second_factor_done(request, device)
    return render(request, "accounts/second_factor.html", {
        **admin.site.each_context(request), "title": _("Enter your sign-in code"), "form": form,
        "next": safe_next(request, ""),
    })


def language_set(request):
    """Django's language switch, and for a signed-in person also the language we write to them in."""
    response = set_language(request)
    if request.method == "POST" and request.user.is_authenticated:
        services.user_language_set(user=request.user, language=request.POST.get("language", ""))
    return response
