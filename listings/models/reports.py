"""Consumer reports, reporters' track records and wasted-trip compensation."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

OPEN_REPORT_STATUSES = ("awaiting_broker", "in_review", "on_site")


class Report(ConcurrentTransitionMixin, models.Model):
    """A consumer's report about a listing. The broker answers first, then staff check by phone,
    then on site. The reporter is never shown to the broker."""

    class Reason(models.TextChoices):
        GONE = "gone", _("Already gone")
        PRICE = "price", _("Price differs")
        NOT_EXIST = "not_exist", _("Does not exist")
        PHOTOS = "photos", _("Wrong photos")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        AWAITING_BROKER = "awaiting_broker", _("Waiting for the broker")
        IN_REVIEW = "in_review", _("Being checked")
        ON_SITE = "on_site", _("On-site check")
        UPHELD = "upheld", _("Upheld")
        REJECTED = "rejected", _("Not upheld")

    class BrokerAction(models.TextChoices):
        GONE = "gone", _("Marked the listing gone")
        CORRECTED = "corrected", _("Corrected the listing")
        DISPUTED = "disputed", _("Says the listing is accurate")

    listing = models.ForeignKey("Listing", on_delete=models.PROTECT, related_name="reports")
    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(_("reason"), max_length=12, choices=Reason.choices)
    details = models.TextField(_("details"), blank=True)
    visited = models.BooleanField(_("I went to see it"), default=False)
    # The reporter's track-record weight when filed; the sum over open reports raises priority.
    weight = models.FloatField(_("weight"), default=1.0)
    status = FSMField(_("status"), default=Status.AWAITING_BROKER, choices=Status.choices, protected=True)
    respond_by = models.DateTimeField(_("broker answers by"))
    broker_action = models.CharField(
        _("broker's answer"), max_length=10, choices=BrokerAction.choices, blank=True
    )
    broker_response = models.TextField(_("broker's response"), blank=True)
    responded_at = models.DateTimeField(null=True, blank=True)
    phone_check_note = models.TextField(_("phone check"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(_("decision"), blank=True)
    # Proven false reporting (not merely unconfirmed): the reporter is banned for a while.
    false_report = models.BooleanField(_("proven false"), default=False)
    created_at = models.DateTimeField(_("filed"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["listing", "status"], name="listings_report_listing_status"),
            models.Index(fields=["reporter", "created_at"], name="listings_report_reporter_day"),
        ]
        constraints = [
            # One open report per consumer per listing.
            models.UniqueConstraint(
                fields=["listing", "reporter"],
                condition=Q(status__in=OPEN_REPORT_STATUSES),
                name="listings_report_one_open_per_reporter",
            ),
            models.CheckConstraint(
                condition=Q(weight__gte=0) & Q(weight__lte=2), name="listings_report_weight_range"
            ),
            models.CheckConstraint(
                condition=Q(false_report=False) | Q(status="rejected"),
                name="listings_report_false_only_rejected",
            ),
        ]

    def __str__(self) -> str:
        return str(_("Report #%(id)s (%(reason)s) on %(listing)s") % {
            "id": self.pk, "reason": self.get_reason_display(), "listing": self.listing,
        })

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_REPORT_STATUSES

    @transition(field=status, source=Status.AWAITING_BROKER, target=Status.IN_REVIEW)
    def respond(self, *, by=None, reason: str = "") -> None:
        self.responded_at = timezone.now()

    @transition(field=status, source=Status.AWAITING_BROKER, target=Status.IN_REVIEW)
    def review(self, *, by=None, reason: str = "") -> None:
        pass

    @transition(
        field=status,
        source=[Status.AWAITING_BROKER, Status.IN_REVIEW],
        target=Status.ON_SITE,
        custom={"label": _("Send for an on-site check")},
    )
    def escalate(self, *, by=None, reason: str = "") -> None:
        pass

    @transition(
        field=status, source=list(OPEN_REPORT_STATUSES), target=Status.UPHELD, custom={"label": _("Uphold")}
    )
    def uphold(self, *, by=None, reason: str = "") -> None:
        self.decided_at = timezone.now()
        self.decision_note = reason

    @transition(
        field=status, source=list(OPEN_REPORT_STATUSES), target=Status.REJECTED, custom={"label": _("Reject")}
    )
    def reject(self, *, by=None, reason: str = "", false_report: bool = False) -> None:
        self.decided_at = timezone.now()
        self.decision_note = reason
        self.false_report = false_report


class ReporterStanding(models.Model):
    """A consumer's track record as a reporter: upheld reports raise the weight, rejected lower it."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True, related_name="reporter_standing"
    )
    upheld_count = models.PositiveIntegerField(_("upheld"), default=0)
    rejected_count = models.PositiveIntegerField(_("not upheld"), default=0)
    false_count = models.PositiveIntegerField(_("proven false"), default=0)
    banned_until = models.DateTimeField(_("may not report until"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("reporter standing")
        verbose_name_plural = _("reporter standings")

    def __str__(self) -> str:
        return f"{self.user}: {self.upheld_count}↑ {self.rejected_count}↓"

    @property
    def weight(self) -> float:
        """Between 0 and 2; a new reporter weighs 1 (a Beta(1,1) prior on being right, doubled)."""
        if self.is_banned:
            return 0.0
        return round(2 * (self.upheld_count + 1) / (self.upheld_count + self.rejected_count + 2), 3)

    @property
    def is_banned(self) -> bool:
        return bool(self.banned_until and self.banned_until > timezone.now())


class WastedTripClaim(ConcurrentTransitionMixin, models.Model):
    """헛걸음 보상: a consumer who went to see a listing later confirmed fake is paid once."""

    class Status(models.TextChoices):
        FILED = "filed", _("Filed")
        PAID = "paid", _("Paid")
        REJECTED = "rejected", _("Rejected")

    listing = models.ForeignKey("Listing", on_delete=models.PROTECT, related_name="wasted_trip_claims")
    consumer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    visited_on = models.DateField(_("visited on"))
    note = models.TextField(_("note"), blank=True)
    amount_krw = models.BigIntegerField(_("amount (KRW)"))
    status = FSMField(_("status"), default=Status.FILED, choices=Status.choices, protected=True)
    # Why it may be paid without a staff review: a verified phone that reached the broker through a
    # safe number before the visit.
    evidence = models.CharField(_("evidence"), max_length=40, blank=True)
    # The blind index of the consumer's verified phone when filed: one phone is compensated once per
    # listing, whichever account it is on by then.
    phone_index = models.CharField(max_length=64, blank=True, editable=False)
    transfer_id = models.BigIntegerField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    paid_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("wasted-trip claim")
        verbose_name_plural = _("wasted-trip claims")
        ordering = ["-created_at"]
        permissions = [("pay_wasted_trip", _("Can approve wasted-trip compensation"))]
        constraints = [
            # Paid once: one claim per consumer per listing, whatever its outcome.
            models.UniqueConstraint(fields=["listing", "consumer"], name="listings_wasted_trip_once"),
            models.UniqueConstraint(
                fields=["listing", "phone_index"],
                condition=~Q(phone_index=""),
                name="listings_wasted_trip_once_per_phone",
            ),
            models.CheckConstraint(
                condition=Q(amount_krw__gt=0), name="listings_wasted_trip_amount_positive"
            ),
        ]

    def __str__(self) -> str:
        return str(_("Wasted trip #%(id)s (%(listing)s)") % {"id": self.pk, "listing": self.listing})

    @transition(field=status, source=Status.FILED, target=Status.PAID, custom={"label": _("Pay")})
    def pay(self, *, by=None, reason: str = "") -> None:
        self.paid_at = timezone.now()

    @transition(field=status, source=Status.FILED, target=Status.REJECTED, custom={"label": _("Reject")})
    def reject(self, *, by=None, reason: str = "") -> None:
        pass
