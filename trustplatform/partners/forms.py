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
