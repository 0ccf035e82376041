from django import forms
from django.utils.translation import gettext_lazy as _


class ReasonForm(forms.Form):
    """Asked by the admin's Revoke button: staff say why, for the audit trail (no numbers here)."""

    reason = forms.CharField(label=_("Reason"), max_length=500, widget=forms.Textarea(attrs={"rows": 3}))
