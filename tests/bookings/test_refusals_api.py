"""The guarantee a guest calls in, over the API: the guest reports, the property lists, confirms or
contests; every answer is scoped to its guest or partner, and bad input is a 4xx with a stable code."""

import pytest
from rest_framework.test import APIClient

from bookings.models import Booking, GuaranteeCase

from .factories import (
    HAEUNDAE,
    GuestFactory,
    LodgingPartnerFactory,
    PropertyFactory,
    RoomTypeFactory,
    confirmed_booking,
    fund_guarantee,
)

pytestmark = pytest.mark.django_db


def _client(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def stay():
    fund_guarantee()
    partner = LodgingPartnerFactory()
    hotel = PropertyFactory(partner=partner)
    RoomTypeFactory(
        property=PropertyFactory(latitude=HAEUNDAE[0], longitude=HAEUNDAE[1] + 0.003, rating="4.8"), grade=3
    )
    booking = confirmed_booking(RoomTypeFactory(property=hotel, grade=2), days_ahead=0, nights=1)
    return partner, booking


def test_the_guest_reports_and_reads_the_case(stay):
    _partner, booking = stay
    guest = _client(booking.guest)
    answer = guest.post(
        f"/api/v1/bookings/{booking.code}/case/report/", {"note": "방이 없대요"}, format="json"
    )
    assert answer.status_code == 201, answer.content
    body = answer.json()
    assert body["status"] == "reported" and body["origin"] == "guest"
    assert body["guest_statement"] == "방이 없대요" and body["respond_by"]
    case = guest.get(f"/api/v1/bookings/{booking.code}/case/").json()
    assert case["id"] == body["id"] and case["status"] == "reported"
    again = guest.post(f"/api/v1/bookings/{booking.code}/case/report/", {}, format="json")
    assert again.status_code == 409 and again.json()["code"] == "case_open"


def test_reports_are_scoped_validated_and_rate_limited(stay, settings):
    _partner, booking = stay
    stranger = _client(GuestFactory())
    assert (
        stranger.post(f"/api/v1/bookings/{booking.code}/case/report/", {}, format="json").status_code == 404
    )
    guest = _client(booking.guest)
    unknown = guest.post(f"/api/v1/bookings/{booking.code}/case/report/", {"reason": "x"}, format="json")
    assert unknown.status_code == 400 and "reason" in unknown.json()["fields"]
    long = guest.post(f"/api/v1/bookings/{booking.code}/case/report/", {"note": "x" * 2001}, format="json")
    assert long.status_code == 400 and "note" in long.json()["fields"]
    settings.BOOKINGS_GUARANTEE_REPORTS_PER_GUEST = 1
    assert guest.post(f"/api/v1/bookings/{booking.code}/case/report/", {}, format="json").status_code == 201
    other = confirmed_booking(booking.room_type, user=booking.guest, days_ahead=3, nights=1)
    limited = guest.post(f"/api/v1/bookings/{other.code}/case/report/", {}, format="json")
    assert limited.status_code == 429 and limited.json()["code"] == "report_rate_limited"


def test_the_property_lists_and_contests_a_report(stay):
    partner, booking = stay
    case = _client(booking.guest).post(f"/api/v1/bookings/{booking.code}/case/report/", {}, format="json")
    case_id = case.json()["id"]
    owner = _client(partner.owner)
    rows = owner.get("/api/v1/bookings/partner/cases/").json()
    assert [(r["id"], r["booking"], r["status"]) for r in rows] == [(case_id, booking.code, "reported")]
    empty = owner.post(f"/api/v1/bookings/partner/cases/{case_id}/contest/", {"statement": ""}, format="json")
    assert empty.status_code == 400 and "statement" in empty.json()["fields"]
    contested = owner.post(
        f"/api/v1/bookings/partner/cases/{case_id}/contest/", {"statement": "객실 준비됨"}, format="json"
    )
    assert contested.status_code == 200, contested.content
    assert (
        contested.json()["status"] == "contested" and contested.json()["property_statement"] == "객실 준비됨"
    )
    late = owner.post(f"/api/v1/bookings/partner/cases/{case_id}/confirm/", format="json")
    assert late.status_code == 409 and late.json()["code"] == "already_answered"


def test_the_property_confirms_and_the_guarantee_starts(stay):
    partner, booking = stay
    case_id = (
        _client(booking.guest)
        .post(f"/api/v1/bookings/{booking.code}/case/report/", {}, format="json")
        .json()["id"]
    )
    answer = _client(partner.owner).post(f"/api/v1/bookings/partner/cases/{case_id}/confirm/", format="json")
    assert answer.status_code == 200 and answer.json()["status"] == "opened"
    assert Booking.objects.get(pk=booking.pk).status == Booking.Status.CANCELLED_BY_PROPERTY


def test_another_partner_neither_sees_nor_answers_the_report(stay):
    _partner, booking = stay
    case_id = (
        _client(booking.guest)
        .post(f"/api/v1/bookings/{booking.code}/case/report/", {}, format="json")
        .json()["id"]
    )
    other = _client(LodgingPartnerFactory().owner)
    assert other.get("/api/v1/bookings/partner/cases/").json() == []
    assert other.post(f"/api/v1/bookings/partner/cases/{case_id}/confirm/", format="json").status_code == 404
    assert GuaranteeCase.objects.get(pk=case_id).status == GuaranteeCase.Status.REPORTED
