"""Nights of inventory: created ahead, edited on the calendar, taken and released under row locks;
and the photos a property shows."""

from datetime import date, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from trustplatform import files
from trustplatform.partners.roles import PartnerAction, partner_action_require
from trustplatform.ui import korean

from ..errors import BookingConflict, BookingError
from ..models import Night, Property, PropertyPhoto, RoomType

PHOTO_MAX_BYTES = 5 * 1024 * 1024


def _dates(start: date, end: date) -> list[date]:
    return [start + timedelta(days=offset) for offset in range((end - start).days)]


def nights_ensure(*, room_type: RoomType, start: date, end: date) -> None:
    """Create the missing nights of [start, end) from the room type's rooms and price (idempotent)."""
    Night.objects.bulk_create(
        [
            Night(room_type=room_type, date=day, rooms=room_type.rooms, price_krw=room_type.price_krw)
            for day in _dates(start, end)
        ],
        ignore_conflicts=True,
    )


def calendar_open(*, room_type: RoomType, days: int | None = None) -> None:
    """Open a room type's calendar `BOOKINGS_MAX_ADVANCE_DAYS` ahead from today (new nights at its price)."""
    start = timezone.localdate()
    nights_ensure(room_type=room_type, start=start,
                  end=start + timedelta(days=days or settings.BOOKINGS_MAX_ADVANCE_DAYS))


def nights_extend_all(*, days: int | None = None) -> None:
    """Keep every active room type's calendar open `BOOKINGS_MAX_ADVANCE_DAYS` ahead (beat, nightly)."""
    for room_type in RoomType.objects.filter(is_active=True).iterator():
        calendar_open(room_type=room_type, days=days)


def _locked_nights(room_type, check_in: date, check_out: date) -> list[tuple]:
    return list(
        Night.objects.select_for_update()
        .filter(room_type=room_type, date__gte=check_in, date__lt=check_out)
        .order_by("date")
        .values_list("pk", "rooms", "sold", "external", "stop_sell", "price_krw")
    )


TAKE_SQL = """
UPDATE bookings_night SET sold = sold + 1
WHERE id IN (
    SELECT id FROM bookings_night
    WHERE room_type_id = %s AND date >= %s AND date < %s AND NOT stop_sell AND sold + external < rooms
    ORDER BY date
    FOR UPDATE
)
RETURNING id, price_krw
"""


def nights_take(*, room_type: RoomType, check_in: date, check_out: date) -> int:
    """Sell one room of `room_type` on every night of [check_in, check_out); returns the total price.

    Locks the nights in date order (every taker locks in the same order, so no deadlock) and re-checks
    them under the lock; on PostgreSQL that is one conditional UPDATE whose row count must equal the
    nights. Must run inside the caller's transaction (a partial take is rolled back with it); raises
    `sold_out` (409) when any night has no room left. The CHECK sold <= rooms backs it all up.
    """
    wanted = (check_out - check_in).days
    if connection.vendor == "postgresql":
        taken = _take(room_type.pk, check_in, check_out)
        if len(taken) != wanted and not _calendar_open(room_type, check_in, check_out):
            # The calendar did not reach that far yet: give back what was taken, open it, try again.
            Night.objects.filter(pk__in=[pk for pk, _price in taken]).update(sold=F("sold") - 1)
            nights_ensure(room_type=room_type, start=check_in, end=check_out)
            taken = _take(room_type.pk, check_in, check_out)
        if len(taken) != wanted:
            raise _sold_out()  # the caller's transaction rolls back the nights that were taken
        return sum(price for _pk, price in taken)
    rows = _locked_nights(room_type, check_in, check_out)
    if len(rows) != wanted:
        nights_ensure(room_type=room_type, start=check_in, end=check_out)
        rows = _locked_nights(room_type, check_in, check_out)
    if len(rows) != wanted or any(
        stop or sold + external >= rooms for _pk, rooms, sold, external, stop, _p in rows
    ):
        raise _sold_out()
    Night.objects.filter(pk__in=[row[0] for row in rows]).update(sold=F("sold") + 1)
    return sum(row[5] for row in rows)


def _take(room_type_id: int, check_in: date, check_out: date) -> list[tuple[int, int]]:
    with connection.cursor() as cursor:
        cursor.execute(TAKE_SQL, [room_type_id, check_in, check_out])
        return cursor.fetchall()


def _calendar_open(room_type: RoomType, check_in: date, check_out: date) -> bool:
    count = Night.objects.filter(room_type=room_type, date__gte=check_in, date__lt=check_out).count()
    return count == (check_out - check_in).days


def _sold_out() -> BookingError:
    return BookingConflict(
        _("Sold out: no room of this type is left for these dates."), code="sold_out"
    )


def nights_release(*, room_type_id: int, check_in: date, check_out: date) -> None:
    """Give one room back on every night of [check_in, check_out). Locks the nights in date order."""
    ids = list(
        Night.objects.select_for_update()
        .filter(room_type_id=room_type_id, date__gte=check_in, date__lt=check_out, sold__gt=0)
        .order_by("date")
        .values_list("pk", flat=True)
    )
    Night.objects.filter(pk__in=ids).update(sold=F("sold") - 1)


def quote(*, room_type: RoomType, check_in: date, check_out: date) -> int | None:
    """Total price if a room is free on every night (no lock; the booking re-checks under the lock)."""
    rows = list(
        Night.objects.filter(room_type=room_type, date__gte=check_in, date__lt=check_out).values_list(
            "rooms", "sold", "external", "stop_sell", "price_krw"
        )
    )
    if len(rows) != (check_out - check_in).days:
        return None
    if any(stop or sold + external >= rooms for rooms, sold, external, stop, _p in rows):
        return None
    return sum(row[4] for row in rows)


# Bounds of the portal calendar: a night's price fits its column with room to spare, rooms likewise.
NIGHT_PRICE_MAX_KRW = 100_000_000
NIGHT_ROOMS_MAX = 999


def calendar_update(
    *,
    room_type: RoomType,
    start: date,
    end: date,
    actor,
    rooms: int | None = None,
    price_krw: int | None = None,
    stop_sell: bool | None = None,
) -> int:
    """Set rooms, price and/or stop-sell on the nights [start, end) of a room type; returns nights changed.

    Owners and managers only. Fewer rooms than already sold on a night is refused (the CHECK would refuse
    it too)."""
    partner_action_require(actor=actor, partner=room_type.property.partner,
                           action=PartnerAction.CALENDAR_EDIT)
    if start < timezone.localdate():
        raise BookingError(
            _("Past nights cannot be changed; start today or later."),
            code="invalid_range",
            fields={"start": [_("In the past.")]},
        )
    if end <= start or (end - start).days > 366:
        raise BookingError(
            _("Choose an end date after the start, at most a year later."),
            code="invalid_range",
            fields={"end": [_("Invalid range.")]},
        )
    if price_krw is not None and not 0 < price_krw <= NIGHT_PRICE_MAX_KRW:
        raise BookingError(
            _("A night costs more than ₩0 and at most ₩%(max)s.") % {"max": f"{NIGHT_PRICE_MAX_KRW:,}"},
            code="invalid_price",
            fields={"price_krw": [_("Out of range.")]},
        )
    if rooms is not None and not 0 <= rooms <= NIGHT_ROOMS_MAX:
        raise BookingError(
            _("A room type has at most %(max)s rooms.") % {"max": NIGHT_ROOMS_MAX},
            code="invalid_rooms",
            fields={"rooms": [_("Out of range.")]},
        )
    changes = {}
    if rooms is not None:
        changes["rooms"] = rooms
    if price_krw is not None:
        changes["price_krw"] = price_krw
    if stop_sell is not None:
        changes["stop_sell"] = stop_sell
    if not changes:
        return 0
    with transaction.atomic():
        nights_ensure(room_type=room_type, start=start, end=end)
        nights = Night.objects.select_for_update().filter(room_type=room_type, date__gte=start, date__lt=end)
        ordered = list(nights.order_by("date").values_list("date", "sold"))
        if rooms is not None:
            short = [day for day, sold in ordered if sold > rooms]
            if short:
                raise BookingConflict(
                    _("%(count)s night(s) already have more rooms sold than that, first %(day)s.")
                    % {"count": len(short), "day": korean.day(short[0])},
                    code="below_sold",
                    fields={"rooms": [_("Below the rooms already sold.")]},
                )
        return nights.update(**changes)


def property_photo_add(*, property: Property, upload, actor, caption: str = "") -> PropertyPhoto:
    """Add a public photo, re-encoded: only decoded pixels are kept, never the uploaded bytes (EXIF,
    GPS, anything appended to the image). Owners and managers only."""
    partner_action_require(actor=actor, partner=property.partner, action=PartnerAction.PROPERTY_EDIT)
    try:
        photo = files.image_reencode(upload, max_bytes=PHOTO_MAX_BYTES)
    except files.UploadRefused as exc:
        raise BookingError(exc.detail, code=exc.code, fields=exc.fields) from exc
    item = PropertyPhoto(property=property, caption=caption, position=property.photos.count())
    item.image.save(photo.file.name, photo.file, save=False)
    item.save()
    return item
