"""A stay paid on PortOne and cancelled by the guest: the policy's part goes back as a partial cancellation
of the guest's card payment at PortOne, once; the rest stays with the property."""

import pytest
from django.urls import reverse
from django.utils import timezone

from bookings.models import Booking
from bookings.services import money
from bookings.services.payments import payment_start
from bookings.services.stays import booking_cancel_by_guest, booking_hold
from trustplatform.ledger.selectors import ledger_reconcile
from trustplatform.payments.models import Payment, Refund

from .factories import GuestFactory, RoomTypeFactory, stay_dates

pytestmark = pytest.mark.django_db


def test_a_guest_cancellation_is_a_partial_cancellation_of_the_card_payment_at_portone(
    client, portone, django_capture_on_commit_callbacks
):
    guest = GuestFactory()
    check_in, check_out = stay_dates(days_ahead=5, nights=2)  # moderate policy: half back 3-6 days before
    booking = booking_hold(
        guest=guest,
        room_type=RoomTypeFactory(),
        check_in=check_in,
        check_out=check_out,
        guests=2,
        must_have=[],
    )
    payment = payment_start(booking=booking, actor=guest)
    assert payment.provider == "portone"
    portone.pay(payment.provider_payment_id)
    body, headers = portone.webhook("Transaction.Paid", payment.provider_payment_id)
    answer = client.post(
        reverse("payments:webhook", args=["portone"]),
        data=body,
        content_type="application/json",
        headers={k: v for k, v in headers.items() if k != "Content-Type"},
    )
    assert answer.json()["outcome"] == "confirmed"
    booking.refresh_from_db()
    paid = booking.guest_paid_krw
    expected = money.guest_refund_krw(booking=booking, today=timezone.localdate(), paid_krw=paid)
    assert 0 < expected < paid

    with django_capture_on_commit_callbacks(execute=True):
        booking = booking_cancel_by_guest(booking=booking, actor=guest, reason="일정 변경")
    assert booking.status == Booking.Status.CANCELLED_BY_GUEST
    at_portone = portone.payments[payment.provider_payment_id]
    assert [c["totalAmount"] for c in at_portone.cancellations] == [expected]
    assert at_portone.status == "PARTIAL_CANCELLED"
    refund = Refund.objects.get(payment=payment)
    assert (refund.status, refund.amount_krw) == ("done", expected)
    payment.refresh_from_db()
    assert (payment.status, payment.refunded_krw) == (Payment.Status.PAID, expected)
    # PortOne's own webhook for the cancellation changes nothing more.
    body, headers = portone.webhook("Transaction.PartialCancelled", payment.provider_payment_id)
    client.post(
        reverse("payments:webhook", args=["portone"]),
        data=body,
        content_type="application/json",
        headers={k: v for k, v in headers.items() if k != "Content-Type"},
    )
    assert len(portone.payments[payment.provider_payment_id].cancellations) == 1
    assert Refund.objects.get(payment=payment).status == "done"
    assert ledger_reconcile() == []
