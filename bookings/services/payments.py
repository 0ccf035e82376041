"""The guest's payment for a stay, through the platform's payments module: the checkout, and what a
confirmed payment means for the booking (the money is held in trust and the booking confirmed)."""

from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from trustplatform.payments import services as payments
from trustplatform.payments.handlers import PaymentHandler
from trustplatform.payments.models import Payment

from ..errors import BookingConflict, BookingNotFound
from ..models import Booking
from . import money
from .common import safe_number_choose
from .stays import booking_confirm_paid, booking_hold_in_transaction, lock


def payment_start(*, booking: Booking, actor, method: str = "card") -> Payment:
    """Open a PSP checkout for the booking's full price; a pending one is reused."""
    if booking.guest_id != actor.pk:
        raise BookingNotFound(_("No such booking."))
    payments.method_check(method)
    with transaction.atomic():
        # The booking's row alone: the checkout needs none of its property's or room type's fields.
        booking = Booking.objects.select_for_update().get(pk=booking.pk)
        if booking.status != Booking.Status.PENDING_PAYMENT or booking.source != Booking.Source.GUEST:
            raise BookingConflict(_("This booking cannot be paid now."), code="not_payable")
        return payments.payment_open(  # the actor is the guest (checked above): no second read of them
            subject=booking, payer=actor, amount_krw=booking.guest_paid_krw, method=method
        )


def booking_place(
    *, guest, room_type, check_in, check_out, guests: int, guest_name: str = "", guest_phone: str = "",
    must_have=(), method: str = "card", use_safe_number: bool | None = None, another: bool = False,
) -> tuple[Booking, Payment]:
    """What "book" means on every surface: hold the nights, record the guest's safe-number answer (None:
    their remembered one), then open the PSP checkout for them. A second open booking of the same room
    type for overlapping nights is refused (`duplicate_booking`) unless `another` says it is meant.

    Two transactions on purpose: the night rows are not kept locked while the PSP is called. If the
    checkout cannot be opened, the hold stays (the guest may pay from the booking page) until it expires.
    The first holds the nights and records the answer; the second opens the checkout.
    """
    from trustplatform.postgres.base import prepared_statements

    # A dozen small statements, each planned once per connection rather than on every booking.
    with prepared_statements():
        with transaction.atomic():  # the hold and the answer commit together: one commit, one WAL flush
            booking = booking_hold_in_transaction(
                guest=guest, room_type=room_type, check_in=check_in, check_out=check_out, guests=guests,
                guest_name=guest_name, guest_phone=guest_phone, must_have=sorted(must_have or []),
                another=another,
            )
            booking._safe_number_chosen = safe_number_choose(booking=booking,
                                                             use_safe_number=use_safe_number)
        return booking, payment_start(booking=booking, actor=guest, method=method)


class BookingPayments(PaymentHandler):
    """A confirmed payment is held in trust for the stay and confirms the booking; a booking no longer
    waiting for payment (its hold expired, or it was cancelled) refuses the money."""

    model = Booking

    def lock(self, subject_id: int) -> Booking:
        return lock(subject_id)

    def refusal(self, booking: Booking) -> str:
        if booking.status != Booking.Status.PENDING_PAYMENT:
            return f"booking is {booking.status}"
        return ""

    def paid(self, *, payment: Payment, subject: Booking) -> str:
        booking_confirm_paid(
            booking=subject, amount_krw=payment.amount_krw, payment_key=f"payment:{payment.pk}:booking"
        )
        return "confirmed"

    def payer_url(self, subject: Booking) -> str:
        return reverse("bookings:booking", args=[subject.code])


__all__ = ["BookingPayments", "booking_place", "money", "payment_start"]
