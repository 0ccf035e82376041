"""The guest's payment through the PSP (escrow's provider): checkout, then the signed webhook confirms."""

import uuid

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from escrow.providers.payments import ProviderEventData, get_provider
from trustplatform.transitions import transition_run

from ..errors import BookingError
from ..models import Booking, BookingPayment, PaymentEvent
from . import money
from .stays import booking_confirm_paid, booking_hold, lock


def payment_start(*, booking: Booking, actor, method: str = "card") -> BookingPayment:
    """Open a PSP checkout for the booking's full price; a pending one is reused."""
    if booking.guest_id != actor.pk:
        raise BookingError(_("No such booking."), code="not_found", status=404)
    if method not in ("card", "virtual_account"):
        raise BookingError(
            _("Choose card or virtual account."),
            code="invalid_method",
            fields={"method": [_("Unknown method.")]},
        )
    with transaction.atomic():
        booking = lock(booking.pk)
        if booking.status != Booking.Status.PENDING_PAYMENT or booking.source != Booking.Source.GUEST:
            raise BookingError(_("This booking cannot be paid now."), code="not_payable", status=409)
        existing = booking.payments.filter(status=BookingPayment.Status.PENDING, method=method).first()
        if existing is not None:
            return existing
        provider = get_provider()
        payment = BookingPayment.objects.create(
            booking=booking,
            amount_krw=booking.guest_paid_krw,
            method=method,
            provider=provider.name,
            provider_payment_id=f"new-{uuid.uuid4().hex}",
        )
        checkout = provider.checkout_create(
            payment_id=payment.pk, amount_krw=payment.amount_krw, method=method
        )
        BookingPayment.objects.filter(pk=payment.pk).update(
            provider_payment_id=checkout["provider_payment_id"]
        )
        payment.provider_payment_id = checkout["provider_payment_id"]
    return payment


def booking_place(
    *, guest, room_type, check_in, check_out, guests: int, guest_name: str = "", guest_phone: str = "",
    must_have=(), method: str = "card",
) -> tuple[Booking, BookingPayment]:
    """What "book" means on every surface: hold the nights, then open the PSP checkout for them.

    Two transactions on purpose: the night rows are not kept locked while the PSP is called. If the
    checkout cannot be opened, the hold stays (the guest may pay from the booking page) until it expires.
    """
    booking = booking_hold(
        guest=guest, room_type=room_type, check_in=check_in, check_out=check_out, guests=guests,
        guest_name=guest_name, guest_phone=guest_phone, must_have=sorted(must_have or []),
    )
    return booking, payment_start(booking=booking, actor=guest, method=method)


def payment_event_receive(*, provider: str, event: ProviderEventData) -> str:
    """Apply a verified PSP event once; a repeat of the same event id returns the first outcome."""
    try:
        with transaction.atomic():
            record = PaymentEvent.objects.create(
                provider=provider, event_id=event.event_id, event_type=event.event_type, payload=event.data
            )
            outcome = _apply(event, provider=provider)
            PaymentEvent.objects.filter(pk=record.pk).update(outcome=outcome)
            return outcome
    except IntegrityError:
        first = PaymentEvent.objects.filter(provider=provider, event_id=event.event_id).first()
        if first is None:
            raise
        return first.outcome or "duplicate"


def _apply(event: ProviderEventData, *, provider: str) -> str:
    if event.event_type not in ("payment.paid", "payment.failed"):
        return "ignored"
    # Only a payment opened with the provider that signed this event.
    payment = BookingPayment.objects.filter(
        provider=provider, provider_payment_id=str(event.data.get("payment_id", ""))
    ).first()
    if payment is None:
        return "unknown_payment"
    booking = lock(payment.booking_id)
    payment = BookingPayment.objects.select_for_update().get(pk=payment.pk)
    if payment.status != BookingPayment.Status.PENDING:
        return "already_settled"
    if event.event_type == "payment.failed":
        transition_run(instance=payment, name="mark_failed", reason=str(event.data.get("reason", ""))[:200])
        return "failed"
    try:
        paid = int(event.data.get("amount_krw"))
    except (TypeError, ValueError):
        paid = None  # a malformed amount confirms nothing
    if paid != payment.amount_krw:
        transition_run(instance=payment, name="mark_failed", reason="amount differs from the checkout")
        return "amount_mismatch"
    if booking.status != Booking.Status.PENDING_PAYMENT:
        # Paid after the hold expired or was cancelled: the money is not kept; the PSP refunds the card.
        transition_run(instance=payment, name="cancel", reason=f"booking is {booking.status}")
        return "refused_not_payable"
    transition_run(instance=payment, name="mark_paid")
    BookingPayment.objects.filter(pk=payment.pk).update(paid_at=timezone.now())
    booking_confirm_paid(
        booking=booking, amount_krw=payment.amount_krw, payment_key=f"booking-payment-{payment.pk}"
    )
    return "confirmed"


def sandbox_pay(*, payment: BookingPayment) -> tuple[bytes, dict]:
    """The signed webhook the sandbox PSP sends when the guest pays at its checkout."""
    from escrow.providers.payments import SandboxProvider

    return SandboxProvider().event(
        event_type="payment.paid",
        data={"payment_id": payment.provider_payment_id, "amount_krw": payment.amount_krw},
    )


__all__ = ["money", "payment_event_receive", "payment_start", "sandbox_pay"]
