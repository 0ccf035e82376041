"""Forms finance fills in before a treasury service runs: top-ups, capital paid in, fee sweeps."""

import uuid

from django import forms
from django.utils.translation import gettext_lazy as _


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


class TopUpRequestForm(ReasonForm):
    amount_krw = forms.IntegerField(label=_("Amount (KRW)"), min_value=1)
    field_order = ["amount_krw", "reason"]


class CapitalForm(ReasonForm):
    amount_krw = forms.IntegerField(label=_("Amount paid in (KRW)"), min_value=1)
    reference = forms.CharField(
        label=_("Bank transfer reference"),
        max_length=100,
        help_text=_("As on the bank statement; the same reference is never recorded twice."),
    )
    field_order = ["amount_krw", "reference", "reason"]


class SweepForm(ReasonForm):
    amount_krw = forms.IntegerField(
        label=_("Amount (KRW)"), min_value=1, required=False, help_text=_("Leave empty to sweep all of it.")
    )
    # One key per page shown: sending the same form twice sweeps once.
    key = forms.CharField(widget=forms.HiddenInput, max_length=64, initial=lambda: uuid.uuid4().hex)
    field_order = ["amount_krw", "reason", "key"]
