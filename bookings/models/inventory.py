"""What a lodging partner sells: properties, their room types, and the rooms left per night."""

import builtins  # a field is named "property": the decorator is spelled in full
import secrets

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from trustplatform import files, pii
from trustplatform.fields import EncryptedTextField

AMENITIES = {
    "wifi": _("Wi-Fi"),
    "parking": _("Parking"),
    "breakfast": _("Breakfast"),
    "pool": _("Pool"),
    "ocean_view": _("Ocean view"),
    "spa": _("Spa"),
    "gym": _("Gym"),
    "pet_friendly": _("Pets allowed"),
    "kitchen": _("Kitchen"),
    "accessible": _("Step-free access"),
    "non_smoking": _("Non-smoking"),
    "family": _("Family rooms"),
}


AMENITIES_CODES = [(code, label) for code, label in AMENITIES.items()]


def amenity_labels(codes) -> list[str]:
    return [str(AMENITIES.get(code, code)) for code in codes or ()]


def _export_token() -> str:
    return secrets.token_urlsafe(24)


class Property(models.Model):
    """A hotel, guesthouse or pension run by a lodging partner, with its place on the map."""

    class CancellationPolicy(models.TextChoices):
        FLEXIBLE = "flexible", _("Flexible")
        MODERATE = "moderate", _("Moderate")
        STRICT = "strict", _("Strict")

    partner = models.ForeignKey(
        "partners.Partner", verbose_name=_("partner"), on_delete=models.PROTECT, related_name="properties"
    )
    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    address = models.CharField(_("address"), max_length=200)
    city = models.CharField(_("city"), max_length=60)
    # Distance rules for the guarantee: a tighter radius in cities.
    is_urban = models.BooleanField(_("in a city"), default=True)
    latitude = models.FloatField(_("latitude"))
    longitude = models.FloatField(_("longitude"))
    star_class = models.PositiveSmallIntegerField(_("class (stars)"), default=3)
    # Derived from the guests' visible reviews in the transaction that changes them (services/reviews.py).
    rating = models.DecimalField(_("rating"), max_digits=2, decimal_places=1, default=0, editable=False)
    review_count = models.PositiveIntegerField(_("reviews"), default=0, editable=False)
    amenities = models.JSONField(_("amenities"), default=list, blank=True)
    contact_phone = EncryptedTextField(_("contact number"))
    contact_phone_hint = models.CharField(_("contact number"), max_length=20, blank=True, editable=False)
    cancellation_policy = models.CharField(
        _("cancellation policy"),
        max_length=10,
        choices=CancellationPolicy.choices,
        default=CancellationPolicy.MODERATE,
    )
    check_in_time = models.TimeField(_("check-in from"), default="15:00")
    check_out_time = models.TimeField(_("check-out by"), default="11:00")
    is_active = models.BooleanField(_("bookable"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("property")
        verbose_name_plural = _("properties")
        ordering = ["name", "pk"]
        indexes = [
            # The search's bounding-box prefilter: a range on latitude, then longitude.
            models.Index(
                fields=["latitude", "longitude"], name="bookings_property_latlng", condition=Q(is_active=True)
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(latitude__gte=-90, latitude__lte=90) & Q(longitude__gte=-180, longitude__lte=180),
                name="bookings_property_coordinates",
            ),
            models.CheckConstraint(
                condition=Q(rating__gte=0, rating__lte=5), name="bookings_property_rating"
            ),
            models.CheckConstraint(
                condition=Q(star_class__gte=1, star_class__lte=5), name="bookings_property_class"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        # The hint staff and the owner see is derived from the number, whoever sets it (portal, admin, API).
        self.contact_phone_hint = pii.mask_phone(self.contact_phone) if self.contact_phone else ""
        if kwargs.get("update_fields") is not None and "contact_phone" in kwargs["update_fields"]:
            kwargs["update_fields"] = {*kwargs["update_fields"], "contact_phone_hint"}
        super().save(*args, **kwargs)

    @builtins.property
    def amenity_labels(self) -> list[str]:
        return amenity_labels(self.amenities)


class PropertyPhoto(models.Model):
    """A public photo of a property: always re-encoded (services.inventory.property_photo_add)."""

    property = models.ForeignKey(Property, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(_("photo"), upload_to=files.RandomName("bookings/photos"))
    caption = models.CharField(_("caption"), max_length=120, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("photo")
        verbose_name_plural = _("photos")
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.caption or self.image.name


class RoomType(models.Model):
    """A kind of room in a property; `grade` orders the property's room types (higher is better)."""

    property = models.ForeignKey(
        Property, verbose_name=_("property"), on_delete=models.PROTECT, related_name="room_types"
    )
    name = models.CharField(_("name"), max_length=120)
    grade = models.PositiveSmallIntegerField(
        _("grade"), default=1, help_text=_("Higher is better, within the property.")
    )
    capacity = models.PositiveSmallIntegerField(_("guests"), default=2)
    beds = models.CharField(_("beds"), max_length=60, blank=True)
    amenities = models.JSONField(_("amenities"), default=list, blank=True)
    price_krw = models.PositiveIntegerField(_("price per night (KRW)"))
    rooms = models.PositiveSmallIntegerField(_("rooms"), default=1)
    is_active = models.BooleanField(_("bookable"), default=True)
    export_token = models.CharField(max_length=64, unique=True, default=_export_token, editable=False)

    class Meta:
        verbose_name = _("room type")
        verbose_name_plural = _("room types")
        ordering = ["property_id", "grade", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(capacity__gte=1), name="bookings_roomtype_capacity"),
            models.CheckConstraint(condition=Q(price_krw__gt=0), name="bookings_roomtype_price"),
        ]

    def __str__(self) -> str:
        return f"{self.property.name} · {self.name}"

    @builtins.property
    def amenity_labels(self) -> list[str]:
        return amenity_labels(self.amenities)


class Night(models.Model):
    """One room type on one night: rooms to sell, sold here, held by other channels, price, stop-sell.

    `sold` is what we sold; the CHECK makes selling past the rooms impossible whatever the code does.
    `external` counts stays imported from other channels' calendars (they can collide with ours).
    """

    room_type = models.ForeignKey(RoomType, on_delete=models.CASCADE, related_name="nights")
    date = models.DateField(_("night of"))
    rooms = models.PositiveSmallIntegerField(_("rooms"))
    sold = models.PositiveSmallIntegerField(_("sold"), default=0)
    external = models.PositiveSmallIntegerField(_("booked elsewhere"), default=0)
    price_krw = models.PositiveIntegerField(_("price (KRW)"))
    stop_sell = models.BooleanField(_("stop sale"), default=False)

    class Meta:
        verbose_name = _("night")
        verbose_name_plural = _("nights")
        ordering = ["room_type_id", "date"]
        constraints = [
            models.UniqueConstraint(fields=["room_type", "date"], name="bookings_night_unique"),
            models.CheckConstraint(condition=Q(sold__lte=F("rooms")), name="bookings_night_not_oversold"),
            models.CheckConstraint(condition=Q(price_krw__gt=0), name="bookings_night_price"),
        ]
        indexes = [
            # Search: every room type with a free room on these dates.
            models.Index(fields=["date", "room_type"], name="bookings_night_date_rt"),
        ]

    def __str__(self) -> str:
        return f"{self.room_type_id} {self.date} {self.sold}/{self.rooms}"

    @builtins.property
    def available(self) -> int:
        return 0 if self.stop_sell else max(0, self.rooms - self.sold - self.external)
