"""Other channels: calendars imported by iCal URL, the stays they hold, and collisions with ours."""

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class CalendarFeed(models.Model):
    """An iCal URL of another channel (Airbnb, Booking.com, …) for one room type."""

    class State(models.TextChoices):
        NEW = "new", _("Not fetched yet")
        OK = "ok", _("Up to date")
        FAILING = "failing", _("Failing")

    room_type = models.ForeignKey(
        "RoomType", verbose_name=_("room type"), on_delete=models.CASCADE, related_name="feeds"
    )
    name = models.CharField(_("channel"), max_length=60)
    url = models.URLField(_("iCal URL"), max_length=500)
    state = models.CharField(_("state"), max_length=8, choices=State.choices, default=State.NEW)
    last_fetch_at = models.DateTimeField(_("last tried"), null=True, blank=True)
    last_success_at = models.DateTimeField(_("last imported"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=300, blank=True)
    failures = models.PositiveIntegerField(_("failures in a row"), default=0)
    events = models.PositiveIntegerField(_("stays imported"), default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")
        ordering = ["room_type_id", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["room_type", "url"], name="bookings_feed_once"),
        ]

    def __str__(self) -> str:
        return f"{self.name}: {self.url}"


class ImportedBlock(models.Model):
    """A stay from another channel's calendar: nights [start, end) are taken there."""

    feed = models.ForeignKey(CalendarFeed, on_delete=models.CASCADE, related_name="blocks")
    uid = models.CharField(max_length=300)
    start = models.DateField(_("from"))
    end = models.DateField(_("until"))
    summary = models.CharField(_("summary"), max_length=200, blank=True)

    class Meta:
        ordering = ["start", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["feed", "uid", "start"], name="bookings_block_once"),
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="bookings_block_dates"),
        ]

    def __str__(self) -> str:
        return f"{self.start}→{self.end} {self.summary}"


class Conflict(models.Model):
    """A confirmed booking of ours that collides with a stay imported from another channel."""

    class Status(models.TextChoices):
        OPEN = "open", _("To resolve")
        KEPT = "kept", _("Resolved: our guest keeps the room")
        CANCELLED = "cancelled", _("Resolved: ours cancelled, guarantee started")
        EXPIRED = "expired", _("Deadline passed: guarantee started")
        GONE = "gone", _("The other stay disappeared")

    booking = models.ForeignKey(
        "Booking", verbose_name=_("our booking"), on_delete=models.CASCADE, related_name="conflicts"
    )
    feed = models.ForeignKey(
        CalendarFeed, verbose_name=_("feed"), on_delete=models.CASCADE, related_name="conflicts"
    )
    uid = models.CharField(max_length=300)
    start = models.DateField(_("other stay from"))
    end = models.DateField(_("other stay until"))
    summary = models.CharField(_("summary"), max_length=200, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    deadline = models.DateTimeField(_("resolve by"))
    detected_at = models.DateTimeField(_("detected at"), auto_now_add=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)

    class Meta:
        verbose_name = _("conflict")
        verbose_name_plural = _("conflicts")
        ordering = ["deadline", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["booking", "feed", "uid"],
                condition=Q(status="open"),
                name="bookings_conflict_open_once",
            ),
        ]
        indexes = [models.Index(fields=["status", "deadline"], name="bookings_conflict_due")]

    def __str__(self) -> str:
        return f"{self.booking.code} × {self.feed.name} {self.start}→{self.end}"
