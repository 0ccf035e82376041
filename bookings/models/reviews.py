"""Reviews of real stays: one per completed booking, one answer by the property, reports, hiding.

A property's `rating` and `review_count` are derived from its visible reviews (services/reviews.py),
never typed by anyone.
"""

import builtins  # a field is named "property": the decorator is spelled in full

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

RATING_MIN, RATING_MAX = 1, 5
TEXT_MAX = 2000


class Review(models.Model):
    """A guest's rating (1–5) and words about a stay they completed, and the property's one answer."""

    booking = models.OneToOneField(
        "Booking", verbose_name=_("stay"), on_delete=models.PROTECT, related_name="review"
    )
    property = models.ForeignKey(
        "Property", verbose_name=_("property"), on_delete=models.PROTECT, related_name="reviews"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("guest"), on_delete=models.PROTECT,
        related_name="stay_reviews",
    )
    # Strangers see the name as Korean sites show it (김*지); the full name is never stored here.
    author_shown = models.CharField(_("shown as"), max_length=40)
    rating = models.PositiveSmallIntegerField(_("rating"))
    text = models.TextField(_("review"), max_length=TEXT_MAX)
    answer = models.TextField(_("the property's answer"), max_length=TEXT_MAX, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    hidden_reason = models.CharField(_("why it is hidden"), max_length=300, blank=True)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    hidden_at = models.DateTimeField(_("hidden at"), null=True, blank=True)
    created_at = models.DateTimeField(_("written at"), auto_now_add=True)

    class Meta:
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        ordering = ["-created_at", "-pk"]
        permissions = [("moderate_review", _("Can hide and show reviews"))]
        indexes = [
            # A property's page: its visible reviews, newest first.
            models.Index(fields=["property", "hidden_at", "-created_at"], name="bookings_review_shown"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(rating__gte=RATING_MIN, rating__lte=RATING_MAX), name="bookings_review_rating"
            ),
            # Answered once: an answer and its time come together.
            models.CheckConstraint(
                condition=Q(answer="", answered_at__isnull=True)
                | (~Q(answer="") & Q(answered_at__isnull=False)),
                name="bookings_review_answer_once",
            ),
            # Hidden only by someone, with a reason.
            models.CheckConstraint(
                condition=Q(hidden_at__isnull=True, hidden_reason="", hidden_by__isnull=True)
                | (Q(hidden_at__isnull=False, hidden_by__isnull=False) & ~Q(hidden_reason="")),
                name="bookings_review_hidden_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"★{self.rating} {self.property_id} #{self.pk}"

    @builtins.property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None


class ReviewReport(models.Model):
    """Someone (the property, or any signed-in user) asks staff to look at a review; once each."""

    review = models.ForeignKey(
        Review, verbose_name=_("review"), on_delete=models.CASCADE, related_name="reports"
    )
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("reported by"), on_delete=models.PROTECT, related_name="+"
    )
    # Set when the property reported it from its portal.
    partner = models.ForeignKey(
        "partners.Partner", verbose_name=_("for"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    reason = models.CharField(_("reason"), max_length=500)
    created_at = models.DateTimeField(_("reported at"), auto_now_add=True)
    handled_at = models.DateTimeField(_("handled at"), null=True, blank=True)

    class Meta:
        verbose_name = _("review report")
        verbose_name_plural = _("review reports")
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["review", "reporter"], name="bookings_reviewreport_once"),
        ]

    def __str__(self) -> str:
        return f"report #{self.pk} on review #{self.review_id}"
