"""Bad input on every listings API endpoint: a 4xx with a stable code, never a 500, nothing half-written."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from listings import services
from listings.errors import ListingError
from listings.models import Appeal, Inspection, Listing, Strike
from tests.files import pdf_upload
from tests.listings.conftest import listing_data, photo_file

pytestmark = pytest.mark.django_db

HUGE = 10**30


@pytest.fixture
def as_user(api_client):
    def login(user):
        api_client.force_authenticate(user)
        return api_client

    return login


def assert_4xx(answer, status=None):
    assert 400 <= answer.status_code < 500, (answer.status_code, answer.content[:500])
    if status:
        assert answer.status_code == status, answer.content[:500]
    body = answer.json()
    assert {"code", "detail", "fields"} <= set(body), body
    return body


@pytest.mark.parametrize(
    "query",
    [
        {"price_min": HUGE},
        {"price_max": HUGE},
        {"rent_max": HUGE},
        {"size_min": "1e400"},
        {"size_max": "NaN"},
        {"page": "x"},
        {"page": HUGE},
        {"deal_type": "rent"},
        {"dong": "11440120001"},
        {"sort": "risk"},
        {"bogus": "1"},
    ],
)
def test_search_refuses_nonsense(api_client, query):
    assert_4xx(api_client.get("/api/v1/listings/", query), 400)


@pytest.mark.parametrize(
    "overrides",
    [
        {"deposit_krw": HUGE},
        {"monthly_rent_krw": HUGE},
        {"price_krw": HUGE, "deal_type": "sale"},
        {"size_m2": "1e400"},
        {"size_m2": "NaN"},
        {"size_m2": "-3"},
        {"floor": "third"},
        {"floor": HUGE},
        {"rooms": -1},
        {"rooms": "two"},
        {"dong_code": "abc"},
        {"deal_type": "lease"},
        {"title": "x" * 500},
        {"title": ["a", "b"]},
        {"description": {"a": 1}},
        {"owner": 1},
    ],
)
def test_creating_a_listing_refuses_nonsense(as_user, broker, overrides):
    client = as_user(broker)
    answer = client.post("/api/v1/listings/partner/listings/", {**listing_data(), **overrides}, format="json")
    assert_4xx(answer, 400)
    assert not Listing.objects.exists()


def test_listing_bodies_of_the_wrong_shape(as_user, broker, listing):
    client = as_user(broker)
    for body in ([1, 2], "text", 3):
        assert_4xx(client.post("/api/v1/listings/partner/listings/", body, format="json"), 400)
    bad_json = client.generic(
        "POST", "/api/v1/listings/partner/listings/", "{not json", content_type="application/json"
    )
    assert_4xx(bad_json, 400)
    for patch in ({"deposit_krw": HUGE}, {"unknown": 1}, {"size_m2": "huge"}, [1]):
        assert_4xx(
            client.patch(f"/api/v1/listings/partner/listings/{listing.pk}/", patch, format="json"), 400
        )
    listing.refresh_from_db()
    assert listing.deposit_krw == 10_000_000


@pytest.mark.parametrize("listing_id", [0, 999999, 2**40])
def test_missing_listing_ids_are_404(as_user, broker, consumer, listing_id):
    broker_client = as_user(broker)
    for path in ("", "publish/", "close/", "refresh/", "photos/", "verifications/"):
        url = f"/api/v1/listings/partner/listings/{listing_id}/{path}"
        if path in ("", "verifications/"):
            answer = broker_client.get(url)
        else:
            answer = broker_client.post(url, {}, format="multipart" if path == "photos/" else "json")
        assert answer.status_code == 404, (url, answer.status_code, answer.content[:300])
    consumer_client = as_user(consumer)
    for path in ("", "reports/", "contact/", "deposit/", "wasted-trip/"):
        url = f"/api/v1/listings/{listing_id}/{path}"
        answer = consumer_client.get(url) if path == "" else consumer_client.post(url, {}, format="json")
        assert answer.status_code in (400, 404), (url, answer.status_code, answer.content[:300])


def test_photo_uploads_that_are_not_photos(as_user, broker, listing, settings):
    client = as_user(broker)
    url = f"/api/v1/listings/partner/listings/{listing.pk}/photos/"
    text = SimpleUploadedFile("photo.jpg", b"not an image at all", content_type="image/jpeg")
    assert_4xx(client.post(url, {"image": text}, format="multipart"), 400)
    gif = io.BytesIO()
    __import__("PIL.Image").Image.new("RGB", (40, 40)).save(gif, format="GIF")
    assert_4xx(
        client.post(url, {"image": SimpleUploadedFile("a.gif", gif.getvalue())}, format="multipart"), 400
    )
    settings.LISTINGS_PHOTO_MAX_BYTES = 1000
    assert_4xx(client.post(url, {"image": photo_file(seed=3, size=(800, 600))}, format="multipart"), 400)
    assert_4xx(client.post(url, {"image": "just text"}, format="multipart"), 400)
    assert_4xx(client.post(url, {}, format="multipart"), 400)
    assert_4xx(client.post(url, {"image": "x"}, format="json"), 415)
    assert listing.photos.count() == 0


def test_report_and_claim_inputs(as_user, consumer, listing):
    client = as_user(consumer)
    base = f"/api/v1/listings/{listing.pk}/"
    assert_4xx(client.post(base + "reports/", {"reason": "nope"}, format="json"), 400)
    assert_4xx(client.post(base + "reports/", {"reason": "gone", "visited": "maybe"}, format="json"), 400)
    assert_4xx(client.post(base + "reports/", {"reason": "gone", "details": "x" * 5000}, format="json"), 400)
    assert_4xx(client.post(base + "deposit/", {"move_in_date": "tomorrow"}, format="json"), 400)
    assert_4xx(client.post(base + "wasted-trip/", {"visited_on": "2020-13-40"}, format="json"), 400)
    assert_4xx(client.post(base + "wasted-trip/", {"visited_on": "2020-01-01"}, format="json"))
    assert not listing.reports.exists()


def test_verification_request_inputs(as_user, broker, listing):
    client = as_user(broker)
    url = f"/api/v1/listings/partner/listings/{listing.pk}/verifications/"
    for body in (
        {"level": 9},
        {"level": "x"},
        {"level": 1, "owner_phone": "x" * 100},
        {"level": 1, "who": 1},
    ):
        assert_4xx(client.post(url, body, format="json"), 400)
    for body in ({"level": 1, "owner_phone": "not a phone"}, {"level": 3}):
        assert_4xx(client.post(url, body, format="json"))
    assert not listing.verifications.exists()


def test_report_respond_and_appeal_inputs(as_user, broker, consumer, listing):
    report = services.report_file(listing=listing, reporter=consumer, reason="gone")
    client = as_user(broker)
    assert_4xx(
        client.post(f"/api/v1/listings/partner/reports/{report.pk}/respond/", {"action": "x"}, format="json"),
        400,
    )
    assert_4xx(
        client.post("/api/v1/listings/partner/reports/999999/respond/", {"action": "gone"}, format="json"),
        404,
    )
    assert_4xx(client.post("/api/v1/listings/partner/strikes/999999/appeal/", {"statement": "x"}), 404)


def test_inspection_record_inputs(as_user, inspector, listing):
    inspection = services.inspection_queue_open(listing=listing, actor=inspector)
    client = as_user(inspector)
    url = f"/api/v1/listings/inspections/{inspection.pk}/record/"
    for body in (
        {"outcome": "genuine", "latitude": "91"},
        {"outcome": "genuine", "latitude": "abc"},
        {"outcome": "genuine", "longitude": "1e400"},
        {"outcome": "genuine", "longitude": "-181"},
        {"outcome": "genuine", "accuracy_m": str(HUGE)},
        {"outcome": "genuine", "visited_at": "yesterday"},
        {"outcome": "fake"},
        {"outcome": "fake", "fake_category": "bogus"},
        {"outcome": "maybe"},
        {"outcome": "genuine", "photos": SimpleUploadedFile("p.jpg", b"nope")},
    ):
        assert_4xx(client.post(url, body, format="multipart"))
    assert_4xx(client.post("/api/v1/listings/inspections/999999/record/", {"outcome": "genuine"}), 404)
    inspection.refresh_from_db()
    assert inspection.status == Inspection.Status.QUEUED
    with pytest.raises(ListingError) as refused:
        services.inspection_record(inspection=inspection, actor=inspector, outcome="genuine", accuracy_m=HUGE)
    assert refused.value.code == "invalid_gps"


def test_portal_and_page_forms_refuse_huge_amounts(client, broker, listing):
    client.force_login(broker)
    before = Listing.objects.count()
    answer = client.post(
        reverse("listings_portal:create"), {**listing_data(deposit_krw=HUGE), "publish": "on"}
    )
    assert answer.status_code == 200 and Listing.objects.count() == before
    assert client.get(reverse("listings:search"), {"price_min": HUGE}).status_code == 200


def test_staff_inputs(as_user, agent, consumer, listing):
    report = services.report_file(listing=listing, reporter=consumer, reason="gone")
    client = as_user(agent)
    assert_4xx(
        client.post(
            "/api/v1/listings/staff/reports/999999/decide/",
            {"decision": "uphold", "note": "x"},
            format="json",
        ),
        404,
    )
    assert_4xx(
        client.post(
            f"/api/v1/listings/staff/reports/{report.pk}/decide/",
            {"decision": "maybe", "note": "x"},
            format="json",
        ),
        400,
    )
    assert_4xx(
        client.post(
            "/api/v1/listings/staff/appeals/999999/decide/", {"uphold": True, "reason": "x"}, format="json"
        ),
        404,
    )
    assert_4xx(client.post("/api/v1/listings/campaigns/open/", {"seed": HUGE}, format="json"), 400)
    assert_4xx(client.post("/api/v1/listings/campaigns/open/", {"capacity": 0}, format="json"), 400)
    assert_4xx(client.get("/api/v1/listings/999999/risk/"), 404)


def test_appeal_evidence_is_checked(as_user, broker, listing, inspector):
    inspection = services.inspection_queue_open(listing=listing, actor=inspector)
    services.inspection_record(
        inspection=inspection, actor=inspector, outcome="fake", fake_category="not_exist"
    )
    strike = Strike.objects.get(listing=listing)
    client = as_user(broker)
    url = f"/api/v1/listings/partner/strikes/{strike.pk}/appeal/"
    page = SimpleUploadedFile("evil.html", b"<script>alert(1)</script>", content_type="text/html")
    body = assert_4xx(client.post(url, {"statement": "계약서 첨부", "evidence": [page]}, format="multipart"))
    assert body["code"] == "file_type" and "evidence" in body["fields"]
    many = [SimpleUploadedFile(f"c{n}.pdf", b"%PDF-1.4") for n in range(11)]
    assert (
        assert_4xx(client.post(url, {"statement": "x", "evidence": many}, format="multipart"))["code"]
        == "too_many_files"
    )
    assert_4xx(client.post(url, {"evidence": []}, format="multipart"), 400)
    assert not Appeal.objects.exists()
    ok = client.post(
        url,
        {"statement": "계약서 첨부", "evidence": [pdf_upload("contract.pdf")]},
        format="multipart",
    )
    assert ok.status_code == 201, ok.content


def test_deciding_twice_is_a_conflict_not_a_500(as_user, agent, consumer, broker, listing, inspector):
    report = services.report_file(listing=listing, reporter=consumer, reason="gone")
    services.report_respond(report=report, actor=broker, action="disputed", response="있습니다")
    client = as_user(agent)
    url = f"/api/v1/listings/staff/reports/{report.pk}/decide/"
    assert client.post(url, {"decision": "reject", "note": "확인"}, format="json").status_code == 200
    again = client.post(url, {"decision": "uphold", "note": "다시"}, format="json")
    assert_4xx(again, 409)
    inspection = services.inspection_queue_open(listing=listing, actor=inspector)
    services.inspection_record(inspection=inspection, actor=inspector, outcome="fake", fake_category="gone")
    record = as_user(inspector).post(
        f"/api/v1/listings/inspections/{inspection.pk}/record/", {"outcome": "genuine"}, format="multipart"
    )
    assert_4xx(record, 404)
    strike = Strike.objects.get(listing=listing)
    appeal = services.appeal_file(strike=strike, actor=broker, statement="계약서 첨부")
    decide = f"/api/v1/listings/staff/appeals/{appeal.pk}/decide/"
    client = as_user(agent)
    assert client.post(decide, {"uphold": False, "reason": "근거 부족"}, format="json").status_code == 200
    assert_4xx(client.post(decide, {"uphold": True, "reason": "다시"}, format="json"), 409)
