from datetime import timedelta

import pytest
from django.utils import timezone

from escrow.models import EscrowAgreement
from listings import services
from listings.models import Inspection, Report, Strike
from tests.listings.conftest import listing_data, photo_file
from tests.masking.factories import ProxyNumberFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def logged_in(client):
    def login(user):
        client.force_login(user)
        return client

    return login


def test_search_page_shows_level_and_badge(client, badge_holder, listing):
    page = client.get("/homes/", {"sigungu": "11440", "deal_type": "monthly"})
    assert page.status_code == 200
    html = page.content.decode()
    assert f'data-listing="{listing.pk}"' in html and "data-trusted-badge" in html
    assert client.get("/homes/", {"sigungu": "nonsense"}).status_code == 200


def test_listing_page_badge_goes_with_a_confirmed_fake_and_returns_on_appeal(
    client, badge_holder, listing, broker, inspector, agent
):
    assert "data-trusted-badge" in client.get(f"/homes/{listing.pk}/").content.decode()
    strike = services.fake_confirm(listing=listing, actor=inspector, category="not_exist")
    html = client.get(f"/homes/{listing.pk}/").content.decode()
    assert "data-trusted-badge" not in html and "data-confirmed-fake" in html
    client.force_login(broker)
    assert 'data-badge-state="revoked"' in client.get("/portal/listings/strikes/").content.decode()
    appeal = services.appeal_file(strike=strike, actor=broker, statement="계약서 첨부")
    services.appeal_decide(instance=appeal, actor=agent, uphold=True, reason="확인")
    assert "data-trusted-badge" in client.get("/portal/listings/strikes/").content.decode()
    client.logout()
    assert "data-trusted-badge" in client.get(f"/homes/{listing.pk}/").content.decode()


def test_report_page_files_once(logged_in, listing, consumer):
    client = logged_in(consumer)
    answer = client.post(
        f"/homes/{listing.pk}/report/", {"reason": "gone", "details": "이미 나감", "visited": "on"}
    )
    assert answer.status_code == 302
    again = client.post(f"/homes/{listing.pk}/report/", {"reason": "price"})
    assert again.status_code == 200 and 'role="alert"' in again.content.decode()
    assert Report.objects.count() == 1
    assert "data-report" in client.get("/homes/my-reports/").content.decode()


def test_portal_report_pages_never_show_the_reporter(logged_in, listing, consumer, broker):
    consumer.full_name = "신고자홍길동"
    consumer.save()
    report = services.report_file(listing=listing, reporter=consumer, reason="price", details="가격 다름")
    client = logged_in(broker)
    for url in (
        "/portal/listings/reports/",
        f"/portal/listings/reports/{report.pk}/",
        f"/portal/listings/{listing.pk}/",
    ):
        html = client.get(url).content.decode()
        assert "신고자홍길동" not in html and consumer.email not in html
    answered = client.post(
        f"/portal/listings/reports/{report.pk}/", {"action": "disputed", "response": "정상 매물"}
    )
    assert answered.status_code == 302
    report.refresh_from_db()
    assert report.status == Report.Status.IN_REVIEW


def test_portal_creates_publishes_and_photographs_a_listing(logged_in, broker):
    client = logged_in(broker)
    data = {key: value for key, value in listing_data().items()}
    data["publish"] = "on"
    created = client.post("/portal/listings/new/", data)
    assert created.status_code == 302, created.content.decode()[:2000]
    listing_id = int(created["Location"].rstrip("/").split("/")[-1])
    uploaded = client.post(f"/portal/listings/{listing_id}/photos/", {"image": photo_file(seed=3)})
    assert uploaded.status_code == 302
    page = client.get(f"/portal/listings/{listing_id}/").content.decode()
    assert 'data-status="published"' in page and "<img" in page


def test_other_brokerages_listing_is_not_found_in_the_portal(logged_in, make_brokerage, make_listing, broker):
    other = make_listing(make_brokerage())
    assert logged_in(broker).get(f"/portal/listings/{other.pk}/").status_code == 404


def test_inspector_records_a_fake_from_the_phone_page(logged_in, badge_holder, listing, inspector, consumer):
    inspection = services.inspection_queue_open(listing=listing, actor=inspector)
    assert logged_in(consumer).get("/homes/inspections/").status_code == 403
    client = logged_in(inspector)
    assert f'data-inspection="{inspection.pk}"' in client.get("/homes/inspections/").content.decode()
    answer = client.post(
        f"/homes/inspections/{inspection.pk}/",
        {
            "outcome": "fake",
            "fake_category": "wrong_photos",
            "note": "다른 집 사진",
            "visited_at": timezone.now().isoformat(),
            "latitude": "37.556312",
            "longitude": "126.922041",
            "accuracy_m": "9",
            "photos": [photo_file(seed=1), photo_file(seed=2)],
        },
    )
    assert answer.status_code == 302, answer.content.decode()[:3000]
    inspection.refresh_from_db()
    assert inspection.outcome == "fake" and inspection.photos.count() == 2
    assert Strike.objects.get(listing=listing).inspection_id == inspection.pk


def test_owner_link_page_confirms(client, listing, broker):
    verification = services.verification_request(
        listing=listing, actor=broker, level=2, owner_phone="01022223333"
    )
    url = f"/homes/verify/{services.owner_link_token(verification)}/"
    assert client.get(url).status_code == 200
    client.post(url, {"answer": "yes"})
    listing.refresh_from_db()
    assert listing.verification_level == 2
    assert client.get("/homes/verify/not-a-token/").status_code == 404


def test_contact_gives_a_safe_number(logged_in, listing, consumer):
    ProxyNumberFactory(e164="+825051000001")
    ProxyNumberFactory(e164="+825051000002")
    consumer.phone = "+821077778888"
    consumer.phone_verified_at = timezone.now()
    consumer.save()
    page = logged_in(consumer).post(f"/homes/{listing.pk}/contact/")
    html = page.content.decode()
    assert "data-safe-number" in html and "7777" not in html and "5555" not in html


def test_deposit_starts_an_escrow_agreement(logged_in, listing, landlord, consumer):
    answer = logged_in(consumer).post(
        f"/homes/{listing.pk}/deposit/",
        {"move_in_date": (timezone.localdate() + timedelta(days=20)).isoformat()},
    )
    assert answer.status_code == 302
    agreement = EscrowAgreement.objects.get(payer=consumer)
    assert agreement.amount_krw == listing.deposit_krw and agreement.status == "proposed"
    assert agreement.template == EscrowAgreement.Template.RENTAL_DEPOSIT
    assert (agreement.payee, agreement.broker) == (landlord, listing.partner)


def test_appeal_page_files_with_evidence(logged_in, listing, broker, agent):
    strike = services.fake_confirm(listing=listing, actor=agent, category="gone")
    client = logged_in(broker)
    answer = client.post(
        f"/portal/listings/strikes/{strike.pk}/appeal/",
        {"statement": "계약 당일 내렸습니다", "evidence": [photo_file(seed=5)]},
    )
    assert answer.status_code == 302
    assert strike.appeal.evidence.count() == 1


def test_inspection_queue_is_ordered_by_priority(logged_in, brokerage, make_listing, inspector):
    low = services.inspection_queue_open(listing=make_listing(brokerage), actor=inspector, priority=1)
    high = services.inspection_queue_open(listing=make_listing(brokerage), actor=inspector, priority=90)
    html = logged_in(inspector).get("/homes/inspections/").content.decode()
    assert html.index(f'data-inspection="{high.pk}"') < html.index(f'data-inspection="{low.pk}"')
    assert Inspection.objects.count() == 2


def test_cached_search_pages_drop_the_badge_at_once(
    client, badge_holder, listing, inspector, django_capture_on_commit_callbacks
):
    url = "/homes/?sigungu=11440&deal_type=monthly"
    assert "data-trusted-badge" in client.get(url).content.decode()
    assert "data-trusted-badge" in client.get(url).content.decode()  # now from the cache
    other = services.listing_create(
        partner=listing.partner, actor=listing.created_by, data=listing_data(), publish=True
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.fake_confirm(listing=other, actor=inspector, category="not_exist")
    html = client.get(url).content.decode()
    assert "data-trusted-badge" not in html and f'data-listing="{other.pk}"' not in html


def test_sweep_task_runs_every_due_step(listing, consumer):
    from listings.tasks import listings_sweep

    report = services.report_file(listing=listing, reporter=consumer, reason="gone")
    Report.objects.filter(pk=report.pk).update(respond_by=timezone.now() - timedelta(hours=1))
    listings_sweep()
    report.refresh_from_db()
    assert report.status == Report.Status.IN_REVIEW


def test_asking_twice_reuses_the_safe_number(logged_in, listing, consumer):
    from listings.models import ListingContact

    ProxyNumberFactory(e164="+825051000011")
    ProxyNumberFactory(e164="+825051000012")
    consumer.phone = "+821077778899"
    consumer.phone_verified_at = timezone.now()
    consumer.save()
    client = logged_in(consumer)
    first = client.post(f"/homes/{listing.pk}/contact/").content.decode()
    second = client.post(f"/homes/{listing.pk}/contact/").content.decode()
    number = first.split("data-safe-number>")[1].split("<")[0]
    assert number and number in second
    assert ListingContact.objects.filter(listing=listing, consumer=consumer).count() == 1
