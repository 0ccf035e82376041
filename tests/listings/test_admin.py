import pytest
from django.utils import timezone

from listings import services
from listings.models import Appeal, BrokerStanding, Campaign, Report
from listings.services.risk import listings_rescore

pytestmark = pytest.mark.django_db

PAGES = [
    "listing",
    "riskscore",
    "verification",
    "report",
    "reporterstanding",
    "wastedtripclaim",
    "inspection",
    "campaign",
    "brokerstanding",
    "strike",
    "appeal",
]


@pytest.fixture
def superuser(make_user):
    return make_user(is_staff=True, is_superuser=True)


def test_every_listings_admin_page_renders(client, superuser, listing, consumer, agent, broker):
    services.report_file(listing=listing, reporter=consumer, reason="gone")
    strike = services.fake_confirm(listing=listing, actor=agent, category="gone")
    services.appeal_file(strike=strike, actor=broker, statement="이의")
    listings_rescore()
    client.force_login(superuser)
    for name in PAGES:
        changelist = client.get(f"/admin/listings/{name}/")
        assert changelist.status_code == 200, name
    assert client.get(f"/admin/listings/listing/{listing.pk}/change/").status_code == 200
    assert client.get(f"/admin/listings/appeal/{strike.appeal.pk}/change/").status_code == 200


def test_agent_decides_an_appeal_with_the_admin_button(client, listing, broker, inspector, agent):
    strike = services.fake_confirm(listing=listing, actor=inspector, category="gone")
    appeal = services.appeal_file(strike=strike, actor=broker, statement="이의")
    client.force_login(agent)
    page = client.get(f"/admin/listings/appeal/{appeal.pk}/change/")
    assert page.status_code == 200 and "_fsm_transition_to" in page.content.decode()
    form = client.get(f"/admin/listings/appeal/{appeal.pk}/transition/uphold/")
    assert form.status_code == 200
    done = client.post(f"/admin/listings/appeal/{appeal.pk}/transition/uphold/", {"reason": "계약서 확인"})
    assert done.status_code == 302
    assert Appeal.objects.get(pk=appeal.pk).status == "upheld"


def test_staff_open_a_campaign_from_the_admin(client, superuser, listing):
    listings_rescore()
    client.force_login(superuser)
    month = timezone.localdate().replace(day=1)
    answer = client.post(
        "/admin/listings/campaign/add/", {"month": month.isoformat(), "seed": "5", "capacity": "3"}
    )
    assert answer.status_code == 302, answer.content.decode()[:2000]
    campaign = Campaign.objects.get()
    assert campaign.seed == 5 and campaign.inspections.count() == 1


def test_agent_rejects_a_false_report_from_the_queue(client, listing, consumer, agent):
    report = services.report_file(listing=listing, reporter=consumer, reason="not_exist")
    client.force_login(agent)
    assert client.get("/admin/listings/report/?queue=broker").status_code == 200
    client.post(
        f"/admin/listings/report/{report.pk}/transition/reject/", {"reason": "허위", "false_report": "on"}
    )
    report.refresh_from_db()
    assert report.status == Report.Status.AWAITING_BROKER  # the broker answers first
    Report.objects.filter(pk=report.pk).update(respond_by=timezone.now())
    client.post(
        f"/admin/listings/report/{report.pk}/transition/reject/", {"reason": "허위", "false_report": "on"}
    )
    report.refresh_from_db()
    assert report.status == Report.Status.REJECTED and report.false_report


def test_staff_grant_the_badge_with_a_reason(client, brokerage, agent):
    standing = services.common.standing_get(brokerage)
    client.force_login(agent)
    url = f"/admin/listings/brokerstanding/{standing.pk}/transition/staff_grant/"
    assert client.post(url, {"reason": ""}).status_code == 200  # the form again: a reason is required
    assert BrokerStanding.objects.get(pk=standing.pk).badge == "none"
    client.post(url, {"reason": "10년 무사고 사무소, 서류 확인"})
    standing = BrokerStanding.objects.get(pk=standing.pk)
    assert standing.badge == "held" and standing.badge_decision == "granted"
    assert standing.badge_decided_by == agent
    assert standing.badge_decision_note == "10년 무사고 사무소, 서류 확인"


def test_staff_revoke_then_hand_back_to_the_rule_from_the_admin(client, badge_holder, agent):
    client.force_login(agent)
    base = f"/admin/listings/brokerstanding/{badge_holder.pk}"
    assert client.get(f"{base}/change/").status_code == 200
    client.post(f"{base}/transition/staff_revoke/", {"reason": "민원 다수"})
    standing = BrokerStanding.objects.get(pk=badge_holder.pk)
    assert (standing.badge, standing.badge_decision) == ("revoked", "withheld")
    client.post(f"{base}/transition/staff_lift/", {"reason": "재검토 완료"})
    assert BrokerStanding.objects.get(pk=badge_holder.pk).badge_decision == "rule"


def test_the_old_direct_grant_button_is_gone(client, brokerage, agent):
    standing = services.common.standing_get(brokerage)
    client.force_login(agent)
    client.post(f"/admin/listings/brokerstanding/{standing.pk}/change/", {"_fsm_transition_to": "grant"})
    assert BrokerStanding.objects.get(pk=standing.pk).badge == "none"
