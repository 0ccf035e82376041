"""Lodging test data: properties around Haeundae beach, room types, nights, guests, paid bookings."""

import itertools
from datetime import timedelta

from django.utils import timezone

from bookings.models import Property, RoomType
from bookings.services import inventory
from bookings.services.payments import payment_start
from bookings.services.stays import booking_hold
from tests.factories import MembershipFactory, PartnerFactory, UserFactory
from trustplatform.partners.models import Partner
from trustplatform.payments.providers import SandboxProvider
from trustplatform.payments.services import provider_event_receive

HAEUNDAE = (35.1587, 129.1604)
_phones = itertools.count(1000)


_brn_seq = itertools.count(700_000_000)


def brn_make(nine: int) -> str:
    """A valid business registration number from nine leading digits (the check digit computed)."""
    head = f"{nine:09d}"
    numbers = [int(ch) for ch in head]
    total = (
        sum(n * w for n, w in zip(numbers, (1, 3, 7, 1, 3, 7, 1, 3, 5), strict=True)) + numbers[8] * 5 // 10
    )
    return head + str((10 - total % 10) % 10)


def lodging_partner(**kwargs) -> Partner:
    kwargs.setdefault("registration_number", brn_make(next(_brn_seq)))
    partner = PartnerFactory(kind=Partner.Kind.LODGING, **kwargs)
    owner = UserFactory(phone=f"+8210{next(_phones):04d}7777", phone_verified_at=timezone.now())
    MembershipFactory(user=owner, partner=partner, role="owner")
    partner.owner = owner
    return partner


def make_property(
    *,
    partner=None,
    lat=HAEUNDAE[0],
    lng=HAEUNDAE[1],
    rating="4.5",
    reviews=200,
    star=4,
    amenities=("wifi", "ocean_view"),
    is_urban=True,
    name=None,
    policy="moderate",
) -> Property:
    partner = partner or lodging_partner()
    return Property.objects.create(
        partner=partner,
        name=name or f"호텔 {next(_phones)}",
        address="부산광역시 해운대구 해운대해변로 1",
        city="부산",
        is_urban=is_urban,
        latitude=lat,
        longitude=lng,
        star_class=star,
        rating=rating,
        review_count=reviews,
        amenities=list(amenities),
        contact_phone=f"+8210{next(_phones):04d}5555",
        cancellation_policy=policy,
    )


def make_room_type(
    prop: Property, *, grade=1, price=100_000, rooms=1, capacity=2, amenities=(), days=30, name=None
) -> RoomType:
    room_type = RoomType.objects.create(
        property=prop,
        name=name or f"Room g{grade}",
        grade=grade,
        price_krw=price,
        rooms=rooms,
        capacity=capacity,
        amenities=list(amenities),
    )
    today = timezone.localdate()
    inventory.nights_ensure(room_type=room_type, start=today, end=today + timedelta(days=days))
    return room_type


def guest(**kwargs):
    kwargs.setdefault("phone", f"+8210{next(_phones):04d}1234")
    kwargs.setdefault("phone_verified_at", timezone.now())
    return UserFactory(**kwargs)


def stay_dates(days_ahead=5, nights=2):
    check_in = timezone.localdate() + timedelta(days=days_ahead)
    return check_in, check_in + timedelta(days=nights)


def pay(booking):
    """Pay through the sandbox PSP: checkout, then its signed event, as the webhook applies it."""
    payment = payment_start(booking=booking, actor=booking.guest)
    body, headers = SandboxProvider().pay(provider_payment_id=payment.provider_payment_id)
    event = SandboxProvider().parse_webhook(body=body, headers=headers)
    outcome = provider_event_receive(provider="sandbox", event=event)
    booking.refresh_from_db()
    return outcome


def confirmed_booking(room_type, *, user=None, days_ahead=5, nights=2, guests=2, must_have=()):
    check_in, check_out = stay_dates(days_ahead, nights)
    booking = booking_hold(
        guest=user or guest(),
        room_type=room_type,
        check_in=check_in,
        check_out=check_out,
        guests=guests,
        must_have=list(must_have),
    )
    assert pay(booking) == "confirmed"
    return booking


def fund_guarantee(amount=10_000_000):
    from trustplatform.ledger.services import ledger_transfer, platform_account

    ledger_transfer(
        debit=platform_account("platform-capital"),
        credit=platform_account("platform-guarantee-fund"),
        amount_krw=amount,
        key=f"test-fund-{timezone.now().timestamp()}",
        reason="test fund",
    )
