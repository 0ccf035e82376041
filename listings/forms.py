"""Forms of the listings pages and the admin's transition buttons."""

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from trustplatform import files
from trustplatform.forms import SafeNumberField
from trustplatform.regions.forms import RegionField

from .models import AppealEvidence, Inspection, Listing, ListingContact, Report, Verification
from .models.listings import MAX_MAINTENANCE_FEE_KRW
from .selectors import BURDEN_MONTHLY_ONLY
from .services.inspections import MAX_ACCURACY_M
from .services.listings import MAX_KRW


class DecisionForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; each is checked by the service that stores it."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


class SearchForm(forms.Form):
    region = RegionField(
        label=_("Area"), required=False, help_text=_("A province, city, district, neighbourhood or village.")
    )
    deal_type = forms.ChoiceField(
        label=_("Deal"), required=False, choices=[("", _("Any deal"))] + list(Listing.DealType.choices)
    )
    price_min = forms.IntegerField(
        label=_("Price or deposit from (만원)"), required=False, min_value=0, max_value=MAX_KRW // 10_000
    )
    price_max = forms.IntegerField(
        label=_("to (만원)"), required=False, min_value=0, max_value=MAX_KRW // 10_000
    )
    size_min = forms.DecimalField(
        label=_("Size from (m²)"), required=False, min_value=0, max_digits=7, decimal_places=2
    )
    size_max = forms.DecimalField(
        label=_("to (m²)"), required=False, min_value=0, max_digits=7, decimal_places=2
    )
    burden_max = forms.IntegerField(
        label=_("Rent with maintenance fee, up to (만원)"),
        required=False,
        min_value=0,
        max_value=MAX_KRW // 10_000,
    )
    page = forms.IntegerField(required=False, min_value=1, max_value=500, widget=forms.HiddenInput)

    def __init__(self, data=None, *args, **kwargs):
        # A link from before the whole country was searchable names a district: ?sigungu=11440.
        if data is not None and data.get("sigungu") and not data.get("region"):
            sigungu = str(data.get("sigungu"))
            data = data.copy()
            del data["sigungu"]
            data["region"] = f"{sigungu}00000" if sigungu.isdigit() and len(sigungu) == 5 else sigungu
        super().__init__(data, *args, **kwargs)

    def clean(self):
        data = super().clean()
        # The selector refuses it too (burden_needs_monthly); here it lands beside the field.
        deal_type = data.get("deal_type") or ""
        if data.get("burden_max") is not None and deal_type not in ("", Listing.DealType.MONTHLY):
            self.add_error("burden_max", BURDEN_MONTHLY_ONLY)
        return data

    def query(self) -> dict:
        """The selector's arguments; amounts typed in 만원 (10,000 won) become won."""
        data = self.cleaned_data
        query = {
            "region": data.get("region") or "",
            "deal_type": data.get("deal_type") or "",
            "page": data.get("page") or 1,
            "size_min": data.get("size_min"),
            "size_max": data.get("size_max"),
        }
        for name in ("price_min", "price_max", "burden_max"):
            query[name] = data[name] * 10_000 if data.get(name) is not None else None
        return query


class ReportForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("What is wrong"), choices=Report.Reason.choices, widget=forms.RadioSelect
    )
    details = forms.CharField(
        label=_("Details"),
        required=False,
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("The broker sees what you write here, never who you are."),
    )
    visited = forms.BooleanField(
        label=_("I went to see it"),
        required=False,
        help_text=_("If it is confirmed fake, you get wasted-trip compensation."),
    )


class DepositForm(forms.Form):
    move_in_date = forms.DateField(label=_("Move-in date"), widget=forms.DateInput(attrs={"type": "date"}))


class ContactForm(forms.Form):
    use_safe_number = SafeNumberField()


class WastedTripForm(forms.Form):
    visited_on = forms.DateField(
        label=_("Date of your visit"), widget=forms.DateInput(attrs={"type": "date"})
    )
    note = forms.CharField(
        label=_("What happened"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


FEE_RANGE = format_lazy(
    _("Enter the monthly fee in won, from 0 to {max}."), max=f"{MAX_MAINTENANCE_FEE_KRW:,}"
)


class ListingForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=120)
    dong_code = RegionField(
        label=_("Area (법정동)"),
        levels=(3, 4),
        help_text=_("Type the 동, 읍, 면 or 리 and choose it from the list."),
    )
    address = forms.CharField(label=_("Street address"), max_length=200)
    unit = forms.CharField(
        label=_("Unit (동/호)"),
        max_length=40,
        required=False,
        help_text=_("Not shown to consumers; used for the registry check."),
    )
    deal_type = forms.ChoiceField(label=_("Deal type"), choices=Listing.DealType.choices)
    deposit_krw = forms.IntegerField(label=_("Deposit (won)"), min_value=0, max_value=MAX_KRW, required=False)
    monthly_rent_krw = forms.IntegerField(
        label=_("Monthly rent (won)"), min_value=0, max_value=MAX_KRW, required=False
    )
    price_krw = forms.IntegerField(
        label=_("Sale price (won)"), min_value=0, max_value=MAX_KRW, required=False
    )
    size_m2 = forms.DecimalField(label=_("Size (m²)"), min_value=1, max_digits=7, decimal_places=2)
    floor = forms.IntegerField(label=_("Floor"), min_value=-10, max_value=200)
    rooms = forms.IntegerField(label=pgettext_lazy("home", "Rooms"), min_value=0, max_value=50, initial=1)
    building_type = forms.ChoiceField(
        label=_("Building type"),
        choices=[("", _("Not stated"))] + list(Listing.BuildingType.choices),
        required=False,
        help_text=_("Prices are compared with homes of the same type."),
    )
    # The range (1900 to a few years ahead) is the service's rule; its message lands under the field.
    built_year = forms.IntegerField(
        label=_("Year built"), required=False, help_text=_("The year the building was finished (준공).")
    )
    maintenance_fee_krw = forms.IntegerField(
        label=_("Maintenance fee (won a month)"),
        min_value=0,
        max_value=MAX_MAINTENANCE_FEE_KRW,
        required=False,
        help_text=_("0 if there is none; leave empty only if you do not know it."),
        error_messages={
            "invalid": FEE_RANGE,
            "min_value": FEE_RANGE,
            "max_value": FEE_RANGE,
        },
    )
    maintenance_includes = forms.MultipleChoiceField(
        label=_("The fee includes"),
        choices=Listing.FeeItem.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 5})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Editing keeps the listing's own code even if its area was renamed since (the name shown is new).
        if self.initial.get("dong_code"):
            self.fields["dong_code"].kept = {self.initial["dong_code"]}

    def values(self) -> dict:
        data = dict(self.cleaned_data)
        for name in ("deposit_krw", "monthly_rent_krw", "price_krw"):
            data[name] = data.get(name) or 0
        return data


class NewListingForm(ListingForm):
    publish = forms.BooleanField(label=_("Publish now"), required=False, initial=True)


class PhotoForm(forms.Form):
    image = forms.ImageField(label=_("Photo"))


class VerificationForm(forms.Form):
    level = forms.TypedChoiceField(label=_("Verification"), coerce=int, choices=Verification.Level.choices)
    owner_name = forms.CharField(label=_("Owner's name (registry check)"), required=False, max_length=100)
    owner_phone = forms.CharField(
        label=_("Owner's mobile (phone or text link)"), required=False, max_length=32
    )


class ClaimForm(forms.Form):
    listing_id = forms.IntegerField(
        label=_("Listing number"),
        min_value=1,
        help_text=_("The number after # on the listing's page (ask your broker)."),
    )


class OutcomeForm(forms.Form):
    """The consumer's answer to "how did your enquiry go?"."""

    outcome = forms.ChoiceField(
        label=_("How did it go?"), choices=ListingContact.Outcome.choices, widget=forms.RadioSelect
    )


class ContactAnswerForm(forms.Form):
    answer = forms.ChoiceField(label=_("Your answer"), choices=ListingContact.BrokerAnswer.choices)


class CloseForm(forms.Form):
    reason = forms.ChoiceField(label=_("Why"), choices=Listing.ArchiveReason.choices)


class ResponseForm(forms.Form):
    action = forms.ChoiceField(
        label=_("Your answer"), choices=Report.BrokerAction.choices, widget=forms.RadioSelect
    )
    response = forms.CharField(
        label=_("Explanation"), required=False, max_length=3000, widget=forms.Textarea(attrs={"rows": 4})
    )


class AppealForm(forms.Form):
    statement = forms.CharField(
        label=_("Why the strike is wrong"), max_length=5000, widget=forms.Textarea(attrs={"rows": 6})
    )
    evidence = MultipleFileField(
        label=_("Evidence (contracts, photos)"),
        help_text=_("PDF, JPEG, PNG or WebP."),
        widget=MultipleFileInput(attrs={"accept": files.accept_attribute(AppealEvidence.KINDS)}),
    )


class InspectionForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Outcome"), choices=Inspection.Outcome.choices, widget=forms.RadioSelect
    )
    fake_category = forms.ChoiceField(
        label=_("What was fake"), required=False, choices=[("", "—")] + list(Inspection.FakeCategory.choices)
    )
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    photos = MultipleFileField(label=_("Photos"))
    visited_at = forms.DateTimeField(required=False, widget=forms.HiddenInput)
    latitude = forms.DecimalField(required=False, max_digits=9, decimal_places=6, widget=forms.HiddenInput)
    longitude = forms.DecimalField(required=False, max_digits=9, decimal_places=6, widget=forms.HiddenInput)
    accuracy_m = forms.IntegerField(
        required=False, min_value=0, max_value=MAX_ACCURACY_M, widget=forms.HiddenInput
    )
