"""Monthly inspection campaigns and the on-site inspections inspectors record from their phones."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from trustplatform import files


class Campaign(ConcurrentTransitionMixin, models.Model):
    """One month's sweep: the areas chosen, the listings to inspect, and the seed that chose them."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    month = models.DateField(_("month"), unique=True, help_text=_("The first day of the month."))
    seed = models.BigIntegerField(_("random seed"))
    parameters = models.JSONField(_("parameters"), default=dict)
    selected_areas = models.JSONField(_("areas"), default=list)
    capacity = models.PositiveIntegerField(_("inspector capacity"))
    broker_cap = models.PositiveIntegerField(_("most listings per broker"))
    status = FSMField(_("status"), default=Status.OPEN, choices=Status.choices, protected=True)
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("inspection campaign")
        verbose_name_plural = _("inspection campaigns")
        ordering = ["-month"]
        constraints = [
            models.CheckConstraint(condition=Q(month__day=1), name="listings_campaign_first_of_month"),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m}"

    @transition(field=status, source=Status.OPEN, target=Status.CLOSED, custom={"label": _("Close")})
    def close(self, *, by=None, reason: str = "") -> None:
        self.closed_at = timezone.now()


class Inspection(ConcurrentTransitionMixin, models.Model):
    """An on-site check of one listing, from a campaign or a report, with its outcome and evidence."""

    class Reason(models.TextChoices):
        RISK = "risk", _("Risk ranking")
        SAMPLE = "sample", _("Random sample")
        REPORT = "report", _("Reports")
        VERIFICATION = "verification", _("Verification request")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        DONE = "done", _("Done")
        CANCELLED = "cancelled", _("Cancelled")

    class Outcome(models.TextChoices):
        GENUINE = "genuine", _("Genuine")
        FAKE = "fake", _("Fake")
        NO_ACCESS = "no_access", _("Could not access")

    class FakeCategory(models.TextChoices):
        GONE = "gone", _("Already let or sold, still advertised")
        PRICE_BAIT = "price_bait", _("Bait price")
        NOT_EXIST = "not_exist", _("Does not exist")
        WRONG_PHOTOS = "wrong_photos", _("Photos of another property")
        WRONG_DETAILS = "wrong_details", _("Size, floor or rooms misstated")

    listing = models.ForeignKey("Listing", on_delete=models.PROTECT, related_name="inspections")
    campaign = models.ForeignKey(
        Campaign, null=True, blank=True, on_delete=models.PROTECT, related_name="inspections"
    )
    reason = models.CharField(_("why"), max_length=12, choices=Reason.choices)
    priority = models.FloatField(_("priority"), default=0)
    # The risk components when it was queued: what calibration learns from once the outcome is in.
    components = models.JSONField(_("risk components when queued"), default=dict, blank=True)
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="listing_inspections",
        verbose_name=_("inspector"),
    )
    status = FSMField(_("status"), default=Status.QUEUED, choices=Status.choices, protected=True)
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices, blank=True)
    fake_category = models.CharField(
        _("what was fake"), max_length=14, choices=FakeCategory.choices, blank=True
    )
    note = models.TextField(_("note"), blank=True)
    visited_at = models.DateTimeField(_("visited at"), null=True, blank=True)
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    gps_accuracy_m = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    recorded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("inspection")
        verbose_name_plural = _("inspections")
        ordering = ["-priority", "id"]
        permissions = [("record_inspection", _("Can record on-site inspections"))]
        indexes = [
            models.Index(fields=["status", "inspector", "-priority"], name="listings_inspection_queue")
        ]
        constraints = [
            # One queued inspection per listing at a time.
            models.UniqueConstraint(
                fields=["listing"], condition=Q(status="queued"), name="listings_inspection_one_queued"
            ),
            models.CheckConstraint(
                condition=Q(status="done", outcome__in=["genuine", "fake", "no_access"]) | ~Q(status="done"),
                name="listings_inspection_done_has_outcome",
            ),
            models.CheckConstraint(
                condition=~Q(outcome="fake") | ~Q(fake_category=""),
                name="listings_inspection_fake_has_category",
            ),
            models.CheckConstraint(
                condition=(Q(latitude__isnull=True) | Q(latitude__gte=-90, latitude__lte=90))
                & (Q(longitude__isnull=True) | Q(longitude__gte=-180, longitude__lte=180)),
                name="listings_inspection_gps_range",
            ),
        ]

    def __str__(self) -> str:
        return str(_("Inspection #%(id)s of %(listing)s") % {"id": self.pk, "listing": self.listing})

    @transition(field=status, source=Status.QUEUED, target=Status.DONE)
    def record(self, *, by=None, reason: str = "", findings: dict | None = None) -> None:
        """`findings`: outcome, fake_category, note, visited_at, latitude, longitude, gps_accuracy_m."""
        for name, value in (findings or {}).items():
            setattr(self, name, value)
        self.inspector = self.inspector or by
        self.recorded_at = timezone.now()

    @transition(field=status, source=Status.QUEUED, target=Status.CANCELLED, custom={"label": _("Cancel")})
    def cancel(self, *, by=None, reason: str = "") -> None:
        pass


class InspectionPhoto(models.Model):
    """A re-encoded photo an inspector took on site: private, for inspectors and agents only."""

    inspection = models.ForeignKey(Inspection, on_delete=models.PROTECT, related_name="photos")
    image = models.ImageField(
        _("photo"), upload_to=files.RandomName("listings/inspections"), storage=files.private_storage
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("inspection photo")
        verbose_name_plural = _("inspection photos")

    def __str__(self) -> str:
        return str(_("Photo of %(inspection)s") % {"inspection": self.inspection})


class RiskCalibration(models.Model):
    """Weights learned from inspections' outcomes (the random slice keeps them honest): the nightly
    score uses the newest, and the campaign turns scores into the chance a listing is fake."""

    weights = models.JSONField(_("weights"))
    # Logistic model of the chance of a fake from the score: p = 1 / (1 + exp(-(a + b * score))).
    intercept = models.FloatField(_("intercept"))
    slope = models.FloatField(_("slope"))
    samples = models.PositiveIntegerField(_("inspections learned from"))
    fakes = models.PositiveIntegerField(_("fakes among them"))
    fitted_at = models.DateTimeField(_("fitted"), auto_now_add=True)

    class Meta:
        verbose_name = _("risk calibration")
        verbose_name_plural = _("risk calibrations")
        ordering = ["-fitted_at", "-id"]
        get_latest_by = ["fitted_at", "id"]

    def __str__(self) -> str:
        return str(_("Calibration of %(when)s") % {"when": f"{self.fitted_at:%Y-%m-%d}"})
