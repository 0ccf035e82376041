"""The bookings API: search, availability, book and pay by the signed webhook, cancel, case, partner scope."""

import pytest
from django.test import Client
from rest_framework.test import APIClient

from bookings.models import Booking, GuaranteeCase
from tests.factories import MembershipFactory
from trustplatform.payments.providers import SandboxProvider

from .factories import (
    HAEUNDAE,
    GuestFactory,
    LodgingPartnerFactory,
    PropertyFactory,
    RoomTypeFactory,
    confirmed_booking,
    fund_guarantee,
    stay_dates,
)

pytestmark = pytest.mark.django_db


def _client(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_search_lists_nearby_properties_with_a_free_room_cheapest_first_per_property():
    near = PropertyFactory(name="가까운 호텔")
    RoomTypeFactory(property=near, price_krw=90_000)
    RoomTypeFactory(property=near, price_krw=150_000, grade=2)
    full = PropertyFactory(name="만실 호텔", latitude=HAEUNDAE[0] + 0.001)
    RoomTypeFactory(property=full, price_krw=50_000, rooms=0)
    far = PropertyFactory(name="먼 호텔", latitude=HAEUNDAE[0] + 0.5)
    RoomTypeFactory(property=far, price_krw=10_000)
    check_in, check_out = stay_dates(3, 2)
    response = APIClient().get(
        "/api/v1/bookings/search/",
        {"lat": HAEUNDAE[0], "lng": HAEUNDAE[1], "check_in": check_in, "check_out": check_out, "guests": 2},
    )
    assert response.status_code == 200
    assert [(r["name"], r["price_total_krw"]) for r in response.json()] == [("가까운 호텔", 180_000)]


def test_search_filters_by_price_rating_and_amenities():
    a = PropertyFactory(name="A", rating="4.8", amenities=["pool"])
    RoomTypeFactory(property=a, price_krw=200_000)
    b = PropertyFactory(name="B", rating="3.9", latitude=HAEUNDAE[0] + 0.002)
    RoomTypeFactory(property=b, price_krw=80_000)
    check_in, check_out = stay_dates(3, 1)
    base = {"lat": HAEUNDAE[0], "lng": HAEUNDAE[1], "check_in": check_in, "check_out": check_out}
    names = lambda **q: [r["name"] for r in APIClient().get("/api/v1/bookings/search/", {**base, **q}).json()]  # noqa: E731
    assert names(sort="price") == ["B", "A"]
    assert names(min_rating=4) == ["A"]
    assert names(max_price=100_000) == ["B"]
    assert names(amenities="pool") == ["A"]


def test_bad_search_input_is_a_400_with_fields():
    response = APIClient().get("/api/v1/bookings/search/", {"lat": "north", "check_in": "x"})
    assert response.status_code == 400 and "lat" in response.json()["fields"]


def test_book_then_the_psp_webhook_confirms_and_the_guest_sees_it():
    room_type = RoomTypeFactory(property=PropertyFactory(), price_krw=70_000)
    user = GuestFactory()
    check_in, check_out = stay_dates(3, 2)
    response = _client(user).post(
        "/api/v1/bookings/",
        {
            "room_type": room_type.pk,
            "check_in": check_in.isoformat(),
            "check_out": check_out.isoformat(),
            "guests": 2,
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "pending_payment" and body["price_total_krw"] == 140_000
    raw, headers = SandboxProvider().event(
        event_type="payment.paid", data={"payment_id": body["checkout_payment_id"], "amount_krw": 140_000}
    )
    hook = Client().post(
        "/hooks/payments/sandbox/",
        data=raw,
        content_type="application/json",
        headers={"Ansim-Signature": headers["Ansim-Signature"]},
    )
    assert hook.status_code == 200 and hook.json()["outcome"] == "confirmed"
    assert (
        Client().post("/hooks/payments/sandbox/", data=raw, content_type="application/json").status_code
        == 403
    )
    detail = _client(user).get(f"/api/v1/bookings/{body['code']}/").json()
    assert detail["status"] == "confirmed"
    assert _client(GuestFactory()).get(f"/api/v1/bookings/{body['code']}/").status_code == 404


def test_availability_shows_each_room_type_with_price_or_sold_out():
    prop = PropertyFactory()
    RoomTypeFactory(property=prop, price_krw=100_000)
    RoomTypeFactory(property=prop, price_krw=100_000, rooms=0, grade=2)
    check_in, check_out = stay_dates(2, 1)
    rows = (
        APIClient()
        .get(
            f"/api/v1/bookings/properties/{prop.pk}/availability/",
            {"check_in": check_in, "check_out": check_out},
        )
        .json()
    )
    assert [(r["price_total_krw"], r["rooms_left"]) for r in rows] == [(100_000, 1), (None, 0)]


def test_partner_sees_bookings_with_virtual_numbers_only_and_cancels_with_a_reason():
    fund_guarantee()
    partner = LodgingPartnerFactory()
    prop = PropertyFactory(partner=partner)
    booking = confirmed_booking(RoomTypeFactory(property=prop), days_ahead=6)
    owner = partner.owner
    client = _client(owner)
    rows = client.get("/api/v1/bookings/partner/bookings/").json()
    assert [r["code"] for r in rows] == [booking.code]
    assert booking.guest_phone not in str(rows) and "guest_phone" not in rows[0]
    no_reason = client.post(
        f"/api/v1/bookings/partner/bookings/{booking.code}/cancel/", {"reason": ""}, format="json"
    )
    assert no_reason.status_code == 400
    response = client.post(
        f"/api/v1/bookings/partner/bookings/{booking.code}/cancel/", {"reason": "boiler"}, format="json"
    )
    assert response.status_code == 200 and response.json()["status"] == "cancelled_by_property"
    assert GuaranteeCase.objects.filter(booking=booking).exists()
    case = _client(booking.guest).get(f"/api/v1/bookings/{booking.code}/case/").json()
    assert case["status"] == "opened" and case["reason"] == "boiler"


def test_another_partner_cannot_see_or_cancel_the_booking():
    booking = confirmed_booking(RoomTypeFactory(property=PropertyFactory()))
    stranger = LodgingPartnerFactory()
    client = _client(stranger.owner)
    assert client.get("/api/v1/bookings/partner/bookings/").json() == []
    response = client.post(
        f"/api/v1/bookings/partner/bookings/{booking.code}/cancel/", {"reason": "x"}, format="json"
    )
    assert response.status_code == 404
    assert Booking.objects.get(pk=booking.pk).status == "confirmed"


def test_non_lodging_partners_are_refused():
    from tests.factories import PartnerFactory

    member = MembershipFactory(partner=PartnerFactory(kind="restaurant", registration_number="2148705643"))
    assert _client(member.user).get("/api/v1/bookings/partner/bookings/").status_code == 403


def test_calendar_update_sets_prices_and_refuses_rooms_below_sold():
    partner = LodgingPartnerFactory()
    room_type = RoomTypeFactory(property=PropertyFactory(partner=partner), rooms=2)
    booking = confirmed_booking(room_type, days_ahead=2, nights=1)
    client = _client(partner.owner)
    url = f"/api/v1/bookings/partner/room-types/{room_type.pk}/calendar/"
    ok = client.post(
        url,
        {"start": booking.check_in.isoformat(), "end": booking.check_out.isoformat(), "price_krw": 99_000},
        format="json",
    )
    assert ok.status_code == 200 and ok.json() == {"nights_changed": 1}
    refused = client.post(
        url,
        {"start": booking.check_in.isoformat(), "end": booking.check_out.isoformat(), "rooms": 0},
        format="json",
    )
    assert refused.status_code == 409 and refused.json()["code"] == "below_sold"
