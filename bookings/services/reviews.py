"""Reviews of real stays, and the rating they make.

A guest reviews a stay they completed, once (a one-to-one on the booking, written under the booking's
row lock), within BOOKINGS_REVIEW_DAYS after check-out; the property answers once (a conditional
UPDATE on an empty answer; a CHECK pairs the answer with its time). Anyone signed in may report a
review, once each; staff hide it with a reason, or show it again. A property's `rating` (the mean of
its visible reviews to one decimal) and `review_count` are recomputed from the reviews in the
transaction that changes them, under the property row's FOR NO KEY UPDATE lock (which bookings'
foreign-key checks, KEY SHARE, do not wait for), so two reviews committed at once both count.
"""

from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from trustplatform import pii
from trustplatform.audit.services import audit_record
from trustplatform.notifications.services import Phrase, notification_send, staff_notify
from trustplatform.partners.roles import PartnerAction, partner_action_require
from trustplatform.partners.services import partner_notify
from trustplatform.ui import korean

from ..errors import BookingConflict, BookingError, BookingForbidden, BookingNotFound
from ..models import Booking, Property, Review, ReviewReport
from ..models.reviews import RATING_MAX, RATING_MIN, TEXT_MAX
from .common import lock

REPORT_REASON_MAX = 500
HIDE_REASON_MAX = 300


def _text(value: str, *, field: str, limit: int, required: str) -> str:
    value = (value or "").strip()
    if not value:
        raise BookingError(required, code=f"{field}_required", fields={field: [_("Required.")]})
    if len(value) > limit:
        raise BookingError(
            _("At most %(n)s characters.") % {"n": limit},
            code=f"{field}_too_long",
            fields={field: [_("Too long.")]},
        )
    return value


def review_window_ends(booking: Booking):
    """The last day the guest may review the stay."""
    return booking.check_out + timedelta(days=settings.BOOKINGS_REVIEW_DAYS)


def review_open(booking: Booking, *, user) -> bool:
    """Whether `user` may review this stay now (pages offer the form only then)."""
    return (
        user is not None
        and booking.guest_id == user.pk
        and booking.status == Booking.Status.COMPLETED
        and timezone.localdate() <= review_window_ends(booking)
        and not Review.objects.filter(booking_id=booking.pk).exists()
    )


def _property_lock(property_id: int) -> None:
    Property.objects.select_for_update(no_key=True).filter(pk=property_id).values_list("pk").get()


def rating_refresh(*, property_id: int) -> tuple[Decimal, int]:
    """Derive the property's rating and review count from its visible reviews. Caller holds the property
    row's lock (see _property_lock), taken before the reviews changed."""
    found = Review.objects.filter(property_id=property_id, hidden_at__isnull=True).aggregate(
        count=Count("pk"), total=Sum("rating")
    )
    count = found["count"]
    rating = Decimal(0)
    if count:
        rating = (Decimal(found["total"]) / count).quantize(Decimal("0.1"), ROUND_HALF_UP)
    Property.objects.filter(pk=property_id).update(rating=rating, review_count=count)
    return rating, count


def review_create(*, booking: Booking, actor, rating, text: str) -> Review:
    """The guest reviews a stay they completed: once, within the window. Locks the booking, then the
    property row; the property's rating includes the review when the transaction commits."""
    if isinstance(rating, bool) or not isinstance(rating, int) or not RATING_MIN <= rating <= RATING_MAX:
        raise BookingError(
            _("Rate the stay from 1 to 5 stars."), code="invalid_rating", fields={"rating": [_("1 to 5.")]}
        )
    text = _text(text, field="text", limit=TEXT_MAX, required=_("Say a few words about the stay."))
    with transaction.atomic():
        booking = lock(booking.pk)
        _review_check(booking, actor)
        _property_lock(booking.property_id)
        review = Review.objects.create(
            booking=booking,
            property_id=booking.property_id,
            author=actor,
            author_shown=pii.mask_name(actor.full_name or booking.guest_name) or "—",
            rating=rating,
            text=text,
        )
        rating_refresh(property_id=booking.property_id)
        partner_notify(
            partner=booking.property.partner,
            key=f"review:{review.pk}:posted",
            url=reverse("bookings_portal:reviews"),
            title=Phrase(
                gettext_lazy("New review of %(property)s: %(stars)s★. You may answer it once."),
                {"property": booking.property.name, "stars": rating},
            ),
        )
    return review


def _review_check(booking: Booking, actor) -> None:
    """Refuse a review of a stay that is not the actor's, not completed, reviewed, or past its window."""
    if actor is None or booking.guest_id != actor.pk:
        raise BookingNotFound(_("No such booking."))
    if booking.status != Booking.Status.COMPLETED:
        raise BookingConflict(_("Only a completed stay can be reviewed."), code="not_completed")
    if Review.objects.filter(booking=booking).exists():
        raise BookingConflict(_("You have already reviewed this stay."), code="already_reviewed")
    if timezone.localdate() > review_window_ends(booking):
        closed = korean.day(review_window_ends(booking), with_year=True)
        raise BookingConflict(
            _("Reviews of this stay closed on %(day)s.") % {"day": closed}, code="review_window_closed"
        )


def review_answer(*, review: Review, actor, text: str) -> Review:
    """The property answers a review in public, once (owners and managers)."""
    partner = Property.objects.select_related("partner").get(pk=review.property_id).partner
    partner_action_require(actor=actor, partner=partner, action=PartnerAction.REVIEW_ANSWER)
    text = _text(text, field="answer", limit=TEXT_MAX, required=_("Write your answer."))
    with transaction.atomic():
        answered = Review.objects.filter(pk=review.pk, answer="").update(
            answer=text, answered_by=actor, answered_at=timezone.now()
        )
        if not answered:
            raise BookingConflict(_("This review has been answered already."), code="already_answered")
        review.refresh_from_db()
        notification_send(
            user=review.author,
            url=reverse("bookings:booking", args=[review.booking.code]),
            title=Phrase(
                gettext_lazy("%(property)s answered your review."), {"property": review.property.name}
            ),
        )
    return review


def review_report(*, review: Review, actor, reason: str, partner=None) -> ReviewReport:
    """Ask staff to look at a review: any signed-in user, or the property (`partner`, whose review it
    must be) from its portal; once per person and review."""
    if actor is None or not actor.is_authenticated:
        raise BookingForbidden(_("Log in to report a review."), code="login_required")
    if partner is not None:
        partner_action_require(actor=actor, partner=partner, action=PartnerAction.REVIEW_REPORT)
        if review.property.partner_id != partner.pk:
            raise BookingNotFound(_("No such review."))
    reason = _text(reason, field="reason", limit=REPORT_REASON_MAX, required=_("Say what is wrong with it."))
    try:
        with transaction.atomic():
            report = ReviewReport.objects.create(
                review=review, reporter=actor, partner=partner, reason=reason
            )
    except IntegrityError as exc:
        raise BookingConflict(_("You have already reported this review."), code="already_reported") from exc
    if not ReviewReport.objects.filter(review=review, handled_at__isnull=True).exclude(pk=report.pk).exists():
        staff_notify(
            group="agents",
            title=Phrase(
                gettext_lazy("A review of %(property)s was reported"), {"property": review.property.name}
            ),
            url=reverse("admin:bookings_review_change", args=[review.pk]),
        )
    return report


def _moderator(actor) -> None:
    if actor is None or not actor.has_perm("bookings.moderate_review"):
        raise BookingForbidden(_("Only agents hide or show reviews."), code="not_a_moderator")


def review_hide(*, review: Review, actor, reason: str) -> Review:
    """Staff hide a review with a reason: it leaves the property's page and its rating; its reports
    are handled; the guest is told why. Locks the property row, then the review."""
    _moderator(actor)
    reason = _text(
        reason, field="reason", limit=HIDE_REASON_MAX, required=_("Give the reason; the guest reads it.")
    )
    now = timezone.now()
    with transaction.atomic():
        _property_lock(review.property_id)
        review = Review.objects.select_for_update().get(pk=review.pk)
        if review.is_hidden:
            raise BookingConflict(_("This review is hidden already."), code="already_hidden")
        review.hidden_at, review.hidden_by, review.hidden_reason = now, actor, reason
        review.save(update_fields=["hidden_at", "hidden_by", "hidden_reason"])
        review.reports.filter(handled_at__isnull=True).update(handled_at=now)
        rating_refresh(property_id=review.property_id)
        audit_record(obj=review, action="hidden", actor=actor, reason=reason)
        notification_send(
            user=review.author,
            url=reverse("bookings:booking", args=[review.booking.code]),
            title=Phrase(
                gettext_lazy("Your review of %(property)s was hidden: %(reason)s"),
                {"property": review.property.name, "reason": reason},
            ),
        )
    return review


def review_show(*, review: Review, actor, reason: str) -> Review:
    """Staff show a hidden review again (it counts in the rating again). Locks as review_hide."""
    _moderator(actor)
    reason = _text(reason, field="reason", limit=HIDE_REASON_MAX, required=_("Give the reason."))
    with transaction.atomic():
        _property_lock(review.property_id)
        review = Review.objects.select_for_update().get(pk=review.pk)
        if not review.is_hidden:
            raise BookingConflict(_("This review is shown already."), code="already_shown")
        review.hidden_at, review.hidden_by, review.hidden_reason = None, None, ""
        review.save(update_fields=["hidden_at", "hidden_by", "hidden_reason"])
        rating_refresh(property_id=review.property_id)
        audit_record(obj=review, action="shown", actor=actor, reason=reason)
    return review


def review_reports_dismiss(*, review: Review, actor, reason: str) -> int:
    """Staff keep a reported review as it is: its open reports are handled. Returns how many."""
    _moderator(actor)
    reason = _text(reason, field="reason", limit=HIDE_REASON_MAX, required=_("Give the reason."))
    with transaction.atomic():
        handled = review.reports.filter(handled_at__isnull=True).update(handled_at=timezone.now())
        audit_record(obj=review, action="reports_dismissed", actor=actor, reason=reason)
    return handled
