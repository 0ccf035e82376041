"""Guests whose guarantee reports agents dismissed too often: flagged for staff, until one clears it."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class GuestFlag(models.Model):
    """A guest flagged for staff: while it stands, the property's silence no longer confirms their
    reports (an agent decides each one)."""

    guest = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("guest"), on_delete=models.PROTECT, related_name="+"
    )
    reason = models.CharField(_("why"), max_length=300)
    dismissed_reports = models.PositiveSmallIntegerField(_("reports dismissed"))
    flagged_at = models.DateTimeField(_("flagged at"), auto_now_add=True)
    cleared_at = models.DateTimeField(_("cleared at"), null=True, blank=True)
    cleared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("cleared by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("flagged guest")
        verbose_name_plural = _("flagged guests")
        ordering = ["-flagged_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["guest"], condition=Q(cleared_at__isnull=True), name="bookings_guest_flag_one_active"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.guest} ({self.dismissed_reports})"
