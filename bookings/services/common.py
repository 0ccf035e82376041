"""What the stay services (stays, guarantee, channels) share: when a stay begins and ends, and the
safe number that connects its guest and property. Kept apart so those services import it instead of
each other."""

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from ..models import Booking

logger = logging.getLogger(__name__)


def stay_end(booking: Booking) -> datetime:
    """When the stay ends: check-out day at the property's check-out time, in Korean time."""
    tz = timezone.get_current_timezone()
    return datetime.combine(booking.check_out, booking.property.check_out_time, tzinfo=tz)


def check_in_at(booking: Booking) -> datetime:
    """When the guest arrives: check-in day at the property's check-in time, in Korean time."""
    tz = timezone.get_current_timezone()
    return datetime.combine(booking.check_in, booking.property.check_in_time, tzinfo=tz)


def safe_number_open(*, booking: Booking) -> None:
    """Open the guest ↔ property masked session until 24 h after check-out, if not open yet.

    A stay too far ahead for the masking window, or a full pool, is retried by the nightly sweep."""
    from masking.services import MaskingError, Party, session_open

    if booking.masked_session_id or not booking.guest_phone or not booking.property.contact_phone:
        return
    expires_at = stay_end(booking) + timedelta(hours=settings.BOOKINGS_SAFE_NUMBER_HOURS_AFTER)
    try:
        with transaction.atomic():
            session = session_open(
                consumer=Party(phone=booking.guest_phone, label=booking.guest_name, user=booking.guest),
                business=Party(phone=booking.property.contact_phone, label=booking.property.name),
                expires_at=expires_at,
                partner=booking.property.partner,
                subject=booking,
            )
            Booking.objects.filter(pk=booking.pk, masked_session__isnull=True).update(masked_session=session)
    except MaskingError as exc:
        logger.info("safe number for booking %s not opened yet: %s", booking.code, exc.code)


def safe_numbers_open_due() -> int:
    """Open the safe numbers that could not be opened at confirmation (too far ahead, pool full)."""
    opened = 0
    horizon = timezone.localdate() + timedelta(days=max(1, settings.MASKING_MAX_SESSION_DAYS - 2))
    for booking in Booking.objects.filter(
        status=Booking.Status.CONFIRMED,
        masked_session__isnull=True,
        check_out__lte=horizon,
        check_out__gte=timezone.localdate(),
    ).select_related("property__partner", "guest")[:500]:
        safe_number_open(booking=booking)
        opened += 1
    return opened


def _number_of(booking: Booking, side: str) -> str:
    session = booking.masked_session
    if session is None:
        return ""
    for participant in session.participants.all():
        if participant.side == side:
            return participant.proxy_number.e164
    return ""


def guest_number_for_property(booking: Booking) -> str:
    """The virtual number the property dials to reach the guest; the real one is never shown."""
    return _number_of(booking, "business")


def property_number_for_guest(booking: Booking) -> str:
    """The virtual number the guest dials to reach the property."""
    return _number_of(booking, "consumer")


def safe_number_close(booking: Booking, reason: str) -> None:
    """End the stay's safe number once the cancellation or the end of the stay is committed."""
    from masking.services import session_complete

    if booking.masked_session_id:
        transaction.on_commit(lambda: session_complete(session=booking.masked_session, reason=reason))


def guest_phone_erase(*, session_id: int) -> int:
    """Erase the guest's number of the bookings served by a safe number being scrubbed (masking's
    `session_scrubbed`, inside its transaction): the promise was that the number goes with it."""
    return Booking.objects.filter(masked_session_id=session_id).exclude(guest_phone="").update(guest_phone="")


def guest_phones_erase_due(*, limit: int = 1000) -> int:
    """The sweep: erase the guest's number of bookings that ended (cancelled, lapsed, or the stay over)
    MASKING_SCRUB_HOURS ago and whose safe number, if they had one, is erased already."""
    from masking.selectors import sessions_scrubbed

    cutoff = timezone.now() - timedelta(hours=settings.MASKING_SCRUB_HOURS)
    due = list(
        Booking.objects.exclude(guest_phone="")
        .filter(Q(cancelled_at__lte=cutoff) | Q(check_out__lt=timezone.localdate(cutoff)))
        .filter(Q(masked_session__isnull=True) | Q(masked_session__in=sessions_scrubbed()))
        .order_by("pk").values_list("pk", flat=True)[:limit]
    )
    return Booking.objects.filter(pk__in=due).update(guest_phone="")
