"""Reads of reviews (kept beside selectors.py, which holds search and the guarantee's reads): what a
property's page shows, what a partner answers, and a guest's review of a stay."""

from django.db.models import QuerySet

from .models import Booking, Review


def property_reviews(*, property_id: int) -> QuerySet[Review]:
    """A property's visible reviews, newest first (hidden ones never leave the admin and the portal)."""
    return (
        Review.objects.filter(property_id=property_id, hidden_at__isnull=True)
        .select_related("booking__room_type")
        .order_by("-created_at", "-pk")
    )


def partner_reviews(*, partner, unanswered: bool = False) -> QuerySet[Review]:
    """Every review of the partner's properties, hidden ones too (the portal says why), newest first."""
    reviews = Review.objects.filter(property__partner=partner)
    if unanswered:
        reviews = reviews.filter(answer="", hidden_at__isnull=True)
    return reviews.select_related("property", "booking__room_type").order_by("-created_at", "-pk")


def stay_review(*, booking: Booking) -> Review | None:
    """The guest's review of this stay, if written."""
    return Review.objects.filter(booking=booking).first()
