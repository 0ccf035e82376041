"""Holding, paying (signed webhook only), expiring and cancelling a booking, and the money of each."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from bookings.errors import BookingError
from bookings.models import Booking, Night
from bookings.services import stays
from bookings.services.money import held_account
from bookings.services.payments import payment_start
from bookings.services.stays import booking_cancel_by_guest, booking_hold, holds_expire_due
from trustplatform.ledger.selectors import account_balance, ledger_reconcile
from trustplatform.ledger.services import partner_payable, platform_account
from trustplatform.payments.models import Payment
from trustplatform.payments.providers import SandboxProvider
from trustplatform.payments.services import provider_event_receive

from .factories import GuestFactory, PropertyFactory, RoomTypeFactory, confirmed_booking, pay, stay_dates

pytestmark = pytest.mark.django_db


def _sold(room_type, day):
    return Night.objects.get(room_type=room_type, date=day).sold


def test_a_hold_takes_one_room_on_every_night_at_the_night_prices():
    room_type = RoomTypeFactory(property=PropertyFactory(), price_krw=100_000, rooms=3)
    check_in, check_out = stay_dates(4, 3)
    Night.objects.filter(room_type=room_type, date=check_in).update(price_krw=130_000)
    booking = booking_hold(
        guest=GuestFactory(), room_type=room_type, check_in=check_in, check_out=check_out, guests=2
    )
    assert booking.status == Booking.Status.PENDING_PAYMENT
    assert booking.price_total_krw == 330_000 and booking.nights == 3
    assert [_sold(room_type, check_in + timedelta(days=i)) for i in range(4)] == [1, 1, 1, 0]


@pytest.mark.parametrize(
    "change, code",
    [
        ({"stop_sell": True}, "sold_out"),
        ({"external": 1}, "sold_out"),
    ],
)
def test_stop_sell_and_stays_from_other_channels_make_a_night_unsellable(change, code):
    room_type = RoomTypeFactory(property=PropertyFactory(), rooms=1)
    check_in, check_out = stay_dates(4, 2)
    Night.objects.filter(room_type=room_type, date=check_in + timedelta(days=1)).update(**change)
    with pytest.raises(BookingError) as caught:
        booking_hold(
            guest=GuestFactory(), room_type=room_type, check_in=check_in, check_out=check_out, guests=2
        )
    assert caught.value.code == code
    assert _sold(room_type, check_in) == 0  # the first night was not kept either


@pytest.mark.parametrize(
    "shift, nights, guests, code",
    [
        (-1, 1, 2, "invalid_dates"),
        (2, 0, 2, "invalid_dates"),
        (2, 1, 5, "too_many_guests"),
        (2, 40, 2, "too_long"),
    ],
)
def test_bad_stays_are_refused_with_a_reason(shift, nights, guests, code):
    room_type = RoomTypeFactory(property=PropertyFactory(), capacity=2)
    check_in = timezone.localdate() + timedelta(days=shift)
    with pytest.raises(BookingError) as caught:
        booking_hold(
            guest=GuestFactory(),
            room_type=room_type,
            check_in=check_in,
            check_out=check_in + timedelta(days=nights),
            guests=guests,
        )
    assert caught.value.code == code


def test_the_signed_webhook_confirms_and_holds_the_money_in_trust():
    room_type = RoomTypeFactory(property=PropertyFactory(), price_krw=120_000)
    booking = confirmed_booking(room_type, nights=2)
    assert booking.status == Booking.Status.CONFIRMED and booking.confirmed_at
    assert held_account(booking).balance_krw == 240_000
    assert ledger_reconcile() == []


def test_a_repeated_webhook_event_changes_nothing_and_a_wrong_amount_confirms_nothing():
    room_type = RoomTypeFactory(property=PropertyFactory(), price_krw=50_000)
    check_in, check_out = stay_dates()
    booking = booking_hold(
        guest=GuestFactory(), room_type=room_type, check_in=check_in, check_out=check_out, guests=1
    )
    payment = payment_start(booking=booking, actor=booking.guest)
    provider = SandboxProvider()
    body, headers = provider.event(
        event_type="payment.paid", data={"payment_id": payment.provider_payment_id, "amount_krw": 1}
    )
    assert (
        provider_event_receive(provider="sandbox", event=provider.parse_webhook(body=body, headers=headers))
        == "amount_mismatch"
    )
    payment = payment_start(booking=booking, actor=booking.guest)
    body, headers = provider.event(
        event_type="payment.paid",
        event_id="evt_same",
        data={"payment_id": payment.provider_payment_id, "amount_krw": 100_000},
    )
    event = provider.parse_webhook(body=body, headers=headers)
    assert provider_event_receive(provider="sandbox", event=event) == "confirmed"
    assert provider_event_receive(provider="sandbox", event=event) == "confirmed"
    assert held_account(booking).balance_krw == 100_000


def test_an_unpaid_hold_expires_and_gives_the_rooms_back_and_a_late_payment_is_refused():
    room_type = RoomTypeFactory(property=PropertyFactory(), rooms=1)
    check_in, check_out = stay_dates()
    booking = booking_hold(
        guest=GuestFactory(), room_type=room_type, check_in=check_in, check_out=check_out, guests=2
    )
    payment = payment_start(booking=booking, actor=booking.guest)
    Booking.objects.filter(pk=booking.pk).update(hold_expires_at=timezone.now() - timedelta(seconds=1))
    assert holds_expire_due() == 1
    booking.refresh_from_db()
    assert booking.status == Booking.Status.EXPIRED and _sold(room_type, check_in) == 0
    provider = SandboxProvider()
    body, headers = provider.event(
        event_type="payment.paid",
        data={"payment_id": payment.provider_payment_id, "amount_krw": payment.amount_krw},
    )
    assert provider_event_receive(
        provider="sandbox", event=provider.parse_webhook(body=body, headers=headers)
    ) in ("already_settled", "refused_not_payable")
    assert held_account(booking).balance_krw == 0


def test_the_guest_cancels_and_gets_the_policy_refund_the_property_keeps_the_rest(settled):
    prop = PropertyFactory(cancellation_policy="moderate")  # 3-6 days before: 50 %
    room_type = RoomTypeFactory(property=prop, price_krw=100_000)
    booking = confirmed_booking(room_type, days_ahead=4, nights=2)
    clearing_before = account_balance(account=platform_account("platform-psp-clearing"))
    with settled():
        booking = booking_cancel_by_guest(booking=booking, actor=booking.guest, reason="plans changed")
    assert booking.status == Booking.Status.CANCELLED_BY_GUEST
    assert _sold(room_type, booking.check_in) == 0
    # The refund is a partial cancellation of the guest's payment, confirmed by the payment company.
    payment = booking.payments.get()
    assert (payment.refunded_krw, payment.refunds.get().status) == (100_000, "done")
    assert account_balance(account=platform_account("platform-psp-clearing")) - clearing_before == 100_000
    assert partner_payable(prop.partner).balance_krw == 100_000
    assert held_account(booking).balance_krw == 0 and ledger_reconcile() == []


def test_another_guest_cannot_cancel_or_pay_my_booking():
    booking = confirmed_booking(RoomTypeFactory(property=PropertyFactory()))
    with pytest.raises(BookingError) as caught:
        booking_cancel_by_guest(booking=booking, actor=GuestFactory())
    assert caught.value.status == 404


def test_completing_a_stay_pays_the_property():
    prop = PropertyFactory()
    booking = confirmed_booking(RoomTypeFactory(property=prop, price_krw=80_000), nights=1)
    stays.booking_check_in(booking=booking)
    stays.booking_complete(booking=booking)
    assert partner_payable(prop.partner).balance_krw == 80_000
    assert Payment.objects.get(booking=booking).status == "paid"


def test_pay_helper_goes_through_the_signed_event():
    booking = booking_hold(
        guest=GuestFactory(),
        room_type=RoomTypeFactory(property=PropertyFactory()),
        check_in=stay_dates()[0],
        check_out=stay_dates()[1],
        guests=2,
    )
    assert pay(booking) == "confirmed"


def test_a_stay_past_the_open_calendar_opens_it_and_takes_each_night_once():
    room_type = RoomTypeFactory(property=PropertyFactory(), rooms=2, days=5)
    check_in = timezone.localdate() + timedelta(days=3)
    booking = booking_hold(
        guest=GuestFactory(),
        room_type=room_type,
        check_in=check_in,
        check_out=check_in + timedelta(days=4),
        guests=2,
    )
    assert booking.nights == 4
    assert [_sold(room_type, check_in + timedelta(days=i)) for i in range(4)] == [1, 1, 1, 1]


def test_a_partly_sold_out_stay_takes_nothing():
    room_type = RoomTypeFactory(property=PropertyFactory(), rooms=1)
    check_in, check_out = stay_dates(4, 3)
    Night.objects.filter(room_type=room_type, date=check_in + timedelta(days=2)).update(sold=1)
    with pytest.raises(BookingError):
        with transaction.atomic():
            booking_hold(
                guest=GuestFactory(), room_type=room_type, check_in=check_in, check_out=check_out, guests=2
            )
    assert [_sold(room_type, check_in + timedelta(days=i)) for i in range(3)] == [0, 0, 1]


def test_a_payment_event_from_another_provider_confirms_nothing():
    room = RoomTypeFactory(property=PropertyFactory())
    check_in, check_out = stay_dates(3, 1)
    booking = booking_hold(
        guest=GuestFactory(), room_type=room, check_in=check_in, check_out=check_out, guests=1
    )
    payment = payment_start(booking=booking, actor=booking.guest)
    body, headers = SandboxProvider().event(
        event_type="payment.paid",
        data={"payment_id": payment.provider_payment_id, "amount_krw": payment.amount_krw},
    )
    event = SandboxProvider().parse_webhook(body=body, headers=headers)
    assert provider_event_receive(provider="other-psp", event=event) == "unknown_payment"
    booking.refresh_from_db()
    assert booking.status == "pending_payment"
