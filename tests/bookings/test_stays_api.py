"""The API of a stay's end and of reviews: the partner records arrival, departure, no-show and answers
reviews (scoped, by role); the guest disputes a no-show and reviews; every refusal is JSON with a stable
code, never a 500."""

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from bookings.models import Booking, Review
from bookings.services import reviews, stay_marks
from bookings.services.common import check_in_at
from tests.factories import MembershipFactory, UserFactory
from trustplatform.ledger.services import partner_payable
from trustplatform.partners.models import Membership

from .factories import LodgingPartnerFactory, PropertyFactory, RoomTypeFactory, confirmed_booking

pytestmark = pytest.mark.django_db


def api(user, partner=None) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    if partner is not None:
        client.credentials(HTTP_X_PARTNER_ID=str(partner.pk))
    return client


def error(response, status: int, code: str | None = None) -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"code", "detail", "fields"}, body
    if code:
        assert body["code"] == code, body
    return body


def owner(prop):
    return Membership.objects.get(partner=prop.partner, role=Membership.Role.OWNER).user


@pytest.fixture
def stay():
    room = RoomTypeFactory(property=PropertyFactory(), price_krw=70_000)
    return confirmed_booking(room, days_ahead=0, nights=1)


def test_the_front_desk_records_arrival_and_departure_and_the_payout_becomes_payable(stay):
    partner = stay.property.partner
    desk = api(MembershipFactory(partner=partner, role=Membership.Role.STAFF).user, partner)
    base = f"/api/v1/bookings/partner/bookings/{stay.code}"
    response = desk.post(f"{base}/check-in/")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "checked_in" and response.json()["checked_in_at"]
    response = desk.post(f"{base}/check-out/", HTTP_IDEMPOTENCY_KEY="out-1")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "completed" and body["settled_at"] and not body["completed_automatically"]
    # The same key again: the first answer, nothing moves twice.
    assert desk.post(f"{base}/check-out/", HTTP_IDEMPOTENCY_KEY="out-1").json() == body
    assert partner_payable(partner).balance_krw == 70_000
    error(desk.post(f"{base}/check-out/"), 409, "invalid_transition")


def test_front_desk_staff_cannot_record_a_no_show_and_strangers_get_a_404(stay):
    partner = stay.property.partner
    desk = api(MembershipFactory(partner=partner, role=Membership.Role.STAFF).user, partner)
    url = f"/api/v1/bookings/partner/bookings/{stay.code}/no-show/"
    error(desk.post(url), 403, "role_forbidden")
    other = LodgingPartnerFactory()
    error(api(other.owner, other).post(url), 404)
    assert Booking.objects.get(pk=stay.pk).status == Booking.Status.CONFIRMED


def test_a_no_show_before_check_in_time_is_a_409_and_the_guest_disputes_a_real_one(stay):
    partner_api = api(owner(stay.property), stay.property.partner)
    url = f"/api/v1/bookings/partner/bookings/{stay.code}/no-show/"
    if timezone.now() < check_in_at(stay):
        error(partner_api.post(url), 409, "too_early")
    stay_marks.booking_no_show(booking=stay, actor=None, at=max(timezone.now(), check_in_at(stay)))
    guest = api(stay.guest)
    dispute_url = f"/api/v1/bookings/{stay.code}/no-show-dispute/"
    body = error(guest.post(dispute_url, {"statement": ""}, format="json"), 400)
    assert "statement" in body["fields"]
    error(guest.post(dispute_url, {"statement": "x", "extra": 1}, format="json"), 400)
    error(api(UserFactory()).post(dispute_url, {"statement": "x"}, format="json"), 404)
    response = guest.post(dispute_url, {"statement": "프런트에 도착했어요"}, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["no_show_dispute"] == "open" and response.json()["settled_at"] is None
    error(guest.post(dispute_url, {"statement": "again"}, format="json"), 409, "already_disputed")


def test_the_guest_reviews_a_completed_stay_once_and_the_property_answers_once(stay):
    prop = stay.property
    guest = api(stay.guest)
    url = f"/api/v1/bookings/{stay.code}/review/"
    error(guest.post(url, {"rating": 5, "text": "좋아요"}, format="json"), 409, "not_completed")
    stay_marks.booking_complete(booking=stay, actor=None)
    for bad in ({"rating": 6, "text": "x"}, {"rating": "five", "text": "x"}, {"rating": 4},
                {"rating": 4, "text": "x" * 2001}, ["not", "an", "object"]):
        error(guest.post(url, bad, format="json"), 400)
    response = guest.post(url, {"rating": 4, "text": "바다 전망이 좋아요"}, format="json")
    assert response.status_code == 201, response.content
    review_id = response.json()["id"]
    assert response.json()["author"] != stay.guest.full_name
    error(guest.post(url, {"rating": 1, "text": "again"}, format="json"), 409, "already_reviewed")
    assert guest.get(url).json()["rating"] == 4
    public = APIClient().get(f"/api/v1/bookings/properties/{prop.pk}/reviews/").json()
    assert (public["review_count"], public["rating"]) == (1, "4.0")
    assert [r["text"] for r in public["reviews"]] == ["바다 전망이 좋아요"]

    partner = prop.partner
    desk = api(MembershipFactory(partner=partner, role=Membership.Role.STAFF).user, partner)
    answer_url = f"/api/v1/bookings/partner/reviews/{review_id}/answer/"
    error(desk.post(answer_url, {"answer": "감사합니다"}, format="json"), 403, "role_forbidden")
    manager = api(owner(prop), partner)
    error(manager.post(answer_url, {"answer": ""}, format="json"), 400)
    response = manager.post(answer_url, {"answer": "감사합니다"}, format="json")
    assert response.status_code == 200 and response.json()["answer"] == "감사합니다"
    error(manager.post(answer_url, {"answer": "또"}, format="json"), 409, "already_answered")
    listed = manager.get("/api/v1/bookings/partner/reviews/").json()
    assert [(r["id"], r["booking_code"], r["hidden"]) for r in listed] == [(review_id, stay.code, False)]
    assert manager.get("/api/v1/bookings/partner/reviews/?unanswered=true").json() == []
    # Another partner's review is not found.
    other = LodgingPartnerFactory()
    error(api(other.owner, other).post(answer_url, {"answer": "x"}, format="json"), 404)


def test_reports_are_once_per_person_and_the_property_reports_its_own_reviews(stay):
    stay_marks.booking_complete(booking=stay, actor=None)
    written = reviews.review_create(booking=stay, actor=stay.guest, rating=1, text="별로")
    reader = api(UserFactory())
    url = f"/api/v1/bookings/reviews/{written.pk}/report/"
    error(APIClient().post(url, {"reason": "x"}, format="json"), 401, "not_authenticated")
    error(reader.post(url, {}, format="json"), 400)
    assert reader.post(url, {"reason": "욕설"}, format="json").status_code == 201
    error(reader.post(url, {"reason": "욕설"}, format="json"), 409, "already_reported")
    error(reader.post("/api/v1/bookings/reviews/999999/report/", {"reason": "x"}, format="json"), 404)
    partner = stay.property.partner
    desk = api(MembershipFactory(partner=partner, role=Membership.Role.STAFF).user, partner)
    response = desk.post(f"/api/v1/bookings/partner/reviews/{written.pk}/report/", {"reason": "허위"},
                         format="json")
    assert response.status_code == 201
    assert written.reports.count() == 2


def test_hidden_reviews_are_not_public_but_the_property_sees_why(stay):
    from django.contrib.auth.models import Group

    stay_marks.booking_complete(booking=stay, actor=None)
    written = reviews.review_create(booking=stay, actor=stay.guest, rating=1, text="광고")
    agent = UserFactory(is_staff=True)
    agent.groups.add(Group.objects.get(name="agents"))
    reviews.review_hide(review=written, actor=agent, reason="광고성")
    public = APIClient().get(f"/api/v1/bookings/properties/{stay.property_id}/reviews/").json()
    assert (public["review_count"], public["reviews"]) == (0, [])
    mine = api(owner(stay.property), stay.property.partner).get("/api/v1/bookings/partner/reviews/").json()
    assert (mine[0]["hidden"], mine[0]["hidden_reason"]) == (True, "광고성")
    error(api(UserFactory()).post(f"/api/v1/bookings/reviews/{written.pk}/report/", {"reason": "x"},
                                  format="json"), 404)
    assert Review.objects.get(pk=written.pk).is_hidden


def test_unknown_bookings_and_properties_are_404s():
    guest = api(UserFactory())
    error(guest.get("/api/v1/bookings/NOPE1234/review/"), 404)
    error(guest.post("/api/v1/bookings/NOPE1234/no-show-dispute/", {"statement": "x"}, format="json"), 404)
    error(APIClient().get("/api/v1/bookings/properties/999999/reviews/"), 404)
    error(guest.get("/api/v1/bookings/partner/reviews/"), 403)  # not a partner
