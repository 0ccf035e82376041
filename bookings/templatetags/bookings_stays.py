"""Template tags of the end of a stay and of reviews, so the shared booking and property pages include
them in one line each: the guest's part ({% guest_stay booking %}), the property's part
({% portal_stay booking %}) and a property's reviews ({% property_reviews property %})."""

from django import template
from django.utils import timezone

from trustplatform.partners.roles import PartnerAction, partner_may

from .. import review_selectors
from ..forms_stays import ReportForm
from ..models import Booking, NoShowDispute
from ..models.reviews import RATING_MAX
from ..services import no_shows, reviews
from ..services.common import check_in_at

register = template.Library()

MARKABLE = (Booking.Status.CONFIRMED, Booking.Status.CHECKED_IN)
SHOWN = (*MARKABLE, Booking.Status.COMPLETED, Booking.Status.NO_SHOW)


@register.filter
def stars(rating) -> str:
    """4 → ★★★★☆ (out of five)."""
    filled = max(0, min(RATING_MAX, int(rating or 0)))
    return "★" * filled + "☆" * (RATING_MAX - filled)


def _dispute(booking: Booking) -> NoShowDispute | None:
    return NoShowDispute.objects.filter(booking=booking).first()


@register.inclusion_tag("bookings/_stay.html", takes_context=True)
def guest_stay(context, booking: Booking) -> dict:
    """The guest's end of the stay: a no-show and its dispute, the review and the property's answer."""
    user = context["request"].user
    return {
        "booking": booking,
        "dispute": _dispute(booking),
        "may_dispute": no_shows.no_show_disputable(booking),
        "review": review_selectors.stay_review(booking=booking),
        "may_review": reviews.review_open(booking, user=user),
        "review_until": reviews.review_window_ends(booking),
    }


@register.inclusion_tag("bookings/portal/_stay.html", takes_context=True)
def portal_stay(context, booking: Booking) -> dict:
    """The property's end of the stay: what it may record now (its role allows), and the money."""
    request = context["request"]
    partner, user = booking.property.partner, request.user
    # Offered only when they would work: the role allows it and the guest could have come by now.
    records = partner_may(user=user, partner=partner, action=PartnerAction.STAY_RECORD)
    records = records and timezone.localdate() >= booking.check_in
    confirmed = booking.status == Booking.Status.CONFIRMED
    return {
        "booking": booking,
        "shown": booking.status in SHOWN,
        "csrf_token": context.get("csrf_token"),
        "may_check_in": confirmed and records,
        "may_check_out": booking.status in MARKABLE and records,
        "may_no_show": confirmed
        and timezone.now() >= check_in_at(booking)
        and partner_may(user=user, partner=partner, action=PartnerAction.STAY_NO_SHOW),
        "dispute": _dispute(booking),
        "review": review_selectors.stay_review(booking=booking),
    }


@register.inclusion_tag("bookings/_reviews.html", takes_context=True)
def property_reviews(context, prop) -> dict:
    """A property's rating and its visible reviews with the property's answers; a report form each."""
    return {
        "property": prop,
        "reviews": review_selectors.property_reviews(property_id=prop.pk)[:30],
        "user": context["request"].user,
        "csrf_token": context.get("csrf_token"),
        "report_form": ReportForm(),
    }
