import json

import pytest

from listings import services
from listings.models import Inspection, Strike
from tests.factories import PASSWORD
from tests.listings.conftest import listing_data, photo_file

pytestmark = pytest.mark.django_db


@pytest.fixture
def as_user(api_client):
    def login(user):
        api_client.force_authenticate(user)
        return api_client

    return login


def test_search_filters_and_shows_badge_and_level(api_client, badge_holder, brokerage, make_listing):
    cheap = make_listing(brokerage, deposit_krw=5_000_000)
    make_listing(brokerage, deposit_krw=50_000_000)
    make_listing(brokerage, deal_type="jeonse", deposit_krw=200_000_000, monthly_rent_krw=0)
    answer = api_client.get(
        "/api/v1/listings/", {"sigungu": "11440", "deal_type": "monthly", "price_max": 10_000_000}
    )
    assert answer.status_code == 200
    body = answer.json()
    assert [row["id"] for row in body["results"]] == [cheap.pk]
    assert body["results"][0]["broker"]["trusted_badge"] is True
    assert body["results"][0]["verification"]["level"] == 0
    assert body["has_next"] is False


def test_bad_search_input_is_a_400_not_a_500(api_client):
    answer = api_client.get("/api/v1/listings/", {"sigungu": "mapo", "price_min": "-1"})
    assert answer.status_code == 400
    assert set(answer.json()["fields"]) == {"sigungu", "price_min"}


def test_report_through_the_api_once(as_user, listing, consumer):
    client = as_user(consumer)
    first = client.post(
        f"/api/v1/listings/{listing.pk}/reports/", {"reason": "gone", "visited": True}, format="json"
    )
    assert first.status_code == 201, first.content
    again = client.post(f"/api/v1/listings/{listing.pk}/reports/", {"reason": "price"}, format="json")
    assert again.status_code == 409 and again.json()["code"] == "already_reported"
    unknown = client.post(
        f"/api/v1/listings/{listing.pk}/reports/", {"reason": "gone", "who": 1}, format="json"
    )
    assert unknown.status_code == 400


def test_the_broker_never_sees_who_reported(as_user, listing, consumer, broker):
    services.report_file(listing=listing, reporter=consumer, reason="price", details="가격이 달라요")
    answer = as_user(broker).get("/api/v1/listings/partner/reports/")
    assert answer.status_code == 200
    text = json.dumps(answer.json(), ensure_ascii=False)
    assert "reporter" not in text and "weight" not in text
    assert consumer.email not in text and consumer.full_name not in text
    assert answer.json()["results"][0]["details"] == "가격이 달라요"


def test_broker_answers_a_report_through_the_api(as_user, listing, consumer, broker):
    report = services.report_file(listing=listing, reporter=consumer, reason="gone")
    answer = as_user(broker).post(
        f"/api/v1/listings/partner/reports/{report.pk}/respond/",
        {"action": "gone", "response": "계약됨"},
        format="json",
    )
    assert answer.status_code == 200 and answer.json()["status"] == "upheld"


def test_partner_crud_is_scoped(as_user, broker, brokerage, make_brokerage, make_listing):
    client = as_user(broker)
    created = client.post(
        "/api/v1/listings/partner/listings/", {**listing_data(), "publish": True}, format="json"
    )
    assert created.status_code == 201, created.content
    listing_id = created.json()["id"]
    assert created.json()["status"] == "published" and created.json()["sigungu_code"] == "11440"
    patched = client.patch(
        f"/api/v1/listings/partner/listings/{listing_id}/", {"monthly_rent_krw": 650_000}, format="json"
    )
    assert patched.status_code == 200 and patched.json()["monthly_rent_krw"] == 650_000
    photo = client.post(
        f"/api/v1/listings/partner/listings/{listing_id}/photos/",
        {"image": photo_file(seed=2)},
        format="multipart",
    )
    assert photo.status_code == 201 and len(photo.json()["photos"]) == 1
    other = make_listing(make_brokerage())
    assert client.get(f"/api/v1/listings/partner/listings/{other.pk}/").status_code == 404


def test_confirmed_fake_shows_everywhere_at_once_and_appeal_brings_it_back(
    as_user, api_client, badge_holder, listing, broker, inspector, agent
):
    client = as_user(inspector)
    inspection = services.inspection_queue_open(listing=listing, actor=agent)
    recorded = client.post(
        f"/api/v1/listings/inspections/{inspection.pk}/record/",
        {
            "outcome": "fake",
            "fake_category": "not_exist",
            "latitude": "37.5563",
            "longitude": "126.9220",
            "accuracy_m": "8",
            "photos": [photo_file(seed=4)],
        },
        format="multipart",
    )
    assert recorded.status_code == 200, recorded.content
    assert Inspection.objects.get(pk=inspection.pk).photos.count() == 1
    api_client.force_authenticate(None)
    public = api_client.get(f"/api/v1/listings/{listing.pk}/").json()
    assert public["broker"]["trusted_badge"] is False and public["status"] == "removed"
    broker_client = as_user(broker)
    assert broker_client.get("/api/v1/listings/partner/standing/").json()["badge"] == "revoked"
    strike = broker_client.get("/api/v1/listings/partner/strikes/").json()[0]
    assert strike["consequence"] == "badge_revoked"
    appealed = broker_client.post(
        f"/api/v1/listings/partner/strikes/{strike['id']}/appeal/",
        {"statement": "현장 사진을 첨부합니다", "evidence": [photo_file(seed=8)]},
        format="multipart",
    )
    assert appealed.status_code == 201, appealed.content
    services.appeal_decide(
        instance=Strike.objects.get(pk=strike["id"]).appeal, actor=agent, uphold=True, reason="증빙 확인"
    )
    api_client.force_authenticate(None)
    assert api_client.get(f"/api/v1/listings/{listing.pk}/").json()["broker"]["trusted_badge"] is True


def test_only_inspectors_use_the_inspection_api(as_user, consumer, agent):
    assert as_user(consumer).get("/api/v1/listings/inspections/").status_code == 403


def test_staff_read_risk_components(as_user, listing, agent):
    from listings.services.risk import listings_rescore

    listings_rescore()
    answer = as_user(agent).get(f"/api/v1/listings/{listing.pk}/risk/")
    assert answer.status_code == 200 and "price" in answer.json()["components"]


def test_token_login_and_idempotent_report(api_client, listing, consumer):
    token = api_client.post(
        "/api/v1/auth/token/", {"email": consumer.email, "password": PASSWORD}, format="json"
    )
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token.json()['token']}", HTTP_IDEMPOTENCY_KEY="k-1")
    first = api_client.post(f"/api/v1/listings/{listing.pk}/reports/", {"reason": "gone"}, format="json")
    second = api_client.post(f"/api/v1/listings/{listing.pk}/reports/", {"reason": "gone"}, format="json")
    assert first.status_code == second.status_code == 201
    assert second.headers.get("Idempotent-Replayed") == "true"


def test_staff_work_the_report_and_appeal_queues_through_the_api(
    as_user, badge_holder, listing, consumer, broker, inspector, agent
):
    report = services.report_file(listing=listing, reporter=consumer, reason="not_exist")
    services.report_respond(report=report, actor=broker, action="disputed", response="정상")
    client = as_user(agent)
    assert [row["id"] for row in client.get("/api/v1/listings/staff/reports/").json()] == [report.pk]
    sent = client.post(
        f"/api/v1/listings/staff/reports/{report.pk}/decide/",
        {"decision": "on_site", "note": "부재"},
        format="json",
    )
    assert sent.status_code == 200 and sent.json()["status"] == "on_site"
    strike = services.fake_confirm(listing=listing, actor=inspector, category="not_exist")
    services.appeal_file(strike=strike, actor=broker, statement="이의")
    appeal = client.get("/api/v1/listings/staff/appeals/").json()[0]
    same = as_user(inspector).post(
        f"/api/v1/listings/staff/appeals/{appeal['id']}/decide/",
        {"uphold": True, "reason": "..."},
        format="json",
    )
    assert same.status_code == 403
    decided = as_user(agent).post(
        f"/api/v1/listings/staff/appeals/{appeal['id']}/decide/",
        {"uphold": True, "reason": "확인"},
        format="json",
    )
    assert decided.status_code == 200 and decided.json()["status"] == "upheld"
    assert as_user(consumer).get("/api/v1/listings/staff/reports/").status_code == 403


def test_staff_open_the_campaign_through_the_api(as_user, listing, agent):
    opened = as_user(agent).post(
        "/api/v1/listings/campaigns/open/", {"seed": 11, "capacity": 5}, format="json"
    )
    assert opened.status_code == 201 and opened.json()["seed"] == 11
    assert as_user(agent).get("/api/v1/listings/campaigns/").json()[0]["id"] == opened.json()["id"]
