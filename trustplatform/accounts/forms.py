from django import forms
from django.conf import settings
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.tokens import default_token_generator
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext_lazy as _

from trustplatform import pii
from trustplatform.api.throttling import budget_spend

from . import services
from .models import User


class SignupStartForm(forms.Form):
    """Sign-up starts with the email address alone: the rest comes after its link is opened."""

    email = forms.EmailField(label=_("Email address"), max_length=254,
                             help_text=_("We email you a link to finish signing up."))


class SignupForm(auth_forms.BaseUserCreationForm):
    """The rest of a sign-up, behind the emailed link; the instance carries the proven address."""

    phone = forms.CharField(label=_("Mobile number"), max_length=20, required=True,
                            help_text=_("We text you a code to confirm it. Businesses never see it."))

    class Meta:
        model = User
        fields = ["full_name"]

    def clean_phone(self):
        try:
            return services.phone_parse(raw=self.cleaned_data["phone"])
        except services.AccountError as exc:
            raise forms.ValidationError(exc.detail) from exc


class LoginForm(auth_forms.AuthenticationForm):
    """Django's login form with a sentence of our own for a wrong address or password (Django's Korean
    one glues the field name to a "와/과" particle)."""

    error_messages = {
        **auth_forms.AuthenticationForm.error_messages,
        "invalid_login": _("The email address or password is not right. Check both and try again."),
    }


class PasswordResetForm(auth_forms.PasswordResetForm):
    """Django's reset form, but it mails either way: a reset link to an account's address, a note that
    no account uses it to any other. The answer and the work behind it are the same, so the form tells
    nothing about who has an account; links point at SITE_URL, never at the request's Host header."""

    def save(self, *, request=None, subject_template_name="", email_template_name="",
             token_generator=default_token_generator, from_email=None, **kwargs):
        email = self.cleaned_data["email"]
        users = list(self.get_users(email))
        if not budget_spend(scope="reset-email", ident=pii.blind_index(email.strip().lower()),
                            limit=settings.PASSWORD_RESETS_PER_EMAIL_HOUR, seconds=3600):
            return  # the mailbox had its mails for this hour; the answer stays the same
        protocol, _sep, domain = settings.SITE_URL.partition("://")
        context = {"protocol": protocol, "domain": domain, "site_url": settings.SITE_URL}
        for user in users:
            self.send_mail(subject_template_name, email_template_name, {
                **context, "email": email, "user": user, "uid": urlsafe_base64_encode(force_bytes(user.pk)),
                "token": token_generator.make_token(user),
            }, from_email, email)
        if not users:
            self.send_mail("accounts/password_reset_unknown_subject.txt",
                           "accounts/password_reset_unknown_email.txt", {**context, "email": email},
                           from_email, email)


class PhoneForm(forms.Form):
    phone = forms.CharField(label=_("Mobile number"), max_length=20)


class CodeForm(forms.Form):
    code = forms.RegexField(label=_("Code"), regex=r"^\s*\d{6}\s*$", max_length=8,
                            error_messages={"invalid": _("The code is six digits.")})
