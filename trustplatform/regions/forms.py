"""A form field for an area: type its name, choose it from the list (static/regions/region-picker.js).

The page sends the chosen code; without JavaScript it sends the name typed, which is accepted when it
names one area (its whole name, or the only match).
"""

from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .errors import RegionError
from .selectors import CODE_RE, region_label, region_require, region_resolve


class RegionInput(forms.Widget):
    """A text box for the name and a hidden input for the code, under the field's own name."""

    template_name = "regions/region_input.html"

    def __init__(self, *, levels: tuple[int, ...] = (), attrs=None):
        super().__init__(attrs)
        self.levels = levels

    def value_from_datadict(self, data, files, name):
        return (data.get(name) or "").strip() or (data.get(f"{name}_name") or "").strip()

    def value_omitted_from_data(self, data, files, name):
        return name not in data and f"{name}_name" not in data

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        value = str(value or "")
        is_code = bool(CODE_RE.fullmatch(value))
        context["widget"].update(
            code=value if is_code else "",
            text=region_label(value) if is_code else value,
            url=reverse("api:regions:search"),
            levels=",".join(str(level) for level in self.levels),
        )
        return context


class RegionField(forms.CharField):
    """The code of an area in use at one of `levels` (any level when empty). A code in `kept` (the one a
    listing already has) is taken as it is, even if it was abolished since."""

    default_error_messages = {"unresolved": _("Choose the area from the list as you type (e.g. 서교동).")}

    def __init__(self, *, levels: tuple[int, ...] = (), **kwargs):
        self.levels = tuple(levels)
        self.kept: set[str] = set()
        kwargs.setdefault("widget", RegionInput(levels=self.levels))
        kwargs.setdefault("max_length", 100)
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        if not value or value in self.kept:
            return value
        if CODE_RE.fullmatch(value):
            try:
                return region_require(value, levels=self.levels).code
            except RegionError as error:
                raise forms.ValidationError(error.detail, code=error.code) from error
        region = region_resolve(value, levels=self.levels)
        if region is None:
            raise forms.ValidationError(self.error_messages["unresolved"], code="unresolved")
        return region.code
