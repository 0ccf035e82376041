from django import forms
from django.contrib.auth.forms import UserCreationForm
from django.utils.translation import gettext_lazy as _

from trustplatform import pii

from .models import User


class SignupForm(UserCreationForm):
    phone = forms.CharField(label=_("Mobile number"), max_length=20, required=True,
                            help_text=_("We text you a code to confirm it. Businesses never see it."))

    class Meta:
        model = User
        fields = ["email", "full_name"]

    def clean_email(self):
        email = self.cleaned_data["email"].lower()
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError(_("An account with this email already exists."))
        return email

    def clean_phone(self):
        try:
            return pii.normalize_phone(self.cleaned_data["phone"])
        except pii.InvalidPhoneNumber as exc:
            raise forms.ValidationError(str(exc)) from exc


class PhoneForm(forms.Form):
    phone = forms.CharField(label=_("Mobile number"), max_length=20)


class CodeForm(forms.Form):
    code = forms.RegexField(label=_("Code"), regex=r"^\s*\d{6}\s*$", max_length=8,
                            error_messages={"invalid": _("The code is six digits.")})
