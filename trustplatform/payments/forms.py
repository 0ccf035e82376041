"""Forms of the payments pages: what people type, cleaned; the services decide."""

from django import forms
from django.utils.translation import gettext_lazy as _

from trustplatform.forms import WonField

from .banks import bank_choices


class PayoutAccountForm(forms.Form):
    bank = forms.ChoiceField(label=_("Bank"), choices=bank_choices)
    number = forms.CharField(
        label=_("Account number"),
        max_length=30,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    holder = forms.CharField(
        label=_("Account holder"), max_length=40, help_text=_("The name on the account, as the bank has it.")
    )


class AmountForm(forms.Form):
    """An amount to send, at most what is available; `confirmed` is set by the second step, which names
    the amount before anything leaves."""

    amount_krw = WonField(label=_("Amount (won)"))
    confirmed = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, available_krw: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.available_krw = available_krw

    def clean_amount_krw(self):
        amount = self.cleaned_data["amount_krw"]
        if amount > self.available_krw:
            raise forms.ValidationError(
                _("You can send at most ₩%(available)s.") % {"available": f"{self.available_krw:,}"},
                code="too_much",
            )
        return amount
