"""The owner portal's calendar form: a range of nights (first and last, both included), then stop sale,
open for sale, or set rooms and price on them."""

from datetime import timedelta

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .forms import DateInput
from .services.inventory import NIGHT_PRICE_MAX_KRW, NIGHT_ROOMS_MAX


class CalendarRangeForm(forms.Form):
    start = forms.DateField(label=_("First night"), widget=DateInput)
    last = forms.DateField(label=_("Last night"), widget=DateInput, required=False)
    # The night after the range, as links and older clients send it; `last` wins when both come.
    end = forms.DateField(widget=forms.HiddenInput, required=False)
    rooms = forms.IntegerField(
        label=pgettext_lazy("lodging", "Rooms"), min_value=0, max_value=NIGHT_ROOMS_MAX, required=False
    )
    price_krw = forms.IntegerField(
        label=_("Price per night (won)"), min_value=1, max_value=NIGHT_PRICE_MAX_KRW, required=False
    )
    # Set by the button pressed: "true" stops sale, "false" opens it; absent keeps it.
    stop_sell = forms.NullBooleanField(required=False, widget=forms.HiddenInput)

    def clean(self):
        data = super().clean()
        start, last, end = data.get("start"), data.get("last"), data.get("end")
        if start and last is None:
            if end is None:
                self.add_error("last", _("Choose the last night."))
                return data
            last = end - timedelta(days=1)
        if start and last is not None:
            if last < start:
                self.add_error("last", _("The last night is before the first."))
            data["end"] = last + timedelta(days=1)  # the service takes [start, end)
        if all(data.get(name) is None for name in ("stop_sell", "rooms", "price_krw")):
            self.add_error(None, _("Choose what to change: stop sale, open for sale, or rooms and price."))
        return data
