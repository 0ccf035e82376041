"""Two tabs never book the same room twice by accident: the booking service re-checks a guest's open
bookings of the room type under the guest's lock, so two submits at once give one booking and one
409 `duplicate_booking`; `another` books a second room on purpose; the page and the API show it."""

import threading

import pytest
from django.test import Client
from rest_framework.test import APIClient

from bookings import selectors
from bookings.errors import BookingError
from bookings.models import Booking, Night
from bookings.services import stays
from bookings.services.stays import booking_cancel_by_guest, booking_hold
from tests.race import race

from .factories import GuestFactory, RoomTypeFactory, stay_dates


def _hold(guest, room_type, stay, **extra):
    return booking_hold(
        guest=guest, room_type=room_type, check_in=stay[0], check_out=stay[1], guests=2, **extra
    )


def _sold(room_type, stay) -> list[int]:
    return list(
        Night.objects.filter(room_type=room_type, date__gte=stay[0], date__lt=stay[1])
        .order_by("date")
        .values_list("sold", flat=True)
    )


@pytest.fixture
def checks_meet(monkeypatch):
    """Each duplicate check waits (up to a second) for the other one before answering: without a lock
    both read "no booking yet" together, the race at its worst. With the guest's lock the second waits
    at the lock instead, and the first goes on alone once the wait runs out."""
    both = threading.Barrier(2, timeout=1)
    original = selectors.guest_overlapping_bookings

    def meeting(**kwargs):
        found = original(**kwargs)
        try:
            both.wait()
        except threading.BrokenBarrierError:
            pass
        return found

    monkeypatch.setattr(selectors, "guest_overlapping_bookings", meeting)


# --- under concurrency ------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_submits_at_once_by_one_guest_give_one_booking_and_one_duplicate_refusal(checks_meet):
    room_type = RoomTypeFactory(rooms=3)
    guest, stay = GuestFactory(), stay_dates(4, 2)

    outcomes = race(lambda _i: _hold(guest, room_type, stay), 2)

    won = [o for o in outcomes if isinstance(o, Booking)]
    refused = [o for o in outcomes if isinstance(o, BookingError)]
    assert len(won) == 1 and len(refused) == 1
    assert refused[0].code == "duplicate_booking" and refused[0].status == 409
    assert won[0].code in refused[0].detail  # names the booking the guest holds
    assert Booking.objects.filter(guest=guest).count() == 1
    assert _sold(room_type, stay) == [1, 1]  # the refused one took no night


@pytest.mark.django_db(transaction=True)
def test_without_the_guest_lock_the_race_really_books_twice(checks_meet, monkeypatch):
    """The control: the check alone, outside a lock, lets both submits through."""
    monkeypatch.setattr(stays, "guest_lock", lambda guest_id: None)
    room_type = RoomTypeFactory(rooms=3)
    guest, stay = GuestFactory(), stay_dates(4, 2)

    outcomes = race(lambda _i: _hold(guest, room_type, stay), 2)

    assert all(isinstance(o, Booking) for o in outcomes)
    assert Booking.objects.filter(guest=guest).count() == 2


@pytest.mark.django_db(transaction=True)
def test_two_submits_at_once_that_mean_another_room_book_two(checks_meet):
    room_type = RoomTypeFactory(rooms=3)
    guest, stay = GuestFactory(), stay_dates(4, 2)

    outcomes = race(lambda _i: _hold(guest, room_type, stay, another=True), 2)

    assert all(isinstance(o, Booking) for o in outcomes)
    assert Booking.objects.filter(guest=guest, status=Booking.Status.PENDING_PAYMENT).count() == 2
    assert _sold(room_type, stay) == [2, 2]


@pytest.mark.django_db(transaction=True)
def test_the_api_answers_one_201_and_one_409_duplicate_booking_to_two_requests_at_once():
    room_type = RoomTypeFactory(rooms=3)
    guest, (check_in, check_out) = GuestFactory(), stay_dates(4, 2)
    body = {"room_type": room_type.pk, "check_in": check_in.isoformat(),
            "check_out": check_out.isoformat(), "guests": 2}

    def book(_i):
        client = APIClient()
        client.force_authenticate(guest)
        return client.post("/api/v1/bookings/", body, format="json")

    responses = race(book, 2)

    assert sorted(r.status_code for r in responses) == [201, 409]
    refused = next(r for r in responses if r.status_code == 409).json()
    assert refused["code"] == "duplicate_booking"
    assert Booking.objects.get(guest=guest).code in refused["detail"]


# --- what counts as a duplicate -----------------------------------------------------------------------


@pytest.mark.django_db
def test_other_dates_other_rooms_other_guests_and_closed_bookings_are_not_duplicates():
    room_type = RoomTypeFactory(rooms=3)
    guest, stay = GuestFactory(), stay_dates(4, 2)
    first = _hold(guest, room_type, stay)
    assert _hold(guest, room_type, stay_dates(6, 1))  # starts the day the first ends
    assert _hold(guest, RoomTypeFactory(property=room_type.property), stay)
    assert _hold(GuestFactory(), room_type, stay)
    with pytest.raises(BookingError) as overlapping:
        _hold(guest, room_type, stay_dates(3, 2))  # shares a night with the first only
    assert overlapping.value.code == "duplicate_booking" and first.code in overlapping.value.detail
    booking_cancel_by_guest(booking=first, actor=guest, reason="")
    assert _hold(guest, room_type, stay).status == Booking.Status.PENDING_PAYMENT


# --- the API ------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_api_refuses_a_repeated_booking_with_409_and_books_it_when_another_is_sent():
    room_type = RoomTypeFactory(rooms=3)
    guest, (check_in, check_out) = GuestFactory(), stay_dates(4, 2)
    client = APIClient()
    client.force_authenticate(guest)
    body = {"room_type": room_type.pk, "check_in": check_in.isoformat(),
            "check_out": check_out.isoformat(), "guests": 2}
    first = client.post("/api/v1/bookings/", body, format="json")
    assert first.status_code == 201

    again = client.post("/api/v1/bookings/", body, format="json")
    assert again.status_code == 409 and again.json()["code"] == "duplicate_booking"
    assert first.json()["code"] in again.json()["detail"]
    assert Booking.objects.filter(guest=guest).count() == 1

    bad = client.post("/api/v1/bookings/", {**body, "another": "maybe"}, format="json")
    assert bad.status_code == 400 and "another" in bad.json()["fields"]
    meant = client.post("/api/v1/bookings/", {**body, "another": True}, format="json")
    assert meant.status_code == 201 and meant.json()["code"] != first.json()["code"]
    assert Booking.objects.filter(guest=guest).count() == 2


# --- the page -----------------------------------------------------------------------------------------


def _book(client, room_type, stay, **extra):
    return client.post(
        f"/stays/book/{room_type.pk}/",
        {"check_in": stay[0].isoformat(), "check_out": stay[1].isoformat(), "guests": 2,
         "room_type": room_type.pk, "guest_name": "김안심", "guest_phone": "", **extra},
    )


def _another_error(page: str) -> str:
    start = page.index('id="id_another_error"')
    return page[start:page.index("</div>", start)]


@pytest.mark.django_db
def test_the_page_shows_the_refusal_beside_the_box_when_the_other_tab_booked_after_the_form_was_checked(
    monkeypatch,
):
    """The other tab's booking lands between the page's check and the booking service's: the service
    refuses, and the page shows that booking and the refusal beside the "another room" box."""
    from bookings import views

    room_type = RoomTypeFactory(rooms=3)
    guest, stay = GuestFactory(), stay_dates(4, 2)
    client = Client()
    client.force_login(guest)
    first = _hold(guest, room_type, stay)
    checked = views._duplicates
    calls = []
    # The page's own look finds nothing the first time: the other tab had not committed yet.
    monkeypatch.setattr(
        views, "_duplicates", lambda *args: calls.append(1) or ([] if len(calls) == 1 else checked(*args))
    )

    response = _book(client, room_type, stay)

    page = response.content.decode()
    assert response.status_code == 200 and 'id="duplicate-warning"' in page
    assert f'href="/stays/bookings/{first.code}/"' in page
    error = _another_error(page)
    assert first.code in error and 'name="another"' in page
    assert Booking.objects.filter(guest=guest).count() == 1


@pytest.mark.django_db
def test_the_page_books_a_second_room_only_when_the_box_is_ticked():
    room_type = RoomTypeFactory(rooms=3)
    guest, stay = GuestFactory(), stay_dates(4, 2)
    client = Client()
    client.force_login(guest)
    assert _book(client, room_type, stay).status_code == 302
    first = Booking.objects.get(guest=guest)

    refused = _book(client, room_type, stay)
    assert refused.status_code == 200 and first.code in _another_error(refused.content.decode())
    assert Booking.objects.filter(guest=guest).count() == 1

    assert _book(client, room_type, stay, another="on").status_code == 302
    assert Booking.objects.filter(guest=guest).count() == 2
