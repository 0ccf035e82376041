"""Lodging test data: properties around Haeundae beach, room types, nights, guests, paid bookings.

Models are built by the factories below; the functions after them go through the booking services
(a stay held and paid through the sandbox PSP, money put in the guarantee fund).
"""

from datetime import timedelta

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from bookings.models import CalendarFeed, Conflict, Property, RoomType
from bookings.services import inventory
from bookings.services.payments import payment_start
from bookings.services.stays import booking_hold
from tests.factories import MembershipFactory, PartnerFactory, VerifiedUserFactory, mobile_number
from trustplatform.partners.models import Membership, Partner
from trustplatform.payments.providers import SandboxProvider
from trustplatform.payments.services import provider_event_receive

HAEUNDAE = (35.1587, 129.1604)


def brn_make(nine: int) -> str:
    """A valid business registration number from nine leading digits (the check digit computed)."""
    head = f"{nine:09d}"
    numbers = [int(ch) for ch in head]
    total = (
        sum(n * w for n, w in zip(numbers, (1, 3, 7, 1, 3, 7, 1, 3, 5), strict=True)) + numbers[8] * 5 // 10
    )
    return head + str((10 - total % 10) % 10)


class GuestFactory(VerifiedUserFactory):
    """A guest with a verified mobile number (the property reaches them through a safe number)."""


class LodgingPartnerFactory(PartnerFactory):
    """An approved lodging partner and its owner (a verified phone), who is `partner.owner`.

    Pass `owner=user` to make someone else the owner, or `owner__full_name=...` to shape the default one.
    """

    class Meta:
        skip_postgeneration_save = True

    kind = Partner.Kind.LODGING
    registration_number = factory.Sequence(lambda n: brn_make(700_000_000 + n))

    @factory.post_generation
    def owner(partner, create, extracted, **kwargs):
        if not create:
            return
        kwargs.setdefault("phone", mobile_number("7777"))
        owner = extracted or VerifiedUserFactory(**kwargs)
        MembershipFactory(user=owner, partner=partner, role=Membership.Role.OWNER)
        partner.owner = owner


class PropertyFactory(DjangoModelFactory):
    """A 4-star hotel on Haeundae beach, rated 4.5 from 200 reviews."""

    class Meta:
        model = Property

    partner = factory.SubFactory(LodgingPartnerFactory)
    name = factory.Sequence(lambda n: f"호텔 {1000 + n}")
    address = "부산광역시 해운대구 해운대해변로 1"
    city = "부산"
    is_urban = True
    latitude = HAEUNDAE[0]
    longitude = HAEUNDAE[1]
    star_class = 4
    rating = "4.5"
    review_count = 200
    amenities = factory.LazyFunction(lambda: ["wifi", "ocean_view"])
    contact_phone = factory.LazyFunction(lambda: mobile_number("5555"))
    cancellation_policy = Property.CancellationPolicy.MODERATE


class RoomTypeFactory(DjangoModelFactory):
    """A room type for two at 100,000 KRW a night, one room, its nights open for the next 30 days.

    `days=N` opens the nights from today for N days instead (`days=0`: none).
    """

    class Meta:
        model = RoomType
        skip_postgeneration_save = True

    property = factory.SubFactory(PropertyFactory)
    name = factory.LazyAttribute(lambda room_type: f"Room g{room_type.grade}")
    grade = 1
    price_krw = 100_000
    rooms = 1
    capacity = 2
    amenities = factory.LazyFunction(list)

    @factory.post_generation
    def days(room_type, create, extracted, **kwargs):
        if not create:
            return
        today = timezone.localdate()
        days = 30 if extracted is None else extracted
        inventory.nights_ensure(room_type=room_type, start=today, end=today + timedelta(days=days))


class CalendarFeedFactory(DjangoModelFactory):
    """Another channel's iCal calendar for a room type."""

    class Meta:
        model = CalendarFeed

    room_type = factory.SubFactory(RoomTypeFactory)
    name = "Airbnb"
    url = factory.Sequence(lambda n: f"https://example.com/{n}.ics")


class ConflictFactory(DjangoModelFactory):
    """A confirmed booking colliding with another channel's stay on the same nights, open for a day.

    `booking` has no default: pass a confirmed one (confirmed_booking); the feed is its room type's.
    """

    class Meta:
        model = Conflict

    feed = factory.SubFactory(CalendarFeedFactory, room_type=factory.SelfAttribute("..booking.room_type"))
    uid = factory.Sequence(lambda n: f"u{n}")
    start = factory.LazyAttribute(lambda conflict: conflict.booking.check_in)
    end = factory.LazyAttribute(lambda conflict: conflict.booking.check_out)
    deadline = factory.LazyFunction(lambda: timezone.now() + timedelta(days=1))


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
        guest=user or GuestFactory(),
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
