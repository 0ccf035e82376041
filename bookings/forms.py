from datetime import timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from trustplatform import files
from trustplatform.forms import SafeNumberField

from .models import AMENITIES_CODES, CalendarFeed, Property, RoomType

# Places a guest can search around (a map-free list; coordinates of the usual landmarks).
PLACES = {
    "haeundae": (_("Busan · Haeundae beach"), 35.1587, 129.1604),
    "gwangalli": (_("Busan · Gwangalli beach"), 35.1532, 129.1186),
    "seomyeon": (_("Busan · Seomyeon"), 35.1578, 129.0592),
    "busan_station": (_("Busan · Busan station"), 35.1151, 129.0414),
    "myeongdong": (_("Seoul · Myeong-dong"), 37.5636, 126.9826),
    "gangnam": (_("Seoul · Gangnam station"), 37.4979, 127.0276),
    "jeju": (_("Jeju · Jeju city"), 33.4996, 126.5312),
}
SORTS = [("distance", _("Nearest")), ("price", _("Cheapest")), ("rating", _("Best rated"))]


class DateInput(forms.DateInput):
    input_type = "date"


class StayForm(forms.Form):
    check_in = forms.DateField(label=_("Check-in"), widget=DateInput)
    check_out = forms.DateField(label=_("Check-out"), widget=DateInput)
    guests = forms.IntegerField(label=_("Guests"), min_value=1, max_value=20, initial=2)

    def clean(self):
        data = super().clean()
        check_in, check_out = data.get("check_in"), data.get("check_out")
        if check_in and check_out:
            if check_out <= check_in:
                self.add_error("check_out", _("Check-out must be after check-in."))
            elif (check_out - check_in).days > 30:
                self.add_error("check_out", _("At most 30 nights."))
            if check_in < timezone.localdate():
                self.add_error("check_in", _("Check-in cannot be in the past."))
        return data

    @classmethod
    def defaults(cls) -> dict:
        today = timezone.localdate()
        return {"check_in": today + timedelta(days=7), "check_out": today + timedelta(days=9), "guests": 2}


class SearchForm(StayForm):
    place = forms.ChoiceField(label=_("Where"), choices=[(k, v[0]) for k, v in PLACES.items()])
    sort = forms.ChoiceField(label=_("Sort by"), choices=SORTS, required=False)
    max_price = forms.IntegerField(label=_("Max total price (₩)"), min_value=0, required=False)
    min_rating = forms.DecimalField(
        label=_("Min rating"), min_value=0, max_value=5, required=False, decimal_places=1
    )
    amenities = forms.MultipleChoiceField(
        label=_("Must have"), choices=AMENITIES_CODES, required=False, widget=forms.CheckboxSelectMultiple
    )

    field_order = ["place", "check_in", "check_out", "guests", "sort", "max_price", "min_rating", "amenities"]


class BookForm(forms.Form):
    room_type = forms.IntegerField(widget=forms.HiddenInput)
    check_in = forms.DateField(widget=forms.HiddenInput)
    check_out = forms.DateField(widget=forms.HiddenInput)
    guests = forms.IntegerField(widget=forms.HiddenInput)
    guest_name = forms.CharField(label=_("Guest name"), max_length=100)
    guest_phone = forms.CharField(
        label=_("Mobile number"),
        max_length=30,
        required=False,
        help_text=_("The property reaches you at this number: through a safe number if you tick it below."),
    )
    must_have = forms.MultipleChoiceField(
        label=_("Must-haves if we ever have to move you"),
        choices=AMENITIES_CODES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    use_safe_number = SafeNumberField()
    # Shown only when the guest already holds this room for overlapping dates (a second tab, a
    # double click): booking again must be meant. The booking service judges it, under a lock.
    another = forms.BooleanField(
        label=_("Yes, I want another room on top of the booking I already have"), required=False
    )

    def __init__(self, *args, duplicates=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.duplicates = list(duplicates)
        if not self.duplicates:
            del self.fields["another"]


class CancelForm(forms.Form):
    """The guest's cancellation: a reason, and the refund they were shown, explicitly confirmed."""

    reason = forms.CharField(
        label=_("Why do you cancel? (optional)"), max_length=300, required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    refund_krw = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    confirmed = forms.BooleanField(
        error_messages={"required": _("Confirm the cancellation first: nothing was cancelled.")}
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300, widget=forms.Textarea(attrs={"rows": 2}))


class PropertyCancelForm(ReasonForm):
    """The owner's cancellation of a confirmed booking: a reason the guest sees, and an explicit
    confirmation of the penalty the page named."""

    reason = forms.CharField(
        label=_("Why do you cancel?"), max_length=300, widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Say why you cancel; the guest and our agents will see it.")},
    )
    confirmed = forms.BooleanField(
        error_messages={"required": _("Confirm the cancellation first: nothing was cancelled.")}
    )


class PropertyForm(forms.ModelForm):
    amenities = forms.MultipleChoiceField(
        label=_("Amenities"), choices=AMENITIES_CODES, required=False, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = Property
        widgets = {"contact_phone": forms.TextInput}
        fields = [
            "name",
            "description",
            "address",
            "city",
            "is_urban",
            "latitude",
            "longitude",
            "star_class",
            "amenities",
            "contact_phone",
            "cancellation_policy",
            "check_in_time",
            "check_out_time",
            "is_active",
        ]

    def clean_contact_phone(self):
        from trustplatform import pii

        try:
            return pii.normalize_phone(self.cleaned_data["contact_phone"], mobile_only=False)
        except pii.InvalidPhoneNumber as exc:
            raise forms.ValidationError(str(exc)) from exc


class RoomTypeForm(forms.ModelForm):
    amenities = forms.MultipleChoiceField(
        label=_("Amenities"), choices=AMENITIES_CODES, required=False, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = RoomType
        fields = ["name", "grade", "capacity", "beds", "amenities", "price_krw", "rooms", "is_active"]


class FeedForm(forms.ModelForm):
    url = forms.URLField(label=_("iCal URL"), max_length=500, assume_scheme="https")

    class Meta:
        model = CalendarFeed
        fields = ["room_type", "name", "url"]

    def __init__(self, *args, partner, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["room_type"].queryset = RoomType.objects.filter(property__partner=partner).select_related(
            "property"
        )


class PhotoForm(forms.Form):
    # Checked and re-encoded by services.inventory.property_photo_add, which alone opens the image.
    image = forms.FileField(
        label=_("Photo"),
        widget=forms.ClearableFileInput(attrs={"accept": files.accept_attribute(files.IMAGE_KINDS)}),
    )
    caption = forms.CharField(label=_("Caption"), max_length=120, required=False)
