"""Listings, their photos (with a perceptual hash), verifications and risk scores."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from trustplatform.fields import EncryptedTextField
from trustplatform.regions.selectors import region_label

# Statuses a consumer can find in search and a campaign can inspect.
LIVE_STATUSES = ("published", "verified", "flagged")
# The largest monthly maintenance fee a home listing may state (1,000만원): far above any flat's.
MAX_MAINTENANCE_FEE_KRW = 10_000_000


class Listing(ConcurrentTransitionMixin, models.Model):
    """A property a brokerage advertises. Draft → published → verified / flagged → removed | archived.

    Its `landlord` is the owner its escrowed deposits are paid to: set only by the landlord's own claim
    (services.landlord), never by the brokerage, and never a partner sharing a member with it."""

    class DealType(models.TextChoices):
        MONTHLY = "monthly", _("Monthly rent (월세)")
        JEONSE = "jeonse", _("Lump-sum deposit (전세)")
        SALE = "sale", _("Sale (매매)")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        VERIFIED = "verified", _("Verified")
        FLAGGED = "flagged", _("Under review")
        REMOVED = "removed", _("Removed")
        ARCHIVED = "archived", _("Closed")

    class ArchiveReason(models.TextChoices):
        DEAL_CLOSED = "deal_closed", _("Deal closed")
        GONE = "gone", _("No longer available")
        WITHDRAWN = "withdrawn", _("Withdrawn by the broker")

    class FeeItem(models.TextChoices):
        """What a monthly maintenance fee (관리비) may include, as Korean listing sites itemise it."""

        WATER = "water", pgettext_lazy("maintenance fee", "Water")
        ELECTRICITY = "electricity", pgettext_lazy("maintenance fee", "Electricity")
        GAS = "gas", pgettext_lazy("maintenance fee", "Gas")
        HEATING = "heating", pgettext_lazy("maintenance fee", "Heating")
        INTERNET = "internet", pgettext_lazy("maintenance fee", "Internet")
        TV = "tv", pgettext_lazy("maintenance fee", "TV")
        CLEANING = "cleaning", pgettext_lazy("maintenance fee", "Cleaning")
        PARKING = "parking", pgettext_lazy("maintenance fee", "Parking")

    class BuildingType(models.TextChoices):
        """What prices are compared within: a villa is not priced like an apartment of the same size."""

        APARTMENT = "apartment", _("Apartment (아파트)")
        OFFICETEL = "officetel", _("Officetel (오피스텔)")
        VILLA = "villa", _("Villa or multi-family (빌라·다세대)")
        HOUSE = "house", _("House (단독·다가구)")

    partner = models.ForeignKey(
        "partners.Partner", verbose_name=_("brokerage"), on_delete=models.PROTECT, related_name="listings"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    landlord = models.ForeignKey(
        "partners.Partner",
        verbose_name=_("landlord"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="landlord_listings",
    )
    landlord_linked_at = models.DateTimeField(_("landlord linked"), null=True, blank=True)
    title = models.CharField(_("title"), max_length=120)
    address = models.CharField(_("address"), max_length=200)
    unit = models.CharField(_("unit (동/호)"), max_length=40, blank=True)
    sido_code = models.CharField(_("시/도 code"), max_length=2)
    sigungu_code = models.CharField(_("시/군/구 code"), max_length=5)
    dong_code = models.CharField(_("법정동 code"), max_length=10)
    deal_type = models.CharField(_("deal type"), max_length=10, choices=DealType.choices)
    deposit_krw = models.BigIntegerField(_("deposit (KRW)"), default=0)
    monthly_rent_krw = models.BigIntegerField(_("monthly rent (KRW)"), default=0)
    price_krw = models.BigIntegerField(_("sale price (KRW)"), default=0)
    # What search filters on: the sale price, or the deposit of a rental.
    headline_krw = models.GeneratedField(
        expression=models.Case(models.When(deal_type="sale", then=F("price_krw")), default=F("deposit_krw")),
        output_field=models.BigIntegerField(),
        db_persist=True,
        verbose_name=_("price (KRW)"),
    )
    # What risk compares within an area: a rental's deposit plus 100 months of rent (환산보증금).
    price_basis_krw = models.GeneratedField(
        expression=models.Case(
            models.When(deal_type="sale", then=F("price_krw")),
            default=F("deposit_krw") + F("monthly_rent_krw") * 100,
        ),
        output_field=models.BigIntegerField(),
        db_persist=True,
    )
    # 관리비 a month: None = the broker did not state it, 0 = there is none. Never part of any risk score.
    maintenance_fee_krw = models.IntegerField(_("maintenance fee (KRW a month)"), null=True, blank=True)
    # FeeItem values the fee covers, in FeeItem order (services.listings keeps them so).
    maintenance_includes = models.JSONField(_("the maintenance fee includes"), default=list, blank=True)
    size_m2 = models.DecimalField(_("size (m²)"), max_digits=7, decimal_places=2)
    floor = models.SmallIntegerField(_("floor"), help_text=_("0 or below for a (semi-)basement."))
    # Blank: not stated (older listings); risk then compares the home with all building types.
    building_type = models.CharField(
        _("building type"), max_length=10, choices=BuildingType.choices, blank=True, default=""
    )
    built_year = models.PositiveSmallIntegerField(_("year built"), null=True, blank=True)
    # The building, whatever the unit and however the address was typed (services.listings keeps it):
    # photos of one building shared by several brokerages are not copying.
    building_key = models.CharField(max_length=32, blank=True, default="", db_index=True, editable=False)
    rooms = models.PositiveSmallIntegerField(pgettext_lazy("home", "rooms"), default=1)
    description = models.TextField(_("description"), blank=True)
    status = FSMField(_("status"), default=Status.DRAFT, choices=Status.choices, protected=True)
    archive_reason = models.CharField(
        _("closed because"), max_length=12, choices=ArchiveReason.choices, blank=True
    )
    # The strongest verification held now (0 = none) and when it lapses; kept by the services.
    verification_level = models.PositiveSmallIntegerField(_("verification"), default=0)
    verification_expires_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    # When the broker last confirmed the listing is current (staleness counts from here).
    refreshed_at = models.DateTimeField(_("last confirmed current"), default=timezone.now)
    # How often the broker has bumped it since publishing: a home bumped week after week without a deal
    # is how a let-but-live listing looks, so refreshing never lowers its risk by itself.
    refresh_count = models.PositiveIntegerField(_("times confirmed current"), default=0)
    # A registry check after publishing found the owner changed or a new lease registered.
    registry_changed_at = models.DateTimeField(_("registry changed"), null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("listing")
        verbose_name_plural = _("listings")
        ordering = ["-published_at", "-id"]
        permissions = [("decide_listing", _("Can confirm listings fake and decide reports"))]
        indexes = [
            # Search: area + deal type among live listings, by price, newest first.
            models.Index(
                fields=["sigungu_code", "deal_type", "headline_krw"],
                condition=Q(status__in=LIVE_STATUSES),
                name="listings_live_sigungu_price",
            ),
            models.Index(
                fields=["dong_code", "deal_type", "headline_krw"],
                condition=Q(status__in=LIVE_STATUSES),
                name="listings_live_dong_price",
            ),
            # Newest first within an area: the index is walked in order and stops after one page; price
            # and size ride along so a narrow filter is checked on the index, without heap visits.
            models.Index(
                fields=["sigungu_code", "deal_type", "-published_at", "-id", "headline_krw", "size_m2"],
                condition=Q(status__in=LIVE_STATUSES),
                name="listings_live_sigungu_newest",
            ),
            models.Index(
                fields=["dong_code", "deal_type", "-published_at", "-id", "headline_krw", "size_m2"],
                condition=Q(status__in=LIVE_STATUSES),
                name="listings_live_dong_newest",
            ),
            models.Index(
                fields=["deal_type", "-published_at"],
                condition=Q(status__in=LIVE_STATUSES),
                name="listings_live_recent",
            ),
            models.Index(fields=["partner", "status"], name="listings_partner_status"),
            models.Index(
                fields=["dong_code", "closed_at"],
                condition=Q(archive_reason="deal_closed"),
                name="listings_closed_deals",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(sido_code__regex=r"^[0-9]{2}$")
                & Q(sigungu_code__regex=r"^[0-9]{5}$")
                & Q(dong_code__regex=r"^[0-9]{10}$"),
                name="listings_region_codes_digits",
            ),
            models.CheckConstraint(
                condition=Q(sigungu_code__startswith=F("sido_code"))
                & Q(dong_code__startswith=F("sigungu_code")),
                name="listings_region_codes_nested",
            ),
            models.CheckConstraint(
                condition=(
                    Q(deal_type="monthly", deposit_krw__gte=0, monthly_rent_krw__gt=0, price_krw=0)
                    | Q(deal_type="jeonse", deposit_krw__gt=0, monthly_rent_krw=0, price_krw=0)
                    | Q(deal_type="sale", price_krw__gt=0, deposit_krw=0, monthly_rent_krw=0)
                ),
                name="listings_amounts_match_deal_type",
            ),
            models.CheckConstraint(
                condition=Q(size_m2__gt=0) & Q(verification_level__lte=4), name="listings_size_and_level_sane"
            ),
            models.CheckConstraint(
                condition=Q(maintenance_fee_krw__isnull=True)
                | Q(maintenance_fee_krw__gte=0, maintenance_fee_krw__lte=MAX_MAINTENANCE_FEE_KRW),
                name="listings_maintenance_fee_sane",
            ),
            models.CheckConstraint(
                condition=Q(built_year__isnull=True) | Q(built_year__gte=1900, built_year__lte=2100),
                name="listings_built_year_sane",
            ),
            # Items are only listed for a fee that exists (not null: a NULL check would let anything pass).
            models.CheckConstraint(
                condition=Q(maintenance_includes=[])
                | Q(maintenance_fee_krw__isnull=False, maintenance_fee_krw__gt=0),
                name="listings_maintenance_includes_with_fee",
            ),
            # The brokerage advertising a home is never its landlord (the one its deposits are paid to).
            models.CheckConstraint(
                condition=Q(landlord__isnull=True) | ~Q(landlord=F("partner")),
                name="listings_landlord_is_not_the_brokerage",
            ),
            models.CheckConstraint(
                condition=Q(landlord__isnull=True, landlord_linked_at__isnull=True)
                | Q(landlord__isnull=False, landlord_linked_at__isnull=False),
                name="listings_landlord_linked_at_with_landlord",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.title}"

    @property
    def region_label(self) -> str:
        """The area's current name (the new one for a code abolished since); a page of listings has
        them read at once into `region_labels` (selectors.region_labels_fill)."""
        labels = getattr(self, "region_labels", None) or {}
        return labels.get(self.dong_code) or region_label(self.dong_code)

    @property
    def is_live(self) -> bool:
        return self.status in LIVE_STATUSES

    @property
    def maintenance_includes_labels(self) -> list[str]:
        """What the fee covers, in words, in FeeItem order; unknown keys are skipped."""
        included = set(self.maintenance_includes or [])
        return [item.label for item in self.FeeItem if item.value in included]

    @property
    def level_now(self) -> int:
        """The verification level held at this moment (an expired level counts as none)."""
        if (
            self.verification_level
            and self.verification_expires_at
            and self.verification_expires_at > timezone.now()
        ):
            return self.verification_level
        return 0

    @property
    def level_label(self) -> str:
        return Verification.Level(self.level_now).label if self.level_now else _("Not verified")

    @transition(field=status, source=Status.DRAFT, target=Status.PUBLISHED, custom={"label": _("Publish")})
    def publish(self, *, by=None, reason: str = "") -> None:
        self.published_at = self.published_at or timezone.now()
        self.refreshed_at = timezone.now()

    @transition(field=status, source=Status.PUBLISHED, target=Status.VERIFIED)
    def verify(self, *, by=None, reason: str = "") -> None:
        pass

    @transition(field=status, source=Status.VERIFIED, target=Status.PUBLISHED)
    def lapse(self, *, by=None, reason: str = "") -> None:
        pass

    @transition(
        field=status,
        source=[Status.PUBLISHED, Status.VERIFIED],
        target=Status.FLAGGED,
        custom={"label": _("Flag for review")},
    )
    def flag(self, *, by=None, reason: str = "") -> None:
        pass

    @transition(field=status, source=Status.FLAGGED, target=Status.PUBLISHED, custom={"label": _("Clear")})
    def clear(self, *, by=None, reason: str = "") -> None:
        pass

    @transition(
        field=status,
        source=[Status.DRAFT, Status.PUBLISHED, Status.VERIFIED, Status.FLAGGED],
        target=Status.REMOVED,
        custom={"label": _("Remove")},
    )
    def remove(self, *, by=None, reason: str = "") -> None:
        self.closed_at = timezone.now()

    @transition(field=status, source=Status.REMOVED, target=Status.PUBLISHED)
    def reinstate(self, *, by=None, reason: str = "") -> None:
        """Only an upheld appeal brings a removed listing back."""
        self.closed_at = None

    @transition(
        field=status,
        source=[Status.DRAFT, Status.PUBLISHED, Status.VERIFIED, Status.FLAGGED],
        target=Status.ARCHIVED,
    )
    def archive(self, *, by=None, reason: str = "", archive_reason: str = "") -> None:
        self.archive_reason = archive_reason or self.ArchiveReason.WITHDRAWN
        self.closed_at = timezone.now()


def photo_upload_to(instance, filename: str) -> str:
    return f"listings/{instance.listing_id}/{timezone.now():%Y%m}/{filename}"


class ListingPhoto(models.Model):
    """A listing photo with its 64-bit difference hash (dHash), stored signed in a bigint.

    The four 16-bit bands of the hash are stored and indexed separately: two pictures at most 3 bits
    apart share at least one band, so near-duplicates are found by equal bands, then Hamming distance.
    """

    listing = models.ForeignKey(Listing, on_delete=models.CASCADE, related_name="photos")
    # Copied from the listing so a duplicate search never needs the listing table.
    partner = models.ForeignKey("partners.Partner", on_delete=models.PROTECT, related_name="+")
    image = models.ImageField(_("photo"), upload_to=photo_upload_to)
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    dhash = models.BigIntegerField(_("perceptual hash"))
    band0 = models.IntegerField()
    band1 = models.IntegerField()
    band2 = models.IntegerField()
    band3 = models.IntegerField()
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    size_bytes = models.PositiveIntegerField(default=0)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("listing photo")
        verbose_name_plural = _("listing photos")
        ordering = ["position", "id"]
        indexes = [models.Index(fields=[f"band{n}"], name=f"listings_photo_band{n}") for n in range(4)]
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    band0__gte=0,
                    band0__lt=65536,
                    band1__gte=0,
                    band1__lt=65536,
                    band2__gte=0,
                    band2__lt=65536,
                    band3__gte=0,
                    band3__lt=65536,
                ),
                name="listings_photo_bands_16_bit",
            ),
        ]

    def __str__(self) -> str:
        return str(_("Photo %(position)s of %(listing)s") % {
            "position": self.position + 1, "listing": self.listing,
        })


class Verification(ConcurrentTransitionMixin, models.Model):
    """One attempt to verify a listing at one level; a confirmed one holds until `expires_at`."""

    class Level(models.IntegerChoices):
        PHONE = 1, _("Owner confirmed by phone")
        OWNER_LINK = 2, _("Owner confirmed by text link")
        REGISTRY = 3, _("Registry checked")
        ON_SITE = 4, _("Inspected on site")

    class Status(models.TextChoices):
        REQUESTED = "requested", pgettext_lazy("verification", "Requested")
        CONFIRMED = "confirmed", pgettext_lazy("verification", "Confirmed")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Cancelled")

    LEVEL_KEYS = {1: "phone", 2: "owner_link", 3: "registry", 4: "on_site"}

    listing = models.ForeignKey(Listing, on_delete=models.CASCADE, related_name="verifications")
    level = models.PositiveSmallIntegerField(_("level"), choices=Level.choices)
    status = FSMField(_("status"), default=Status.REQUESTED, choices=Status.choices, protected=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    owner_name = models.CharField(_("owner's name"), max_length=100, blank=True)
    # The owner's own number, for the phone call or the text link; encrypted, never shown in full.
    owner_phone = EncryptedTextField(_("owner's mobile number"), blank=True)
    owner_phone_hint = models.CharField(max_length=20, blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True)
    requested_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(_("valid until"), null=True, blank=True)

    class Meta:
        verbose_name = _("verification")
        verbose_name_plural = _("verifications")
        ordering = ["-requested_at", "-id"]
        constraints = [
            # One pending request per level per listing.
            models.UniqueConstraint(
                fields=["listing", "level"],
                condition=Q(status="requested"),
                name="listings_verification_one_pending_per_level",
            ),
            models.CheckConstraint(
                condition=~Q(status="confirmed") | Q(expires_at__isnull=False),
                name="listings_verification_confirmed_expires",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_level_display()} — {self.listing}"

    @transition(field=status, source=Status.REQUESTED, target=Status.CONFIRMED)
    def confirm(self, *, by=None, reason: str = "", expires_at=None) -> None:
        self.decided_at = timezone.now()
        self.expires_at = expires_at

    @transition(field=status, source=Status.REQUESTED, target=Status.FAILED)
    def fail(self, *, by=None, reason: str = "") -> None:
        self.decided_at = timezone.now()

    @transition(field=status, source=[Status.REQUESTED, Status.CONFIRMED], target=Status.CANCELLED)
    def cancel(self, *, by=None, reason: str = "") -> None:
        self.decided_at = timezone.now()


class RiskScore(models.Model):
    """The latest risk score of a listing with its explainable components (rewritten nightly)."""

    listing = models.OneToOneField(Listing, on_delete=models.CASCADE, primary_key=True, related_name="risk")
    score = models.FloatField(_("score"))
    components = models.JSONField(_("components"), default=dict)
    version = models.CharField(_("scoring version"), max_length=20)
    computed_at = models.DateTimeField(_("computed"))

    class Meta:
        verbose_name = _("risk score")
        verbose_name_plural = _("risk scores")
        indexes = [models.Index(fields=["-score"], name="listings_risk_score_desc")]

    def __str__(self) -> str:
        return f"{self.score:.1f} ({self.version})"


class ListingContact(models.Model):
    """A consumer reached the broker about a listing (through a safe number, or by a call-back), and
    how it turned out: the consumer's answer afterwards and the broker's own answer. A home already let
    but kept live shows here first: callers are told it is gone and offered another."""

    class Outcome(models.TextChoices):
        VIEWED = "viewed", _("I saw the home as listed")
        UNAVAILABLE = "unavailable", _("I was told it is already let or not available")
        OTHER_OFFERED = "other_offered", _("I was offered a different home instead")
        NO_VIEWING = "no_viewing", _("The broker never arranged a viewing")

    class BrokerAnswer(models.TextChoices):
        AVAILABLE = "available", _("Still available")
        CONTRACTED = "contracted", _("Already contracted")

    listing = models.ForeignKey(Listing, on_delete=models.CASCADE, related_name="contacts")
    consumer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    masked_session_id = models.BigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    outcome = models.CharField(_("how it turned out"), max_length=14, choices=Outcome.choices, blank=True)
    outcome_at = models.DateTimeField(_("answered"), null=True, blank=True)
    outcome_asked_at = models.DateTimeField(null=True, blank=True)  # the consumer was asked once
    broker_answer = models.CharField(
        _("the broker's answer"), max_length=10, choices=BrokerAnswer.choices, blank=True
    )
    broker_answer_at = models.DateTimeField(_("broker answered"), null=True, blank=True)

    class Meta:
        verbose_name = _("listing contact")
        verbose_name_plural = _("listing contacts")
        indexes = [
            models.Index(fields=["listing", "consumer"], name="listings_contact_lookup"),
            # The nightly risk score reads the answered contacts of every live listing.
            models.Index(
                fields=["listing"],
                condition=~Q(outcome="") | ~Q(broker_answer=""),
                name="listings_contact_answered",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(outcome="") | Q(outcome_at__isnull=False), name="listings_contact_outcome_dated"
            ),
            models.CheckConstraint(
                condition=Q(broker_answer="") | Q(broker_answer_at__isnull=False),
                name="listings_contact_answer_dated",
            ),
        ]

    def __str__(self) -> str:
        return str(_("Contact about %(listing)s") % {"listing": self.listing})


class PhotoHash(models.Model):
    """A second look at a listing photo for copy detection: the difference hash of a centred crop
    (`kind` = the share of the width and height kept, in percent). A copy cropped from another
    brokerage's photo matches the original's crop hash when the full hashes are far apart."""

    photo = models.ForeignKey(ListingPhoto, on_delete=models.CASCADE, related_name="crop_hashes")
    listing = models.ForeignKey(Listing, on_delete=models.CASCADE, related_name="+")
    partner = models.ForeignKey("partners.Partner", on_delete=models.PROTECT, related_name="+")
    kind = models.PositiveSmallIntegerField()
    dhash = models.BigIntegerField()
    band0 = models.IntegerField()
    band1 = models.IntegerField()
    band2 = models.IntegerField()
    band3 = models.IntegerField()

    class Meta:
        verbose_name = _("photo crop hash")
        verbose_name_plural = _("photo crop hashes")
        indexes = [models.Index(fields=[f"band{n}"], name=f"listings_photohash_band{n}") for n in range(4)]
        constraints = [
            models.UniqueConstraint(fields=["photo", "kind"], name="listings_photohash_one_per_kind"),
            models.CheckConstraint(
                condition=Q(kind__gt=0, kind__lt=100), name="listings_photohash_kind_percent"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.photo_id}@{self.kind}%"
