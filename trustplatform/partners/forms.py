from django import forms
from django.utils.translation import gettext_lazy as _

from .brn import validate_brn
from .models import Partner


class PartnerApplicationForm(forms.ModelForm):
    registration_number = forms.CharField(
        label=_("Business registration number"), max_length=14,
        help_text=_("10 digits as on your registration certificate, e.g. 123-45-67890."),
    )

    class Meta:
        model = Partner
        fields = ["name", "kind", "registration_number", "representative", "contact_email", "address"]

    def clean_registration_number(self):
        return validate_brn(self.cleaned_data["registration_number"])


class ReasonForm(forms.Form):
    """Asked by the admin before a transition that needs an explanation."""

    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea, max_length=2000)


class IndividualLandlordForm(forms.Form):
    """An individual landlord's application: who they are comes from the identity verification only."""

    name = forms.CharField(label=_("Name shown to tenants"), max_length=120,
                           help_text=_("For example, your name and the building: 홍길동 (망원동 주택)."))
    contact_email = forms.EmailField(label=_("Contact email"))
    address = forms.CharField(label=_("Address of the property you let"), max_length=200)
    identity_verification_id = forms.CharField(
        widget=forms.HiddenInput, max_length=100,
        error_messages={"required": _("Verify your identity first, then send the form.")},
    )


class SandboxIdentityForm(forms.Form):
    """The sandbox's stand-in for the carrier's identity window (no real person is checked)."""

    name = forms.CharField(label=_("Name"), max_length=100)
    birth_date = forms.DateField(label=_("Birth date"), help_text=_("For example, 1985-03-14."))
    phone = forms.CharField(label=_("Mobile number"), max_length=20)
