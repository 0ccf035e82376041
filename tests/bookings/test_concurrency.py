"""The last room under 100 simultaneous requests: one booking, 99 clear refusals, no night oversold."""

import pytest
from django.db import connection
from rest_framework.test import APIClient

from bookings.errors import BookingError
from bookings.models import Booking, Night
from bookings.services.guarantee import case_search
from bookings.services.stays import booking_cancel_by_property, booking_hold
from tests.race import race

from .factories import (
    GuestFactory,
    PropertyFactory,
    RoomTypeFactory,
    confirmed_booking,
    fund_guarantee,
    stay_dates,
)

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_hundred_guests_racing_for_the_last_room_get_one_booking():
    room_type = RoomTypeFactory(property=PropertyFactory(), rooms=1)
    check_in, check_out = stay_dates(3, 2)
    guests = [GuestFactory() for _ in range(100)]

    outcomes = race(
        lambda i: booking_hold(
            guest=guests[i], room_type=room_type, check_in=check_in, check_out=check_out, guests=2
        ),
        100,
    )

    won = [o for o in outcomes if isinstance(o, Booking)]
    refused = [o for o in outcomes if isinstance(o, BookingError)]
    assert len(won) == 1 and len(refused) == 99
    assert {e.code for e in refused} == {"sold_out"} and {e.status for e in refused} == {409}
    assert list(
        Night.objects.filter(room_type=room_type, date__gte=check_in, date__lt=check_out).values_list(
            "sold", flat=True
        )
    ) == [1, 1]


def test_the_api_answers_409_sold_out_and_never_500_under_the_race():
    room_type = RoomTypeFactory(property=PropertyFactory(), rooms=1)
    check_in, check_out = stay_dates(3, 1)
    users = [GuestFactory() for _ in range(100)]

    def book(i):
        client = APIClient()
        client.force_authenticate(users[i])
        return client.post(
            "/api/v1/bookings/",
            {
                "room_type": room_type.pk,
                "check_in": check_in.isoformat(),
                "check_out": check_out.isoformat(),
                "guests": 2,
            },
            format="json",
        )

    responses = race(book, 100)
    codes = sorted(r.status_code for r in responses)
    assert codes.count(201) == 1 and codes.count(409) == 99, codes
    assert {r.json()["code"] for r in responses if r.status_code == 409} == {"sold_out"}
    assert Night.objects.get(room_type=room_type, date=check_in).sold == 1


def test_the_database_refuses_a_sale_past_the_rooms_whatever_the_code():
    room_type = RoomTypeFactory(property=PropertyFactory(), rooms=1)
    night = Night.objects.filter(room_type=room_type).first()
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE bookings_night SET sold = 2 WHERE id = %s", [night.pk])


def test_an_upgrade_competing_with_consumers_for_one_room_sells_it_once():
    fund_guarantee()
    original_property = PropertyFactory(rating="4.5")
    original = RoomTypeFactory(property=original_property, grade=1, price_krw=100_000, rooms=1)
    booking = confirmed_booking(original, days_ahead=10)
    # The only room that qualifies for the upgrade: one room, which 99 consumers also want.
    upgrade = RoomTypeFactory(property=original_property, grade=3, price_krw=150_000, rooms=1)
    case = booking_cancel_by_property(booking=booking, actor=None, reason="overbooked")
    users = [GuestFactory() for _ in range(99)]

    def work(i):
        if i == 99:
            return case_search(case_id=case.pk)
        return booking_hold(
            guest=users[i],
            room_type=upgrade,
            check_in=booking.check_in,
            check_out=booking.check_out,
            guests=2,
        )

    outcomes = race(work, 100)
    bookings_made = [o for o in outcomes if isinstance(o, Booking)]
    search = [o for o in outcomes if isinstance(o, str)]
    assert len(search) == 1 and search[0] in ("offered", "refunded")
    holders = Booking.objects.filter(room_type=upgrade, status__in=Booking.HOLDS_ROOM).count()
    assert holders == 1
    assert len(bookings_made) == (0 if search[0] == "offered" else 1)
    assert all(n.sold <= n.rooms for n in Night.objects.filter(room_type=upgrade))
