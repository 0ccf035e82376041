from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.i18n import set_language

from trustplatform.errors import DomainError

from . import services
from .forms import CodeForm, PhoneForm, SignupForm


def signup(request):
    if request.user.is_authenticated:
        return redirect("home")
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = services.user_signup(email=data["email"], password=data["password1"],
                                        full_name=data["full_name"], phone=data["phone"])
        except DomainError as exc:
            form.add_error(None, exc.detail)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            try:
                services.phone_verification_start(user=user, phone=data["phone"])
                messages.success(request, _("Welcome! We sent a code to your mobile number."))
            except DomainError as exc:
                messages.error(request, exc.detail)
            return redirect("accounts:phone_verify")
    return render(request, "accounts/signup.html", {"form": form})


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
            services.phone_verification_start(user=user, phone=phone_form.cleaned_data["phone"])
            messages.success(request, _("We sent a new code."))
            return redirect("accounts:phone_verify")
    except DomainError as exc:
        (code_form if code_form.is_bound else phone_form).add_error(None, exc.detail)
    return render(request, "accounts/phone_verify.html",
                  {"code_form": code_form, "phone_form": phone_form})


@login_required
def profile(request):
    return render(request, "accounts/profile.html", {
        "notifications": request.user.notifications.all()[:20],
    })


@login_required
@require_POST
def notification_read(request, notification_id: int):
    from trustplatform.notifications.services import notification_mark_read

    notification_mark_read(user=request.user, notification_id=notification_id)
    return redirect(request.POST.get("next") or "accounts:profile")


def language_set(request):
    """Django's language switch, and for a signed-in person also the language we write to them in."""
    response = set_language(request)
    if request.method == "POST" and request.user.is_authenticated:
        services.user_language_set(user=request.user, language=request.POST.get("language", ""))
    return response
