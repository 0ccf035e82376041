"""Bad input on every endpoint and form: a 4xx with a stable code (API: code/detail/fields), never a
500, and nothing half-written."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from bookings.models import Booking, CalendarFeed, Conflict, Night, Property
from bookings.services.channels import FeedError, parse

from .factories import (
    CalendarFeedFactory,
    ConflictFactory,
    GuestFactory,
    LodgingPartnerFactory,
    PropertyFactory,
    RoomTypeFactory,
    confirmed_booking,
    stay_dates,
)

pytestmark = pytest.mark.django_db


def _api(user, partner=None):
    client = APIClient()
    client.force_authenticate(user)
    if partner is not None:
        client.credentials(HTTP_X_PARTNER_ID=str(partner.pk))
    return client


def _error(response, status=400):
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"code", "detail", "fields"}, body
    return body


@pytest.fixture
def room():
    return RoomTypeFactory(property=PropertyFactory(), rooms=2, capacity=2)


@pytest.mark.parametrize(
    "change",
    [
        {"room_type": "abc"},
        {"room_type": 10**15},
        {"room_type": 987654},
        {"guests": 0},
        {"guests": 10**9},
        {"guests": "two"},
        {"guests": 3},  # over the room's capacity
        {"check_in": "yesterday"},
        {"check_in": "past"},
        {"check_out": "before"},
        {"check_out": "same"},
        {"check_in": "far"},
        {"must_have": ["jacuzzi-on-the-moon"]},
        {"payment_method": "cash"},
        {"guest_phone": "not a phone"},
        {"unknown_field": 1},
    ],
)
def test_booking_create_refuses_bad_input_without_writing(room, change):
    check_in, check_out = stay_dates(3, 2)
    today = timezone.localdate()
    body = {
        "room_type": room.pk,
        "check_in": check_in.isoformat(),
        "check_out": check_out.isoformat(),
        "guests": 2,
    }
    special = {
        "past": (today - timedelta(days=2)).isoformat(),
        "yesterday": "2020-13-45",
        "before": (check_in - timedelta(days=1)).isoformat(),
        "same": check_in.isoformat(),
        "far": (today + timedelta(days=3000)).isoformat(),
    }
    body.update({k: special.get(v, v) if isinstance(v, str) else v for k, v in change.items()})
    response = _api(GuestFactory()).post("/api/v1/bookings/", body, format="json")
    assert 400 <= response.status_code < 500, response.content
    assert set(response.json()) == {"code", "detail", "fields"}
    assert not Booking.objects.exists()
    assert not Night.objects.filter(sold__gt=0).exists()


@pytest.mark.parametrize(
    "query",
    [
        {},
        {"lat": "x", "lng": 1},
        {"lat": 999, "lng": 129, "check_in": "2030-01-01", "check_out": "2030-01-02"},
        {"lat": 35, "lng": 129, "check_in": "2030-01-05", "check_out": "2030-01-02"},
        {"lat": 35, "lng": 129, "check_in": "2030-01-01", "check_out": "2030-01-02", "guests": 0},
        {"lat": 35, "lng": 129, "check_in": "2030-01-01", "check_out": "2030-01-02", "sort": "evil"},
        {"lat": 35, "lng": 129, "check_in": "2030-01-01", "check_out": "2030-01-02", "min_price": -1},
        {"lat": 35, "lng": 129, "check_in": "2030-01-01", "check_out": "2030-01-02", "amenities": "nope"},
    ],
)
def test_search_refuses_bad_queries(query):
    _error(APIClient().get("/api/v1/bookings/search/", query))


@pytest.mark.parametrize("field", ["min_price", "max_price", "radius_m", "min_rating"])
def test_search_with_huge_numbers_is_not_a_500(field):
    check_in, check_out = stay_dates(3, 1)
    query = {"lat": 35.15, "lng": 129.16, "check_in": check_in, "check_out": check_out, field: 10**30}
    response = APIClient().get("/api/v1/bookings/search/", query)
    assert response.status_code in (200, 400), response.content


def test_availability_bad_queries(room):
    url = f"/api/v1/bookings/properties/{room.property_id}/availability/"
    _error(APIClient().get(url, {"check_in": "x", "check_out": "y"}))
    _error(APIClient().get(url, {"check_in": "2030-01-05", "check_out": "2030-01-01"}))
    assert APIClient().get("/api/v1/bookings/properties/99999999/availability/").status_code == 404


def test_cancel_and_case_endpoints_refuse_bad_input(room):
    booking = confirmed_booking(room)
    client = _api(booking.guest)
    _error(client.post(f"/api/v1/bookings/{booking.code}/cancel/", {"reason": 5, "x": 1}, format="json"))
    _error(client.get("/api/v1/bookings/NOPE/case/"), 404)
    _error(client.get(f"/api/v1/bookings/{booking.code}/case/"), 404)
    _error(client.post(f"/api/v1/bookings/{booking.code}/case/swap/"), 404)
    _error(client.post("/api/v1/bookings/offers/not-a-token/accept/"), 404)
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED


@pytest.mark.parametrize(
    "body, code",
    [
        ({"start": "x", "end": "y"}, None),
        ({"start": "+1", "end": "+0", "rooms": 1}, "invalid_range"),
        ({"start": "+1", "end": "+500", "rooms": 1}, "invalid_range"),
        ({"start": "-5", "end": "+2", "rooms": 1}, "invalid_range"),
        ({"start": "+1", "end": "+2", "rooms": -1}, None),
        ({"start": "+1", "end": "+2", "rooms": 10**6}, None),
        ({"start": "+1", "end": "+2", "price_krw": 0}, None),
        ({"start": "+1", "end": "+2", "price_krw": 10**13}, None),
        ({"start": "+1", "end": "+2", "price_krw": 3_000_000_000}, None),
        ({"start": "+1", "end": "+2", "stop_sell": "maybe"}, None),
        ({"start": "+1", "end": "+2", "colour": "red"}, None),
    ],
)
def test_partner_calendar_refuses_bad_input_and_changes_nothing(room, body, code):
    today = timezone.localdate()
    resolved = {
        k: (today + timedelta(days=int(v))).isoformat() if isinstance(v, str) and v[:1] in "+-" else v
        for k, v in body.items()
    }
    partner = room.property.partner
    before = list(Night.objects.filter(room_type=room).order_by("date").values_list("rooms", "price_krw"))
    response = _api(partner.owner, partner).post(
        f"/api/v1/bookings/partner/room-types/{room.pk}/calendar/", resolved, format="json"
    )
    error = _error(response, response.status_code)
    assert 400 <= response.status_code < 500
    if code:
        assert error["code"] == code
    after = list(Night.objects.filter(room_type=room).order_by("date").values_list("rooms", "price_krw"))
    assert after == before


def test_partner_calendar_below_sold_is_a_409(room):
    booking = confirmed_booking(room)
    partner = room.property.partner
    response = _api(partner.owner, partner).post(
        f"/api/v1/bookings/partner/room-types/{room.pk}/calendar/",
        {"start": booking.check_in.isoformat(), "end": booking.check_out.isoformat(), "rooms": 0},
        format="json",
    )
    assert _error(response, 409)["code"] == "below_sold"


def test_partner_feed_and_conflict_endpoints_refuse_bad_input(room):
    partner = room.property.partner
    client = _api(partner.owner, partner)
    for body in (
        {"room_type": room.pk, "name": "x", "url": "ftp://example.com/a.ics"},
        {"room_type": room.pk, "name": "x", "url": "not a url"},
        {"room_type": "abc", "name": "x", "url": "https://example.com/a.ics"},
        {"room_type": room.pk, "name": "x" * 200, "url": "https://example.com/a.ics"},
        {"room_type": room.pk, "url": "https://example.com/a.ics"},
    ):
        _error(client.post("/api/v1/bookings/partner/feeds/", body, format="json"))
    _error(
        client.post(
            "/api/v1/bookings/partner/feeds/",
            {"room_type": 10**12, "name": "x", "url": "https://example.com/a.ics"},
            format="json",
        ),
        404,
    )
    assert not CalendarFeed.objects.exists()
    _error(
        client.post("/api/v1/bookings/partner/conflicts/999/resolve/", {"keep_ours": True}, format="json"),
        404,
    )
    _error(client.post("/api/v1/bookings/partner/bookings/NOPE/cancel/", {"reason": "x"}, format="json"), 404)
    _error(client.post(f"/api/v1/bookings/partner/feeds/{10**12}/import/"), 404)


def test_partner_cancel_without_reason_changes_nothing(room):
    booking = confirmed_booking(room)
    partner = room.property.partner
    client = _api(partner.owner, partner)
    for body in ({}, {"reason": ""}, {"reason": "   "}, {"reason": "x" * 400}, {"reason": "ok", "extra": 1}):
        response = client.post(
            f"/api/v1/bookings/partner/bookings/{booking.code}/cancel/", body, format="json"
        )
        _error(response)
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"not a calendar at all",
        b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART:garbage\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
        b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20301301\r\nEND:VEVENT\r\n",
        b"BEGIN:VEVENT\r\nEND:VEVENT\r\n",
        b"\xff\xfe\x00garbage",
    ],
)
def test_malformed_ics_is_a_feed_error(body):
    with pytest.raises(FeedError):
        parse(body)


def _portal(user, partner):
    client = Client()
    client.force_login(user)
    session = client.session
    session["acting_partner_id"] = partner.pk
    session.save()
    return client


@pytest.mark.parametrize(
    "data",
    [
        {"start": "+1", "end": "+2", "price_krw": 10**13},
        {"start": "+1", "end": "+2", "price_krw": 3_000_000_000},
        {"start": "+1", "end": "+2", "rooms": 10**6},
        {"start": "-3", "end": "+2", "rooms": 1},
        {"start": "+5", "end": "+2", "rooms": 1},
    ],
)
def test_portal_calendar_refuses_absurd_values(room, data):
    today = timezone.localdate()
    resolved = {
        k: (today + timedelta(days=int(v))).isoformat() if isinstance(v, str) and v[:1] in "+-" else v
        for k, v in data.items()
    }
    partner = room.property.partner
    before = list(Night.objects.filter(room_type=room).order_by("date").values_list("rooms", "price_krw"))
    response = _portal(partner.owner, partner).post(f"/portal/stays/rooms/{room.pk}/calendar/", resolved)
    assert response.status_code == 200  # the form again, with its error
    after = list(Night.objects.filter(room_type=room).order_by("date").values_list("rooms", "price_krw"))
    assert after == before


@pytest.mark.parametrize("month", ["9999-12", "0001-01", "2030-99", "x"])
def test_portal_calendar_month_out_of_range_is_not_a_500(room, month):
    partner = room.property.partner
    response = _portal(partner.owner, partner).get(
        f"/portal/stays/rooms/{room.pk}/calendar/", {"month": month}
    )
    assert response.status_code in (200, 404)


def test_portal_property_form_refuses_out_of_range_values():
    partner = LodgingPartnerFactory()
    response = _portal(partner.owner, partner).post(
        "/portal/stays/properties/new/",
        {
            "name": "X",
            "address": "a",
            "city": "c",
            "latitude": 1000,
            "longitude": 129,
            "star_class": 9,
            "contact_phone": "051-123-4567",
            "cancellation_policy": "moderate",
            "check_in_time": "15:00",
            "check_out_time": "11:00",
        },
    )
    assert response.status_code == 200
    assert not Property.objects.filter(name="X").exists()


def test_portal_conflict_needs_an_explicit_action(room):
    booking = confirmed_booking(room)
    partner = room.property.partner
    feed = CalendarFeedFactory(room_type=room, name="Other", url="https://example.com/a.ics")
    conflict = ConflictFactory(booking=booking, feed=feed, uid="u1")
    response = _portal(partner.owner, partner).post(f"/portal/stays/conflicts/{conflict.pk}/", {})
    assert response.status_code in (302, 400)
    booking.refresh_from_db()
    conflict.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED
    assert conflict.status == Conflict.Status.OPEN
