"""What the stay services (stays, guarantee, channels, stay marks) share: the booking's row lock, when
a stay begins and ends, and the safe number that connects its guest and property. Kept apart so those
services import it instead of each other."""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

import phonenumbers
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from ..models import Booking

logger = logging.getLogger(__name__)


def lock(booking_id: int) -> Booking:
    """SELECT ... FOR UPDATE on the booking row only (`of=self`): never on its property or room type,
    whose rows every concurrent booking's foreign-key check needs at commit."""
    return (
        Booking.objects.select_for_update(of=("self",))
        .select_related("property__partner", "room_type")
        .get(pk=booking_id)
    )


def guest_lock(guest_id: int) -> None:
    """Serialise the writes that count one guest's bookings or reports: the guest's user row, locked until
    the caller's transaction ends (on SQLite, whose transactions here begin IMMEDIATE, writers are
    serialised already)."""
    get_user_model().objects.select_for_update().filter(pk=guest_id).values_list("pk", flat=True).first()


@dataclass(frozen=True)
class PhoneLine:
    display: str  # as Koreans write it: 1588-0000, 02-123-4567
    href: str  # tel: link


def guarantee_line() -> PhoneLine:
    """The guarantee line a guest calls when the property turns them away (BOOKINGS_GUARANTEE_LINE)."""
    number = phonenumbers.parse(settings.BOOKINGS_GUARANTEE_LINE, "KR")
    return PhoneLine(
        display=phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL),
        href=phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.RFC3966),
    )


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
    if not guest_uses_safe_number(booking):
        return  # the guest gave the property their own number instead
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
    from masking.selectors import safe_number_declined

    opened = 0
    horizon = timezone.localdate() + timedelta(days=max(1, settings.MASKING_MAX_SESSION_DAYS - 2))
    declined = safe_number_declined(model=Booking)  # those guests gave the property their own number
    for booking in Booking.objects.filter(
        status=Booking.Status.CONFIRMED,
        masked_session__isnull=True,
        check_out__lte=horizon,
        check_out__gte=timezone.localdate(),
    ).exclude(pk__in=declined).exclude(guarantee_case__booking__in=declined).select_related(
        "property__partner", "guest"
    )[:500]:
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
    """The virtual number the property dials to reach the guest (none if the guest declined one)."""
    return _number_of(booking, "business")


def property_number_for_guest(booking: Booking) -> str:
    """The virtual number the guest dials to reach the property."""
    return _number_of(booking, "consumer")


def _choice_subject(booking: Booking) -> Booking:
    # A guarantee rebooking keeps the answer the guest gave when booking the stay it replaces.
    if booking.guarantee_case_id:
        return Booking(pk=booking.guarantee_case.booking_id)
    return booking


def safe_number_choose(*, booking: Booking, use_safe_number: bool | None) -> bool:
    """Record the guest's answer at checkout (None: their remembered one); returns it."""
    from masking.services import choice_record

    return choice_record(user=booking.guest, subject=booking, use_safe_number=use_safe_number)


def guest_uses_safe_number(booking: Booking) -> bool:
    """Whether the guest chose a safe number for this stay (yes unless they said no at checkout)."""
    from masking.selectors import safe_number_chosen

    if not booking.guarantee_case_id and getattr(booking, "_safe_number_chosen", None) is not None:
        return booking._safe_number_chosen  # recorded by booking_place in this request

    return safe_number_chosen(subject=_choice_subject(booking), user=booking.guest_id)


def guest_phone_for_property(booking: Booking) -> str:
    """The guest's own number, which the property is given only when the guest declined a safe number."""
    if not booking.guest_phone or booking.masked_session_id or guest_uses_safe_number(booking):
        return ""  # a stay with a safe number never shows the real one
    number = phonenumbers.parse(booking.guest_phone, "KR")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)


def guest_contact_for_property(booking: Booking) -> str:
    """What the property dials to reach the guest: the safe number, or the guest's own if they chose."""
    return guest_number_for_property(booking) or guest_phone_for_property(booking)


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
