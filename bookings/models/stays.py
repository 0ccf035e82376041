"""A guest's dispute of a no-show the property recorded: one per booking, decided by an agent."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition


class NoShowDispute(ConcurrentTransitionMixin, models.Model):
    """The guest says they were not a no-show; the money stays in trust until an agent decides."""

    class Status(models.TextChoices):
        OPEN = "open", _("Waiting for an agent")
        STAYED = "stayed", _("Decided: the guest stayed")
        NO_SHOW = "no_show", _("Decided: a no-show")

    booking = models.OneToOneField(
        "Booking", verbose_name=_("booking"), on_delete=models.PROTECT, related_name="no_show_dispute"
    )
    statement = models.TextField(_("the guest's statement"), max_length=2000)
    status = FSMField(_("status"), default=Status.OPEN, choices=Status.choices, protected=True)
    decision_reason = models.TextField(_("grounds of the decision"), max_length=2000, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    opened_at = models.DateTimeField(_("opened at"), auto_now_add=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        verbose_name = _("no-show dispute")
        verbose_name_plural = _("no-show disputes")
        ordering = ["opened_at", "pk"]
        permissions = [("decide_noshowdispute", _("Can decide no-show disputes"))]
        constraints = [
            # A decision always names who made it and why.
            models.CheckConstraint(
                condition=Q(status="open") | (Q(decided_by__isnull=False) & ~Q(decision_reason="")),
                name="bookings_noshowdispute_decided",
            ),
        ]

    def __str__(self) -> str:
        return f"No-show dispute #{self.pk} ({self.booking_id})"

    @transition(
        field=status, source=Status.OPEN, target=Status.STAYED, custom={"label": _("The guest stayed")}
    )
    def decide_stayed(self, *, by=None, reason: str = "", at=None) -> None:
        self.decided_by, self.decision_reason, self.decided_at = by, reason, at

    @transition(field=status, source=Status.OPEN, target=Status.NO_SHOW, custom={"label": _("A no-show")})
    def decide_no_show(self, *, by=None, reason: str = "", at=None) -> None:
        self.decided_by, self.decision_reason, self.decided_at = by, reason, at
