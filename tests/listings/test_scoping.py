"""Every brokerage sees only its own listings, reports, strikes and appeals; nobody learns who
reported; staff actions need the right group or permission."""

import pytest
from django.urls import reverse
from django.utils import translation

from listings import services
from listings.models import Inspection, Strike
from tests.factories import MembershipFactory, PartnerFactory
from trustplatform.notifications.models import Notification
from trustplatform.partners.models import Partner
from trustplatform.ui import korean

pytestmark = pytest.mark.django_db


@pytest.fixture
def as_user(api_client):
    def login(user):
        api_client.force_authenticate(user)
        return api_client

    return login


@pytest.fixture
def struck(listing, consumer, inspector):
    """A listing reported by the consumer, then confirmed fake on site: a strike against its brokerage."""
    report = services.report_file(listing=listing, reporter=consumer, reason="not_exist", visited=True)
    inspection = services.inspection_queue_open(listing=listing, actor=inspector)
    services.inspection_record(
        inspection=inspection, actor=inspector, outcome="fake", fake_category="not_exist"
    )
    return report, Strike.objects.get(listing=listing)


def test_another_brokerage_reaches_none_of_it(as_user, client, struck, listing, make_brokerage):
    report, strike = struck
    rival = make_brokerage()
    rival_user = rival.memberships.get().user
    api = as_user(rival_user)
    base = "/api/v1/listings/partner"
    for answer in (
        api.get(f"{base}/listings/{listing.pk}/"),
        api.get(f"{base}/listings/{listing.pk}/verifications/"),
        api.post(f"{base}/listings/{listing.pk}/close/", {"reason": "gone"}, format="json"),
        api.post(f"{base}/reports/{report.pk}/respond/", {"action": "gone"}, format="json"),
        api.post(f"{base}/strikes/{strike.pk}/appeal/", {"statement": "x"}, format="multipart"),
    ):
        assert answer.status_code == 404, answer.content
    assert api.get(f"{base}/reports/").json()["results"] == []
    assert api.get(f"{base}/strikes/").json() == []
    client.force_login(rival_user)
    for url in (
        reverse("listings_portal:detail", args=[listing.pk]),
        reverse("listings_portal:report", args=[report.pk]),
        reverse("listings_portal:appeal", args=[strike.pk]),
    ):
        assert client.get(url).status_code == 404, url
    assert strike.pk not in [s.pk for s in Strike.objects.filter(partner=rival)]


def test_a_partner_that_is_not_a_brokerage_is_refused(as_user, client):
    membership = MembershipFactory(partner=PartnerFactory(kind=Partner.Kind.LODGING))
    answer = as_user(membership.user).get("/api/v1/listings/partner/listings/")
    assert answer.status_code == 403 and answer.json()["code"] == "not_a_brokerage"
    client.force_login(membership.user)
    assert client.get(reverse("listings_portal:list")).status_code == 403


def test_the_reporter_is_named_nowhere_the_broker_looks(as_user, client, struck, broker, consumer):
    report, strike = struck
    answer = as_user(broker).get("/api/v1/listings/partner/reports/")
    row = answer.json()["results"][0]
    assert set(row) == {
        "id", "listing", "reason", "details", "status", "respond_by", "broker_action",
        "broker_response", "created_at",
    }  # fmt: skip
    strikes = as_user(broker).get("/api/v1/listings/partner/strikes/").content.decode()
    client.force_login(broker)
    pages = [
        client.get(reverse("listings_portal:report", args=[report.pk])).content.decode(),
        client.get(reverse("listings_portal:reports")).content.decode(),
        client.get(reverse("listings_portal:strikes")).content.decode(),
        client.get(reverse("listings_portal:detail", args=[report.listing_id])).content.decode(),
    ]
    notices = [f"{n.title} {n.body}" for n in Notification.objects.filter(user=broker)]
    assert notices
    for text in [strikes, *pages, *notices]:
        assert consumer.full_name not in text and consumer.email not in text


def test_consumers_see_only_their_own_reports_and_claims(as_user, client, struck, make_user, consumer):
    other = make_user()
    assert as_user(other).get("/api/v1/listings/reports/mine/").json()["results"] == []
    assert len(as_user(consumer).get("/api/v1/listings/reports/mine/").json()["results"]) == 1
    client.force_login(other)
    page = client.get(reverse("listings:my_reports")).content.decode()
    assert struck[0].listing.title not in page


def test_staff_actions_need_their_group_or_permission(as_user, client, struck, consumer, agent, inspector):
    report, strike = struck
    # A consumer and an agent outside the inspectors group get no inspector pages or API.
    for user in (consumer, agent):
        client.force_login(user)
        assert client.get(reverse("listings:inspector_queue")).status_code in (302, 403)
        assert as_user(user).get("/api/v1/listings/inspections/").status_code == 403
    # A consumer reaches no staff queue; an inspector reads the queue but decides nothing.
    assert as_user(consumer).get("/api/v1/listings/staff/reports/").status_code == 403
    assert as_user(consumer).get(f"/api/v1/listings/{report.listing_id}/risk/").status_code == 403
    decided = as_user(inspector).post(
        f"/api/v1/listings/staff/reports/{report.pk}/decide/",
        {"decision": "reject", "note": "x"},
        format="json",
    )
    assert decided.status_code == 403 and decided.json()["code"] == "forbidden"
    appeal = services.appeal_file(
        strike=strike, actor=strike.partner.memberships.get().user, statement="사진은 진짜입니다"
    )
    # The inspector who confirmed the fake may not decide its appeal.
    refused = as_user(inspector).post(
        f"/api/v1/listings/staff/appeals/{appeal.pk}/decide/", {"uphold": True, "reason": "x"}, format="json"
    )
    assert refused.status_code == 403
    assert as_user(inspector).post("/api/v1/listings/campaigns/open/", {}, format="json").status_code == 403


def test_the_portal_shows_each_strike_its_suspension_and_the_lifting(
    client, brokerage, make_listing, broker, inspector, agent
):
    services.fake_confirm(listing=make_listing(brokerage), actor=inspector, category="gone")
    second = services.fake_confirm(listing=make_listing(brokerage), actor=inspector, category="price_bait")
    client.force_login(broker)
    page = client.get(reverse("listings_portal:strikes")).content.decode()
    with translation.override("ko"):
        assert str(Inspection.FakeCategory.PRICE_BAIT.label) in page and "price_bait" not in page
    assert page.count("data-suspension") == 1 and "data-standing" in page
    appeal = services.appeal_file(strike=second, actor=broker, statement="계약서 첨부")
    services.appeal_decide(instance=appeal, actor=agent, uphold=True, reason="계약서로 확인")
    page = client.get(reverse("listings_portal:strikes")).content.decode()
    suspension = second.suspensions.get()
    with translation.override("ko"):  # the page's language: Korean dates, as Korean users read them
        assert korean.day(suspension.lifted_at) in page.split("data-suspension")[1]
