"""Form fields every app's pages share."""

import re

from django import forms
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

# Far above any deposit or renovation, far below what a 64-bit column holds.
MAX_AMOUNT_KRW = 100_000_000_000


class WonField(forms.CharField):
    """A whole amount of won, typed the way people write it: 12345000, 12,345,000 or ₩12,345,000원."""

    default_error_messages = {
        "invalid": _("Enter a whole number of won, for example 12,345,000."),
        "too_small": _("The amount must be at least ₩1."),
        "too_large": _("The amount is too large (at most ₩%(max)s)."),
    }

    def widget_attrs(self, widget):
        return {
            **super().widget_attrs(widget),
            "inputmode": "numeric",
            "autocomplete": "off",
            "maxlength": "30",
        }

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return None
        if len(value) > 30:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        digits = re.sub(r"[\s,₩원]|KRW", "", value, flags=re.IGNORECASE)
        if not re.fullmatch(r"[0-9]+", digits):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        amount = int(digits)
        if amount < 1:
            raise forms.ValidationError(self.error_messages["too_small"], code="too_small")
        if amount > MAX_AMOUNT_KRW:
            raise forms.ValidationError(
                self.error_messages["too_large"], code="too_large", params={"max": f"{MAX_AMOUNT_KRW:,}"}
            )
        return amount


class _AskedCheckbox(forms.CheckboxInput):
    """A checkbox that tells "unticked" from "not on the form": a hidden marker is posted beside it."""

    def render(self, name, value, attrs=None, renderer=None):
        return super().render(name, value, attrs, renderer) + format_html(
            '<input type="hidden" name="{}-shown" value="1">', name)

    def value_from_datadict(self, data, files, name):
        if f"{name}-shown" not in data:
            return None
        return super().value_from_datadict(data, files, name)


class SafeNumberField(forms.NullBooleanField):
    """"Use a safe number" at a checkout-like step (a booking, a deposit, a listing enquiry): True or
    False as ticked, None when the form was posted without it (the consumer's remembered answer applies)."""

    widget = _AskedCheckbox

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Use a safe number (안심번호)"))
        kwargs.setdefault("help_text", _("The business sees only a virtual 050 number, never yours; it is "
                                         "erased after the deal."))
        super().__init__(required=False, **kwargs)
