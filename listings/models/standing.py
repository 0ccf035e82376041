"""A brokerage's standing: the 안심중개사 badge, strikes, posting suspensions and appeals."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from trustplatform import files


class BrokerStanding(ConcurrentTransitionMixin, models.Model):
    """One row per brokerage: the badge, any posting suspension, removal and public notice.

    Every strike locks this row first, so concurrent confirmations count strikes one at a time.
    """

    class Badge(models.TextChoices):
        NONE = "none", _("No badge")
        HELD = "held", _("Trusted broker (안심중개사)")
        REVOKED = "revoked", _("Badge revoked")

    class Decision(models.TextChoices):
        RULE = "rule", pgettext_lazy("badge", "The badge rule decides")
        GRANTED = "granted", pgettext_lazy("badge", "Granted by staff")
        WITHHELD = "withheld", pgettext_lazy("badge", "Revoked by staff")

    partner = models.OneToOneField(
        "partners.Partner", on_delete=models.PROTECT, primary_key=True, related_name="listing_standing"
    )
    badge = FSMField(_("badge"), default=Badge.NONE, choices=Badge.choices, protected=True)
    # Who decides the badge: the nightly rule, or staff, whose decision holds until staff lift it.
    badge_decision = FSMField(
        _("badge decided by"), default=Decision.RULE, choices=Decision.choices, protected=True
    )
    badge_decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    badge_decided_at = models.DateTimeField(null=True, blank=True)
    badge_decision_note = models.TextField(_("staff's reason"), blank=True)
    badge_granted_at = models.DateTimeField(null=True, blank=True)
    badge_revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by_strike = models.ForeignKey(
        "Strike", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    posting_suspended_until = models.DateTimeField(_("may not post until"), null=True, blank=True)
    removed_at = models.DateTimeField(_("removed from the programme"), null=True, blank=True)
    public_notice_at = models.DateTimeField(_("public notice since"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("broker standing")
        verbose_name_plural = _("broker standings")

    def __str__(self) -> str:
        return f"{self.partner}: {self.get_badge_display()}"

    def get_status_display(self) -> str:
        # transition_run names the current state in its refusals; here the state is the badge.
        return self.get_badge_display()

    @property
    def has_badge(self) -> bool:
        return self.badge == self.Badge.HELD

    @property
    def is_suspended(self) -> bool:
        return bool(self.posting_suspended_until and self.posting_suspended_until > timezone.now())

    @property
    def may_post(self) -> bool:
        return self.removed_at is None and not self.is_suspended

    @transition(
        field=badge,
        source=[Badge.NONE, Badge.REVOKED],
        target=Badge.HELD,
        permission="listings.decide_listing",
        custom={"label": _("Grant the badge")},
    )
    def grant(self, *, by=None, reason: str = "") -> None:
        self.badge_granted_at = timezone.now()
        self.revoked_by_strike = None  # an appeal upheld later restores only a badge a strike took

    @transition(field=badge, source=Badge.HELD, target=Badge.REVOKED)
    def revoke(self, *, by=None, reason: str = "") -> None:
        self.badge_revoked_at = timezone.now()

    @transition(field=badge, source=Badge.REVOKED, target=Badge.HELD)
    def restore(self, *, by=None, reason: str = "") -> None:
        self.badge_revoked_at = None
        self.revoked_by_strike = None

    # Staff decisions (admin buttons, with a reason); services.badges moves the badge to match them.
    @transition(
        field=badge_decision,
        source=[Decision.RULE, Decision.WITHHELD],
        target=Decision.GRANTED,
        permission="listings.decide_listing",
    )
    def staff_grant(self, *, by=None, reason: str = "") -> None:
        self._decided(by, reason)

    @transition(
        field=badge_decision,
        source=[Decision.RULE, Decision.GRANTED],
        target=Decision.WITHHELD,
        permission="listings.decide_listing",
    )
    def staff_revoke(self, *, by=None, reason: str = "") -> None:
        self._decided(by, reason)

    @transition(
        field=badge_decision,
        source=[Decision.GRANTED, Decision.WITHHELD],
        target=Decision.RULE,
        permission="listings.decide_listing",
    )
    def staff_lift(self, *, by=None, reason: str = "") -> None:
        self._decided(by, reason)

    @transition(field=badge_decision, source=Decision.GRANTED, target=Decision.RULE)
    def staff_grant_void(self, *, by=None, reason: str = "") -> None:
        """A confirmed fake ends a staff grant: from then on the rule and its clean period apply."""
        self._decided(by, reason)

    def _decided(self, by, reason: str) -> None:
        self.badge_decided_by = by
        self.badge_decided_at = timezone.now()
        self.badge_decision_note = reason


class Strike(ConcurrentTransitionMixin, models.Model):
    """A confirmed fake listing held against a brokerage. Never deleted: overruled or expired instead."""

    class Severity(models.IntegerChoices):
        MINOR = 1, _("Minor")
        MAJOR = 2, _("Major")

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        OVERRULED = "overruled", _("Overruled on appeal")
        EXPIRED = "expired", _("Expired")

    partner = models.ForeignKey("partners.Partner", on_delete=models.PROTECT, related_name="listing_strikes")
    listing = models.OneToOneField("Listing", on_delete=models.PROTECT, related_name="strike")
    inspection = models.ForeignKey(
        "Inspection", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Who established the fake (the inspector, or staff after a phone check); may not decide the appeal.
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    severity = models.PositiveSmallIntegerField(_("severity"), choices=Severity.choices)
    category = models.CharField(_("what was fake"), max_length=14)
    note = models.TextField(_("note"), blank=True)
    status = FSMField(_("status"), default=Status.ACTIVE, choices=Status.choices, protected=True)
    # What the strike set off when issued: badge_revoked, suspended, removed, warning.
    consequence = models.CharField(_("consequence"), max_length=20, blank=True)
    issued_at = models.DateTimeField(_("issued"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires"))
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("strike")
        verbose_name_plural = _("strikes")
        ordering = ["-issued_at", "-id"]
        indexes = [models.Index(fields=["partner", "status", "issued_at"], name="listings_strike_partner")]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_at__gt=F("issued_at")), name="listings_strike_expiry_after"
            ),
        ]

    def __str__(self) -> str:
        return str(_("Strike #%(id)s (%(partner)s)") % {"id": self.pk, "partner": self.partner})

    @property
    def consequence_label(self) -> str:
        if self.consequence.startswith("suspended_"):
            return _("Posting suspended for %(days)s days") % {"days": self.consequence[10:].rstrip("d")}
        return {
            "badge_revoked": _("Badge revoked"),
            "warning": _("Warning"),
            "removed": _("Removed from the programme"),
        }.get(self.consequence, self.consequence)

    @property
    def category_label(self) -> str:
        from .inspections import Inspection

        try:
            return Inspection.FakeCategory(self.category).label
        except ValueError:
            return self.category

    @property
    def appeal_until(self):
        from datetime import timedelta

        return self.issued_at + timedelta(days=settings.LISTINGS_APPEAL_WINDOW_DAYS)

    @property
    def may_appeal(self) -> bool:
        return (
            self.status == self.Status.ACTIVE
            and timezone.now() <= self.appeal_until
            and not hasattr(self, "appeal")
        )

    @transition(field=status, source=Status.ACTIVE, target=Status.OVERRULED)
    def overrule(self, *, by=None, reason: str = "") -> None:
        self.ended_at = timezone.now()

    @transition(field=status, source=Status.ACTIVE, target=Status.EXPIRED)
    def expire(self, *, by=None, reason: str = "") -> None:
        self.ended_at = timezone.now()


class Suspension(models.Model):
    """A posting suspension a strike set off; lifted (never deleted) when its strike is overruled."""

    partner = models.ForeignKey("partners.Partner", on_delete=models.PROTECT, related_name="+")
    strike = models.ForeignKey(Strike, on_delete=models.PROTECT, related_name="suspensions")
    starts_at = models.DateTimeField(_("from"))
    ends_at = models.DateTimeField(_("until"))
    lifted_at = models.DateTimeField(_("lifted"), null=True, blank=True)
    lifted_reason = models.CharField(max_length=200, blank=True)

    class Meta:
        verbose_name = _("posting suspension")
        verbose_name_plural = _("posting suspensions")
        ordering = ["-starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="listings_suspension_ends_after"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.partner}: {self.starts_at:%Y-%m-%d} – {self.ends_at:%Y-%m-%d}"


class Appeal(ConcurrentTransitionMixin, models.Model):
    """The broker's appeal against a strike, decided by staff who did not establish the fake."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        UPHELD = "upheld", _("Upheld")
        REJECTED = "rejected", _("Rejected")

    strike = models.OneToOneField(Strike, on_delete=models.PROTECT, related_name="appeal")
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    statement = models.TextField(_("statement"))
    # Copied from the strike, so the database itself refuses a decision by the same person.
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    status = FSMField(_("status"), default=Status.PENDING, choices=Status.choices, protected=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decision_note = models.TextField(_("decision"), blank=True)
    filed_at = models.DateTimeField(_("filed"), auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("appeal")
        verbose_name_plural = _("appeals")
        ordering = ["-filed_at"]
        permissions = [("decide_appeal", _("Can decide strike appeals"))]
        constraints = [
            models.CheckConstraint(
                condition=Q(decided_by__isnull=True)
                | Q(confirmed_by__isnull=True)
                | ~Q(decided_by=F("confirmed_by")),
                name="listings_appeal_other_decider",
            ),
        ]

    def __str__(self) -> str:
        return str(_("Appeal of %(strike)s") % {"strike": self.strike})

    @transition(
        field=status,
        source=Status.PENDING,
        target=Status.UPHELD,
        permission="listings.decide_appeal",
        custom={"label": _("Uphold"), "form": "listings.forms.DecisionForm"},
    )
    def uphold(self, *, by=None, reason: str = "") -> None:
        self.decided_by = by
        self.decided_at = timezone.now()
        self.decision_note = reason

    @transition(
        field=status,
        source=Status.PENDING,
        target=Status.REJECTED,
        permission="listings.decide_appeal",
        custom={"label": _("Reject"), "form": "listings.forms.DecisionForm"},
    )
    def reject(self, *, by=None, reason: str = "") -> None:
        self.decided_by = by
        self.decided_at = timezone.now()
        self.decision_note = reason


class AppealEvidence(models.Model):
    """A file backing an appeal: private, for the brokerage and the staff who decide appeals only."""

    KINDS = (files.PDF, files.JPEG, files.PNG, files.WEBP)

    appeal = models.ForeignKey(Appeal, on_delete=models.PROTECT, related_name="evidence")
    file = models.FileField(
        _("file"), upload_to=files.RandomName("listings/appeals"), storage=files.private_storage
    )
    original_name = models.CharField(_("file name"), max_length=200, blank=True)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("appeal evidence")
        verbose_name_plural = _("appeal evidence")

    def __str__(self) -> str:
        return self.original_name or str(_("Appeal evidence #%(id)s") % {"id": self.pk})
