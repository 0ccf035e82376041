"""The 안심중개사 badge by rule: granted and revoked nightly, taken at once by a confirmed fake and kept
away through the clean period, and staff decisions that hold over the rule until staff lift them."""

import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext, gettext_lazy, ngettext

from listings import services, tasks
from listings.errors import ListingError
from listings.models import BrokerStanding, Listing, Strike
from listings.services.badges import BadgeRun
from trustplatform.audit.models import AuditEntry
from trustplatform.errors import DomainError
from trustplatform.notifications.models import Notification
from trustplatform.notifications.phrase import language_of

pytestmark = pytest.mark.django_db


def _standing(partner) -> BrokerStanding:
    return BrokerStanding.objects.get(partner=partner)


def _age(partner, days: int) -> None:
    """The brokerage was approved `days` ago."""
    type(partner).objects.filter(pk=partner.pk).update(
        created_at=timezone.now() - timedelta(days=days), decided_at=timezone.now() - timedelta(days=days)
    )


def _verify(listing: Listing) -> None:
    Listing.objects.filter(pk=listing.pk).update(
        verification_level=1, verification_expires_at=timezone.now() + timedelta(days=30)
    )


@pytest.fixture
def inspected(inspector):
    """A listing inspected on site and found genuine (which also verifies it on site)."""

    def inspect(listing: Listing) -> None:
        inspection = services.inspection_queue_open(listing=listing, actor=inspector)
        services.inspection_record(inspection=inspection, actor=inspector, outcome="genuine")

    return inspect


@pytest.fixture
def qualifying(brokerage, make_listing, inspected):
    """An office that meets every criterion by the defaults: approved 200 days ago, four live listings,
    three of them verified (one on site, found genuine)."""
    listings = [make_listing(brokerage, title=f"매물 {number}") for number in range(4)]
    inspected(listings[0])
    _verify(listings[1])
    _verify(listings[2])
    _age(brokerage, 200)
    brokerage.test_listings = listings
    return brokerage


def test_the_defaults_are_six_months_clean_half_verified_one_inspection_three_listings():
    assert settings.LISTINGS_BADGE_CLEAN_DAYS == 182
    assert settings.LISTINGS_BADGE_MIN_VERIFIED_PERCENT == 50
    assert settings.LISTINGS_BADGE_MIN_INSPECTIONS_PASSED == 1
    assert settings.LISTINGS_BADGE_MIN_LIVE_LISTINGS == 3


def test_the_rule_grants_the_badge_with_an_audit_trail_and_tells_the_owners(qualifying, broker):
    assert services.badges_evaluate() == BadgeRun(granted=1, revoked=0)
    standing = _standing(qualifying)
    assert standing.badge == BrokerStanding.Badge.HELD
    assert standing.badge_decision == BrokerStanding.Decision.RULE  # still the rule's to take back
    audit = AuditEntry.objects.get(object_id=str(standing.pk), action="badge_rule_granted")
    assert audit.extra["live_listings"] == 4 and audit.extra["inspections_passed"] == 1
    assert AuditEntry.objects.filter(object_id=str(standing.pk), action="grant", actor__isnull=True).exists()
    assert Notification.objects.filter(user=broker, url="/portal/listings/badge/").count() == 1


def test_evaluating_twice_changes_nothing_and_tells_no_one_twice(qualifying, broker):
    services.badges_evaluate()
    notices, audits = Notification.objects.count(), AuditEntry.objects.count()
    assert services.badges_evaluate() == BadgeRun()
    assert tasks.badges_evaluate() == {"granted": 0, "revoked": 0}
    assert (Notification.objects.count(), AuditEntry.objects.count()) == (notices, audits)
    assert _standing(qualifying).badge == BrokerStanding.Badge.HELD


def test_the_rule_revokes_the_badge_when_a_criterion_is_no_longer_met(qualifying, broker):
    services.badges_evaluate()
    for listing in qualifying.test_listings[2:]:
        services.listing_close(listing=listing, actor=broker, reason="deal_closed")
    assert services.badges_evaluate() == BadgeRun(granted=0, revoked=1)
    standing = _standing(qualifying)
    assert standing.badge == BrokerStanding.Badge.REVOKED and standing.revoked_by_strike_id is None
    assert AuditEntry.objects.filter(object_id=str(standing.pk), action="badge_rule_revoked").exists()
    notice = Notification.objects.filter(user=broker).latest("pk")
    with translation.override(language_of(broker)):
        assert str(gettext_lazy("Live listings")) in notice.body  # the missed criterion, in their language


@pytest.mark.parametrize(
    "spoil",
    [
        pytest.param(lambda office, listings: _age(office, 100), id="too_young"),
        pytest.param(
            lambda office, listings: Listing.objects.filter(pk__in=[x.pk for x in listings[1:3]]).update(
                verification_level=0
            ),
            id="too_few_verified",
        ),
        pytest.param(
            lambda office, listings: Listing.objects.filter(pk__in=[x.pk for x in listings[1:3]]).update(
                verification_expires_at=timezone.now() - timedelta(days=1)
            ),
            id="verifications_lapsed",
        ),
        pytest.param(
            lambda office, listings: [
                services.listing_close(listing=listing, actor=office.owner, reason="deal_closed")
                for listing in listings[2:]
            ],
            id="too_few_live_listings",
        ),
    ],
)
def test_each_criterion_alone_keeps_the_badge_away(qualifying, spoil):
    spoil(qualifying, qualifying.test_listings)
    assert services.badges_evaluate() == BadgeRun()
    assert not BrokerStanding.objects.filter(partner=qualifying, badge=BrokerStanding.Badge.HELD).exists()


def test_an_office_without_a_passed_inspection_waits(brokerage, make_listing):
    for number in range(3):
        _verify(make_listing(brokerage, title=f"매물 {number}"))
    _age(brokerage, 400)
    assert services.badges_evaluate() == BadgeRun()


def test_a_confirmed_fake_revokes_at_once_and_the_rule_waits_out_the_clean_period(qualifying, agent):
    services.badges_evaluate()
    strike = services.fake_confirm(listing=qualifying.test_listings[3], actor=agent, category="gone")
    assert _standing(qualifying).badge == BrokerStanding.Badge.REVOKED  # at once, not at night
    # The strike itself has lapsed (as a shorter strike period would), but the clean period has not.
    Strike.objects.filter(pk=strike.pk).update(
        issued_at=timezone.now() - timedelta(days=100), expires_at=timezone.now() - timedelta(days=1)
    )
    assert services.badges_evaluate() == BadgeRun()
    assert _standing(qualifying).badge == BrokerStanding.Badge.REVOKED
    Strike.objects.filter(pk=strike.pk).update(issued_at=timezone.now() - timedelta(days=190))
    assert services.badges_evaluate() == BadgeRun(granted=1)
    standing = _standing(qualifying)
    assert standing.badge == BrokerStanding.Badge.HELD and standing.revoked_by_strike_id is None


def test_an_active_strike_keeps_the_badge_away_however_clean_the_period(qualifying, agent, settings):
    settings.LISTINGS_BADGE_CLEAN_DAYS = 30
    strike = services.fake_confirm(listing=qualifying.test_listings[3], actor=agent, category="gone")
    Strike.objects.filter(pk=strike.pk).update(issued_at=timezone.now() - timedelta(days=60))
    assert services.badges_evaluate() == BadgeRun()


def test_an_overruled_strike_does_not_count(qualifying, agent, broker):
    strike = services.fake_confirm(listing=qualifying.test_listings[3], actor=agent, category="gone")
    appeal = services.appeal_file(strike=strike, actor=broker, statement="계약 직후였습니다")
    services.appeal_decide(instance=appeal, actor=_other_agent(agent), uphold=True, reason="계약서 확인")
    assert services.badges_evaluate() == BadgeRun(granted=1)


def _other_agent(agent):
    from tests.factories import UserFactory

    other = UserFactory(is_staff=True)
    other.groups.set(agent.groups.all())
    return other


def test_a_staff_revoke_holds_over_the_rule_until_staff_lift_it(qualifying, agent, broker):
    services.badges_evaluate()
    standing = services.badge_revoke(instance=_standing(qualifying), actor=agent, reason="민원 확인 중")
    assert (standing.badge, standing.badge_decision) == ("revoked", "withheld")
    assert standing.badge_decided_by == agent and standing.badge_decision_note == "민원 확인 중"
    assert services.badges_evaluate() == BadgeRun()
    assert _standing(qualifying).badge == BrokerStanding.Badge.REVOKED
    standing = services.badge_decision_lift(instance=standing, actor=agent, reason="민원 해소")
    assert (standing.badge, standing.badge_decision) == ("held", "rule")  # the rule decided at once


def test_a_staff_revoke_also_withholds_a_badge_not_yet_held(qualifying, agent):
    services.badge_revoke(instance=services.common.standing_get(qualifying), actor=agent, reason="조사 중")
    assert services.badges_evaluate() == BadgeRun()
    assert _standing(qualifying).badge == BrokerStanding.Badge.NONE


def test_a_staff_grant_holds_when_the_rule_is_not_met(badge_holder, brokerage):
    assert badge_holder.badge_decision == BrokerStanding.Decision.GRANTED
    assert services.badges_evaluate() == BadgeRun()  # no listings, no history: the rule would say no
    assert _standing(brokerage).badge == BrokerStanding.Badge.HELD


def test_a_confirmed_fake_ends_a_staff_grant_and_the_rule_does_not_regrant(
    badge_holder, brokerage, listing, agent
):
    services.fake_confirm(listing=listing, actor=agent, category="not_exist")
    standing = _standing(brokerage)
    assert (standing.badge, standing.badge_decision) == ("revoked", "rule")
    _age(brokerage, 400)  # an old office; but the fake is today
    assert services.badges_evaluate() == BadgeRun()
    assert _standing(brokerage).badge == BrokerStanding.Badge.REVOKED


def test_an_upheld_appeal_does_not_restore_a_badge_staff_revoked(
    badge_holder, listing, broker, inspector, agent
):
    strike = services.fake_confirm(listing=listing, actor=inspector, category="gone")
    services.badge_revoke(instance=_standing(listing.partner), actor=agent, reason="별도 민원")
    appeal = services.appeal_file(strike=strike, actor=broker, statement="오해입니다")
    services.appeal_decide(instance=appeal, actor=agent, uphold=True, reason="확인")
    assert _standing(listing.partner).badge == BrokerStanding.Badge.REVOKED


def test_an_upheld_appeal_does_not_restore_a_badge_the_rule_took(qualifying, broker, inspector, agent):
    services.badges_evaluate()
    for listing in qualifying.test_listings[1:]:
        services.listing_close(listing=listing, actor=broker, reason="deal_closed")
    services.badges_evaluate()  # revoked by the rule: too few live listings
    strike = services.fake_confirm(listing=qualifying.test_listings[0], actor=inspector, category="gone")
    appeal = services.appeal_file(strike=strike, actor=broker, statement="오해입니다")
    services.appeal_decide(instance=appeal, actor=agent, uphold=True, reason="확인")
    assert _standing(qualifying).badge == BrokerStanding.Badge.REVOKED


@pytest.mark.parametrize("decide", ["badge_grant", "badge_revoke", "badge_decision_lift"])
def test_a_staff_decision_needs_a_reason(brokerage, agent, decide):
    with pytest.raises(ListingError) as refused:
        getattr(services, decide)(instance=services.common.standing_get(brokerage), actor=agent, reason=" ")
    assert refused.value.code == "reason_required"


def test_only_staff_who_decide_listings_may_decide_the_badge(brokerage, make_user):
    with pytest.raises(DomainError) as refused:
        services.badge_grant(
            instance=services.common.standing_get(brokerage), actor=make_user(is_staff=True), reason="임의"
        )
    assert refused.value.code == "transition_forbidden"
    assert _standing(brokerage).badge == BrokerStanding.Badge.NONE


def test_the_nightly_task_is_on_the_beat_schedule():
    entry = settings.CELERY_BEAT_SCHEDULE["listings-badges-evaluate"]
    assert entry["task"] == "listings.tasks.badges_evaluate"
    assert entry["schedule"].hour == {2}


def _row(html: str, key: str) -> str:
    match = re.search(rf'<tr data-criterion="{key}".*?</tr>', html, re.S)
    assert match, key
    return match.group(0)


@pytest.mark.parametrize("language", ["ko", "en"])
def test_the_portal_explains_each_criterion_with_the_office_value_and_the_threshold(
    client, qualifying, broker, agent, language
):
    services.fake_confirm(listing=qualifying.test_listings[3], actor=agent, category="gone")
    Strike.objects.update(issued_at=timezone.now() - timedelta(days=40), expires_at=timezone.now())
    client.force_login(broker)
    page = client.get("/portal/listings/badge/", HTTP_ACCEPT_LANGUAGE=language)
    assert page.status_code == 200
    html = page.content.decode()
    with translation.override(language):
        assert str(gettext_lazy("What you need for the badge")) in html
        clean = _row(html, "clean_days")
        assert (
            'data-met="no"' in clean and str(gettext_lazy("Days without a confirmed fake listing")) in clean
        )
        assert ngettext("%(count)s day", "%(count)s days", 40) % {"count": 40} in clean
        assert (
            gettext("at least %(amount)s")
            % {"amount": ngettext("%(count)s day", "%(count)s days", 182) % {"count": 182}}
            in clean
        )
    verified = _row(html, "verified_percent")  # three verified of the three still live
    assert 'data-met="yes"' in verified and "100%" in verified and "50%" in verified
    assert 'data-met="yes"' in _row(html, "inspections_passed")
    assert 'data-met="yes"' in _row(html, "live_listings") and 'data-met="yes"' in _row(
        html, "active_strikes"
    )
    assert 'data-badge-decision="rule"' in html and "data-all-met" not in html


def test_the_portal_says_so_when_staff_decided_and_links_the_page(client, brokerage, broker, agent):
    services.badge_revoke(
        instance=services.common.standing_get(brokerage), actor=agent, reason="현장 확인 필요"
    )
    client.force_login(broker)
    html = client.get("/portal/listings/badge/").content.decode()
    assert 'data-badge-decision="withheld"' in html and "현장 확인 필요" in html
    assert "/portal/listings/badge/" in client.get("/portal/listings/strikes/").content.decode()


def test_the_badge_page_is_for_brokerages_only(client, make_landlord):
    landlord = make_landlord()
    client.force_login(landlord.owner)
    page = client.get("/portal/listings/badge/")
    assert page.status_code == 302 and page["Location"] == "/portal/listings/landlord/"
