"""A guest's booking from hold to check-in: hold rooms, confirm on payment, cancel, expire. The end of
the stay (arrived, left, no-show, completed by itself) is stay_marks'."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from trustplatform import pii
from trustplatform.notifications.services import Phrase, notification_send
from trustplatform.partners.models import Partner
from trustplatform.partners.roles import PartnerAction, partner_action_require
from trustplatform.partners.services import partner_notify
from trustplatform.payments.services import payments_pending_cancel
from trustplatform.transitions import transition_run
from trustplatform.ui import korean

from .. import selectors
from ..errors import BookingConflict, BookingError, BookingNotFound
from ..models import Booking, Property, RoomType
from . import money
from .common import (
    guarantee_line,
    guest_contact_for_property,
    guest_lock,
    lock,
    safe_number_close,
    safe_number_open,
)
from .guarantee import case_open
from .inventory import nights_release, nights_take

# The end of a stay moved to stay_marks; these names stay importable from here.
from .stay_marks import booking_check_in, booking_complete, booking_no_show  # noqa: F401


def _validate_stay(*, room_type: RoomType, check_in: date, check_out: date, guests: int) -> None:
    today = timezone.localdate()
    if check_in < today:
        raise BookingError(
            _("Check-in cannot be in the past."),
            code="invalid_dates",
            fields={"check_in": [_("In the past.")]},
        )
    if check_out <= check_in:
        raise BookingError(
            _("Check-out must be after check-in."),
            code="invalid_dates",
            fields={"check_out": [_("Not after check-in.")]},
        )
    if (check_out - check_in).days > settings.BOOKINGS_MAX_NIGHTS:
        raise BookingError(
            _("At most %(n)s nights per booking.") % {"n": settings.BOOKINGS_MAX_NIGHTS},
            code="too_long",
            fields={"check_out": [_("Too many nights.")]},
        )
    if (check_in - today).days > settings.BOOKINGS_MAX_ADVANCE_DAYS:
        raise BookingError(
            _("That is too far ahead to book."), code="too_far", fields={"check_in": [_("Too far ahead.")]}
        )
    if guests < 1 or guests > room_type.capacity:
        raise BookingError(
            _("This room takes at most %(n)s guests.") % {"n": room_type.capacity},
            code="too_many_guests",
            fields={"guests": [_("Too many guests.")]},
        )
    prop = room_type.property
    if not (room_type.is_active and prop.is_active and prop.partner.status == Partner.Status.APPROVED):
        raise BookingConflict(_("This room cannot be booked now."), code="not_bookable")


def booking_hold(**stay) -> Booking:
    """Hold one room on every night for the guest until payment (or expiry), in a transaction of its own
    (a savepoint inside the caller's); the arguments are `booking_hold_in_transaction`'s."""
    with transaction.atomic():
        return booking_hold_in_transaction(**stay)


def booking_hold_in_transaction(
    *,
    guest,
    room_type: RoomType,
    check_in: date,
    check_out: date,
    guests: int,
    guest_name: str = "",
    guest_phone: str = "",
    must_have: list | None = None,
    another: bool = False,
) -> Booking:
    """Hold one room on every night for the guest until payment (or expiry). Locks the guest's user row,
    then the nights; refuses `duplicate_booking` when the guest already holds this room type for
    overlapping nights, unless `another` says a second room is meant.

    Runs inside the caller's transaction without a savepoint of its own (two round trips fewer on the
    booking path): a refusal leaves that transaction to be rolled back whole, so the caller must let the
    error end it rather than catch it and go on (`booking_hold` takes its own)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("booking_hold_in_transaction runs inside the caller's transaction.atomic()")
    if not RoomType.property.is_cached(room_type) or not Property.partner.is_cached(room_type.property):
        room_type = RoomType.objects.select_related("property__partner").get(pk=room_type.pk)
    _validate_stay(room_type=room_type, check_in=check_in, check_out=check_out, guests=guests)
    phone = guest_phone or guest.phone
    if phone:
        try:
            phone = pii.normalize_phone(phone)
        except pii.InvalidPhoneNumber as exc:
            raise BookingError(str(exc), code="invalid_phone", fields={"guest_phone": [str(exc)]}) from exc
    if not another:
        _duplicate_refuse(guest=guest, room_type=room_type, check_in=check_in, check_out=check_out)
    total = nights_take(room_type=room_type, check_in=check_in, check_out=check_out)
    return Booking.objects.create(
        guest=guest,
        property=room_type.property,
        room_type=room_type,
        check_in=check_in,
        check_out=check_out,
        guests=guests,
        price_total_krw=total,
        guest_paid_krw=total,
        guest_name=(guest_name or guest.full_name or guest.email)[:100],
        guest_phone=phone,
        must_have=sorted(set(must_have or [])),
        hold_expires_at=timezone.now() + timedelta(minutes=settings.BOOKINGS_HOLD_MINUTES),
    )


def _duplicate_refuse(*, guest, room_type: RoomType, check_in: date, check_out: date) -> None:
    """Refuse a second open booking of the room type for overlapping nights (two tabs, a double
    submit). Takes the guest's lock first, so two submits at once cannot both pass the check."""
    guest_lock(guest.pk)
    held = (
        selectors.guest_overlapping_bookings(
            user=guest, room_type=room_type, check_in=check_in, check_out=check_out
        )
        .values_list("code", flat=True)
        .first()
    )
    if held:
        raise BookingConflict(
            _("You already booked this room for these dates (booking %(code)s). Book again only if you "
              "really want a second room.") % {"code": held},
            code="duplicate_booking",
        )


def booking_confirm_paid(*, booking: Booking, amount_krw: int, payment_key: str) -> Booking:
    """The PSP confirmed the guest's payment: hold the money in trust and confirm. Caller holds the lock."""
    money.move(
        debit=money.clearing(),
        credit=money.held_account(booking),
        amount_krw=amount_krw,
        key=payment_key,
        reason=f"booking {booking.code} paid",
        subject=booking,
    )
    booking = transition_run(instance=booking, name="confirm", at=timezone.now())
    transaction.on_commit(lambda: _after_confirm(booking.pk))
    return booking


def _after_confirm(booking_id: int) -> None:
    from ..tasks import booking_confirmed_task

    booking_confirmed_task.delay(booking_id)


def booking_announce(*, booking_id: int) -> None:
    """After confirmation: give the guest and the property a safe number, and tell both (idempotent)."""
    booking = Booking.objects.select_related("property__partner", "room_type", "guest").get(pk=booking_id)
    if booking.status != Booking.Status.CONFIRMED:
        return
    safe_number_open(booking=booking)
    booking.refresh_from_db()
    notification_send(
        user=booking.guest,
        url=reverse("bookings:booking", args=[booking.code]),
        sms_text=True,
        key=f"booking:{booking.pk}:confirmed:guest",
        title=Phrase(
            gettext_lazy("Booking %(code)s confirmed: %(property)s, %(day)s. Turned away at the door? "
                         "Ansim guarantee line %(line)s."),
            {
                "code": booking.code,
                "property": booking.property.name,
                "day": korean.day_later(booking.check_in),
                "line": guarantee_line().display,
            },
        ),
    )
    partner_notify(
        partner=booking.property.partner,
        key=f"booking:{booking.pk}:confirmed:property",
        url=reverse("bookings_portal:booking", args=[booking.code]),
        title=Phrase(
            gettext_lazy("New booking %(code)s: %(room)s, %(day)s, %(nights)s night(s). Guest: %(number)s"),
            {
                "code": booking.code,
                "room": booking.room_type.name,
                "day": korean.day_later(booking.check_in),
                "nights": booking.nights,
                "number": korean.phone(guest_contact_for_property(booking)) or "—",
            },
        ),
        sms_text=True,
    )


def booking_cancel_by_guest(
    *, booking: Booking, actor, reason: str = "", expected_refund_krw: int | None = None
) -> Booking:
    """The guest cancels: rooms back on sale, the policy's refund to the guest, the rest to the property.
    With `expected_refund_krw` (the refund the guest was shown and confirmed), a different refund under
    the booking's lock (the day changed meanwhile) refuses instead of cancelling."""
    with transaction.atomic():
        booking = lock(booking.pk)
        if booking.guest_id != actor.pk and not actor.is_staff:
            raise BookingNotFound(_("No such booking."))
        was_paid = booking.status == Booking.Status.CONFIRMED
        terms = _guest_cancellation(booking, today=timezone.localdate())
        if expected_refund_krw is not None and was_paid and terms.refund_krw != expected_refund_krw:
            raise BookingConflict(
                _("The refund is now %(amount)s won: look at it again and confirm.")
                % {"amount": f"{terms.refund_krw:,}"},
                code="refund_changed",
            )
        booking = transition_run(
            instance=booking, name="cancel_by_guest", actor=actor, reason=reason, at=timezone.now()
        )
        nights_release(
            room_type_id=booking.room_type_id, check_in=booking.check_in, check_out=booking.check_out
        )
        if was_paid:
            _refund_guest_cancellation(booking, terms)
            safe_number_close(booking, "booking cancelled by the guest")
        payments_pending_cancel(subject=booking, reason="booking cancelled by the guest")
    if was_paid:
        partner_notify(
            partner=booking.property.partner,
            key=f"booking:{booking.pk}:guest-cancelled",
            url=reverse("bookings_portal:booking", args=[booking.code]),
            title=Phrase(
                gettext_lazy("Booking %(code)s was cancelled by the guest."),
                {"code": booking.code},
            ),
            sms_text=True,
        )
    return booking


@dataclass(frozen=True)
class GuestCancellation:
    """What a guest cancelling on a given day pays and gets back, in won."""

    paid_krw: int  # the guest's share of what the booking holds (0 while unpaid)
    refund_krw: int  # back to the guest through the payment company
    kept_krw: int  # the property's cancellation fee

    @property
    def refund_percent(self) -> int:
        return self.refund_krw * 100 // self.paid_krw if self.paid_krw else 100


def _guest_cancellation(booking: Booking, *, today: date) -> GuestCancellation:
    if booking.status != Booking.Status.CONFIRMED:
        return GuestCancellation(paid_krw=0, refund_krw=0, kept_krw=0)  # nothing paid, nothing held
    guest_share = min(booking.guest_paid_krw, booking.price_total_krw)
    refund = money.guest_refund_krw(booking=booking, today=today, paid_krw=guest_share)
    return GuestCancellation(paid_krw=guest_share, refund_krw=refund, kept_krw=guest_share - refund)


def booking_cancel_preview(*, booking: Booking) -> GuestCancellation:
    """What booking_cancel_by_guest would refund and keep if the guest cancelled today (read-only; the
    same rule the cancellation applies)."""
    return _guest_cancellation(booking, today=timezone.localdate())


def booking_cancel_by_property_penalty_krw(*, booking: Booking) -> int:
    """The most the property is charged as a penalty for cancelling this booking (read-only; the
    guarantee's rebooking charges it, lowered only to keep the property within its floor), on top of
    the price difference of the room the guest is moved to."""
    return money.penalty_krw(booking)


def _refund_guest_cancellation(booking: Booking, terms: GuestCancellation) -> None:
    """Split the money held for a cancelled stay: the policy's refund of the guest's share to the guest,
    the rest of that share to the property, and what the guarantee fund added back to the fund."""
    partner = booking.property.partner
    money.partner_accounts_lock(partner)
    held = money.held_account(booking)
    held_total = booking.price_total_krw  # what a paid booking holds, whoever paid it
    guest_share, refund = terms.paid_krw, terms.refund_krw
    key = f"booking-{booking.pk}-guest-cancel"
    money.guest_refund(booking=booking, amount_krw=refund, key=f"{key}-refund", source=held,
                       reason=f"예약 {booking.code} 취소 환불")
    money.move(
        debit=held,
        credit=money.payable(partner),
        amount_krw=guest_share - refund,
        key=f"{key}-fee",
        reason=f"cancellation fee {booking.code}",
        subject=booking,
    )
    money.charges_recover(partner=partner, key=f"{key}-charges-recovered", subject=booking)
    money.move(
        debit=held,
        credit=money.fund(),
        amount_krw=held_total - guest_share,
        key=f"{key}-fund-return",
        reason=f"the guarantee's share of {booking.code} returns",
        subject=booking,
    )


def booking_cancel_by_property(*, booking: Booking, actor, reason: str):
    """The property cancels a confirmed booking: rooms back, and a guarantee case opens for the guest.

    Returns the case; its search runs after commit. Owners and managers only (no actor: the platform)."""

    partner_action_require(actor=actor, partner=booking.property.partner, action=PartnerAction.BOOKING_CANCEL)
    if not reason.strip():
        raise BookingError(
            _("Say why you cancel; the guest and our agents will see it."),
            code="reason_required",
            fields={"reason": [_("Required.")]},
        )
    with transaction.atomic():
        booking = lock(booking.pk)
        booking = transition_run(
            instance=booking, name="cancel_by_property", actor=actor, reason=reason, at=timezone.now()
        )
        nights_release(
            room_type_id=booking.room_type_id, check_in=booking.check_in, check_out=booking.check_out
        )
        safe_number_close(booking, "booking cancelled by the property")
        return case_open(booking=booking, reason=reason)


def booking_expire(*, booking_id: int) -> bool:
    """Release an unpaid hold whose time ran out; False when it was paid or released meanwhile."""
    with transaction.atomic():
        booking = lock(booking_id)
        if booking.status != Booking.Status.PENDING_PAYMENT or booking.source != Booking.Source.GUEST:
            return False
        if booking.hold_expires_at and booking.hold_expires_at > timezone.now():
            return False
        transition_run(instance=booking, name="expire", reason="unpaid hold expired", at=timezone.now())
        nights_release(
            room_type_id=booking.room_type_id, check_in=booking.check_in, check_out=booking.check_out
        )
        payments_pending_cancel(subject=booking, reason="unpaid hold expired")
        return True


def holds_expire_due() -> int:
    ids = list(
        Booking.objects.filter(
            status=Booking.Status.PENDING_PAYMENT,
            source=Booking.Source.GUEST,
            hold_expires_at__lte=timezone.now(),
        ).values_list("pk", flat=True)[:1000]
    )
    return sum(booking_expire(booking_id=pk) for pk in ids)
