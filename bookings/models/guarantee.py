"""Upgrade-on-cancel: the case opened when a property cancels (or turns the guest away), its candidates
and the agents' notes."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition


class CaseStatus(models.TextChoices):
    REPORTED = "reported", _("Waiting for the property's answer")
    CONTESTED = "contested", _("Contested: an agent decides")
    DISMISSED = "dismissed", _("Dismissed: the booking stands")
    OPENED = "opened", _("Opened")
    SEARCHING = "searching", _("Searching for a room")
    OFFERED = "offered", _("Offers sent")
    REBOOKED = "rebooked", _("Rebooked")
    REFUNDED = "refunded", _("Refunded")
    ESCALATED = "escalated", _("With an agent")
    CLOSED = "closed", _("Closed")


# A booking has at most one case in these (a constraint): the guarantee is still working on it.
OPEN_STATUSES = (
    CaseStatus.REPORTED,
    CaseStatus.CONTESTED,
    CaseStatus.OPENED,
    CaseStatus.SEARCHING,
    CaseStatus.OFFERED,
    CaseStatus.ESCALATED,
)


class CaseOutcome(models.TextChoices):
    """How an agent closed a case: what became of the guest."""

    REHOUSED = "rehoused", _("Guest rehoused")
    REFUNDED = "refunded", _("Guest refunded")
    OWN_ARRANGEMENTS = "own_arrangements", _("Guest made their own arrangements")
    UNREACHABLE = "unreachable", _("Guest could not be reached")
    OTHER = "other", _("Other (see the notes)")


class GuaranteeCase(ConcurrentTransitionMixin, models.Model):
    """The platform's promise to a guest whose confirmed booking the property cancelled.

    A property that never cancels online but turns the guest away is reported by the guest (or by an
    agent after a call on the guarantee line): the case waits in `reported` for the property to confirm
    or contest; confirmation or silence opens it like a cancellation, a contest goes to an agent, who
    upholds it (opened) or dismisses it (the booking stands)."""

    Status = CaseStatus
    Outcome = CaseOutcome

    class Mode(models.TextChoices):
        AUTO = "auto", _("Booked at once (check-in is close)")
        OFFER = "offer", _("Guest chooses")

    class Origin(models.TextChoices):
        CANCELLED = "cancelled", _("Cancelled by the property")
        GUEST = "guest", _("Reported by the guest")
        LINE = "line", _("Reported on the guarantee line")

    # Only one case of a booking is open at a time (a dismissed report leaves the booking as it was).
    booking = models.ForeignKey(
        "Booking", verbose_name=_("booking"), on_delete=models.PROTECT, related_name="guarantee_cases"
    )
    status = FSMField(_("status"), default=Status.OPENED, choices=Status.choices, protected=True)
    origin = models.CharField(_("origin"), max_length=10, choices=Origin.choices, default=Origin.CANCELLED)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reported by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    guest_statement = models.TextField(_("guest's statement"), blank=True)
    property_statement = models.TextField(_("property's statement"), blank=True)
    respond_by = models.DateTimeField(_("property answers by"), null=True, blank=True)
    decision = models.TextField(_("agent's grounds"), blank=True)
    mode = models.CharField(_("mode"), max_length=5, choices=Mode.choices, default=Mode.OFFER)
    reason = models.CharField(_("property's reason"), max_length=300, blank=True)
    budget_krw = models.PositiveIntegerField(_("extra-cost budget (KRW)"))
    offer_deadline = models.DateTimeField(_("answer by"), null=True, blank=True)
    rebooked = models.ForeignKey(
        "Booking",
        verbose_name=_("new booking"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    extra_cost_krw = models.PositiveIntegerField(_("paid by the guarantee fund (KRW)"), default=0)
    penalty_krw = models.PositiveIntegerField(_("penalty (KRW)"), default=0)
    refund_krw = models.PositiveIntegerField(_("refunded (KRW)"), default=0)
    compensation_krw = models.PositiveIntegerField(_("compensation (KRW)"), default=0)
    # An outlier's compensation waits here for an agent's decision instead of being paid at once.
    compensation_due_krw = models.PositiveIntegerField(
        _("compensation waiting for an agent (KRW)"), default=0
    )
    compensation_review = models.CharField(
        _("why an agent decides the compensation"), max_length=300, blank=True
    )
    compensation_paid_at = models.DateTimeField(_("compensation paid at"), null=True, blank=True)
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("agent"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    escalation_reason = models.CharField(_("why an agent"), max_length=300, blank=True)
    opened_at = models.DateTimeField(_("opened at"), auto_now_add=True)
    # When the rehousing began: at opening for a cancellation, at confirmation for a reported case.
    started_at = models.DateTimeField(_("rehousing started at"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=20, choices=CaseOutcome.choices, blank=True)

    class Meta:
        verbose_name = _("guarantee case")
        verbose_name_plural = _("guarantee cases")
        ordering = ["-opened_at", "-pk"]
        permissions = [("work_case", _("Can work guarantee cases (rebook, notes, close)"))]
        indexes = [
            models.Index(fields=["status", "offer_deadline"], name="bookings_case_deadline"),
            models.Index(fields=["status", "respond_by"], name="bookings_case_respond_by"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["booking"], condition=Q(status__in=OPEN_STATUSES), name="bookings_case_one_open"
            ),
            # A reported case always says by when the property answers.
            models.CheckConstraint(
                condition=Q(origin="cancelled") | Q(respond_by__isnull=False), name="bookings_case_answer_by"
            ),
            # Compensation is either waiting for an agent or decided, never both.
            models.CheckConstraint(
                condition=Q(compensation_due_krw=0)
                | Q(compensation_krw=0, compensation_paid_at__isnull=True),
                name="bookings_case_compensation_once",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.booking.code}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def is_rehousing(self) -> bool:
        """The guarantee runs (or ran): not a report still waiting for an answer or dismissed."""
        return self.status not in (self.Status.REPORTED, self.Status.CONTESTED, self.Status.DISMISSED)

    # A reported case: the property confirms (or stays silent, or cancels online meanwhile).
    @transition(field=status, source=Status.REPORTED, target=Status.OPENED)
    def confirm(self, *, by=None, reason: str = "") -> None:
        pass

    # The property contests (its statement), or the case needs an agent for another reason.
    @transition(field=status, source=Status.REPORTED, target=Status.CONTESTED)
    def contest(self, *, by=None, reason: str = "", statement: str = "") -> None:
        self.property_statement = statement or self.property_statement
        self.escalation_reason = reason[:300]

    @transition(
        field=status,
        source=Status.CONTESTED,
        target=Status.OPENED,
        permission="bookings.work_case",
        custom={"label": _("Uphold: rehouse the guest")},
    )
    def uphold(self, *, by=None, reason: str = "") -> None:
        self.decision = reason

    @transition(
        field=status,
        source=Status.CONTESTED,
        target=Status.DISMISSED,
        permission="bookings.work_case",
        custom={"label": _("Dismiss: the booking stands")},
    )
    def dismiss(self, *, by=None, reason: str = "", at=None) -> None:
        self.decision, self.closed_at = reason, at

    @transition(field=status, source=Status.OPENED, target=Status.SEARCHING)
    def search(self, *, by=None, reason: str = "") -> None:
        pass

    @transition(field=status, source=Status.SEARCHING, target=Status.OFFERED)
    def offer(self, *, by=None, reason: str = "", deadline=None) -> None:
        self.offer_deadline = deadline

    @transition(
        field=status, source=[Status.SEARCHING, Status.OFFERED, Status.ESCALATED], target=Status.REBOOKED
    )
    def rebook(self, *, by=None, reason: str = "", at=None) -> None:
        self.resolved_at = at

    # The guest swaps the room booked for them for the second candidate (auto mode).
    @transition(field=status, source=Status.REBOOKED, target=Status.REBOOKED)
    def swap(self, *, by=None, reason: str = "") -> None:
        pass

    @transition(
        field=status, source=[Status.SEARCHING, Status.OFFERED, Status.ESCALATED], target=Status.REFUNDED
    )
    def refund(self, *, by=None, reason: str = "", at=None) -> None:
        self.resolved_at = at

    @transition(
        field=status,
        source=[Status.OPENED, Status.SEARCHING, Status.OFFERED, Status.REFUNDED],
        target=Status.ESCALATED,
        custom={"label": _("Escalate to an agent")},
    )
    def escalate(self, *, by=None, reason: str = "") -> None:
        self.escalation_reason = reason[:300]

    @transition(
        field=status,
        source=[Status.REBOOKED, Status.REFUNDED, Status.ESCALATED],
        target=Status.CLOSED,
        permission="bookings.work_case",
        custom={"label": _("Close")},
    )
    def close(self, *, by=None, reason: str = "", at=None, outcome: str = "") -> None:
        self.closed_at = at
        self.outcome = outcome or self.outcome


class GuaranteeCandidate(models.Model):
    """A room that passed every hard filter for a case, with its score (higher is better)."""

    class Status(models.TextChoices):
        FOUND = "found", _("Found")
        OFFERED = "offered", _("Offered")
        BOOKED = "booked", _("Booked")
        RELEASED = "released", _("Released")
        LOST = "lost", _("Taken by someone else")

    case = models.ForeignKey(GuaranteeCase, on_delete=models.CASCADE, related_name="candidates")
    room_type = models.ForeignKey("RoomType", on_delete=models.PROTECT, related_name="+")
    rank = models.PositiveSmallIntegerField(_("rank"))
    score = models.FloatField(_("score"))
    same_property = models.BooleanField(_("same property"), default=False)
    distance_m = models.PositiveIntegerField(_("distance (m)"))
    price_total_krw = models.PositiveIntegerField(_("price (KRW)"))
    extra_cost_krw = models.PositiveIntegerField(_("extra cost (KRW)"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.FOUND)
    # The room held for the guest while the offer is open, or the rebooking.
    booking = models.ForeignKey("Booking", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    accept_token = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = _("candidate")
        verbose_name_plural = _("candidates")
        ordering = ["case_id", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["case", "room_type"], name="bookings_candidate_once"),
            models.UniqueConstraint(fields=["case", "rank"], name="bookings_candidate_rank_once"),
            models.UniqueConstraint(
                fields=["case"], condition=Q(status="booked"), name="bookings_candidate_one_booked"
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.rank} {self.room_type} ({self.score:.2f})"


class CaseNote(models.Model):
    case = models.ForeignKey(GuaranteeCase, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("note"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("case note")
        verbose_name_plural = _("case notes")
        ordering = ["created_at"]

    def __str__(self) -> str:
        return self.text[:60]
