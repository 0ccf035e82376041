from datetime import timedelta

import pytest
from django.db import DatabaseError, transaction
from django.utils import timezone

from listings import services
from listings.errors import ListingError
from listings.models import Appeal, BrokerStanding, Listing, Report, Strike, Suspension
from tests.factories import UserFactory
from trustplatform.audit.models import AuditEntry
from trustplatform.errors import DomainError
from trustplatform.notifications.models import Notification

pytestmark = pytest.mark.django_db


def _standing(partner) -> BrokerStanding:
    return BrokerStanding.objects.get(partner=partner)


def test_first_confirmed_fake_revokes_the_badge_with_audit_and_notice(badge_holder, listing, agent, broker):
    strike = services.fake_confirm(listing=listing, actor=agent, category="not_exist", note="no such flat")

    standing = _standing(listing.partner)
    assert standing.badge == BrokerStanding.Badge.REVOKED
    assert standing.revoked_by_strike_id == strike.pk
    assert strike.consequence == "badge_revoked"
    assert strike.severity == Strike.Severity.MAJOR
    listing.refresh_from_db()
    assert listing.status == Listing.Status.REMOVED
    assert AuditEntry.objects.filter(object_id=str(standing.pk), action="revoke", target="revoked").exists()
    assert Notification.objects.filter(user=broker, title__contains="안심중개사").exists()
    assert not Suspension.objects.exists()  # the first strike is a warning: no suspension


def test_confirming_the_same_listing_twice_gives_one_strike(badge_holder, listing, agent):
    first = services.fake_confirm(listing=listing, actor=agent, category="gone")
    second = services.fake_confirm(listing=listing, actor=agent, category="gone")
    assert first.pk == second.pk
    assert Strike.objects.count() == 1


def test_further_strikes_escalate_to_suspensions_then_removal(brokerage, make_listing, agent, settings):
    settings.LISTINGS_STRIKE_SUSPENSION_DAYS = [3, 7, 30]
    bystander = make_listing(brokerage, title="멀쩡한 매물")
    consequences = []
    fakes = [make_listing(brokerage) for _number in range(5)]
    for fake in fakes:
        consequences.append(services.fake_confirm(listing=fake, actor=agent, category="gone").consequence)
    assert consequences == ["warning", "suspended_3d", "suspended_7d", "suspended_30d", "removed"]
    standing = _standing(brokerage)
    assert standing.removed_at is not None
    bystander.refresh_from_db()
    assert bystander.status == Listing.Status.REMOVED
    with pytest.raises(ListingError) as refused:
        make_listing(brokerage)
    assert refused.value.code == "brokerage_removed"


def test_a_suspended_brokerage_cannot_publish(brokerage, make_listing, agent):
    for fake in [make_listing(brokerage), make_listing(brokerage)]:
        services.fake_confirm(listing=fake, actor=agent, category="gone")
    standing = _standing(brokerage)
    assert standing.is_suspended
    assert standing.posting_suspended_until > timezone.now() + timedelta(days=2)
    draft = make_listing(brokerage, publish=False)
    with pytest.raises(ListingError) as refused:
        services.listing_publish(listing=draft, actor=draft.created_by)
    assert refused.value.code == "posting_suspended"


def test_three_strikes_in_a_month_flag_the_office_for_public_notice(brokerage, make_listing, agent):
    fakes = [make_listing(brokerage) for _number in range(3)]
    for number, fake in enumerate(fakes):
        services.fake_confirm(listing=fake, actor=agent, category="gone")
        assert (_standing(brokerage).public_notice_at is not None) == (number == 2)
    assert AuditEntry.objects.filter(action="public_notice").count() == 1


def test_upheld_appeal_overrules_restores_badge_and_lifts_suspension(
    badge_holder, brokerage, make_listing, broker, inspector, agent, staff_in
):
    first = services.fake_confirm(listing=make_listing(brokerage), actor=inspector, category="gone")
    second = services.fake_confirm(listing=make_listing(brokerage), actor=inspector, category="gone")
    assert _standing(brokerage).is_suspended
    for strike in (first, second):
        appeal = services.appeal_file(strike=strike, actor=broker, statement="계약 직후라 내리지 못했습니다")
        services.appeal_decide(instance=appeal, actor=agent, uphold=True, reason="계약서로 확인")
    standing = _standing(brokerage)
    assert standing.badge == BrokerStanding.Badge.HELD
    assert not standing.is_suspended
    assert Suspension.objects.get().lifted_at is not None
    assert set(Strike.objects.values_list("status", flat=True)) == {"overruled"}
    assert Strike.objects.count() == 2  # overruled, never deleted
    reinstated = Listing.objects.get(pk=first.listing_id)
    assert reinstated.status == Listing.Status.PUBLISHED


def test_badge_stays_revoked_while_another_strike_stands(
    badge_holder, brokerage, make_listing, broker, inspector, agent
):
    first = services.fake_confirm(listing=make_listing(brokerage), actor=inspector, category="gone")
    services.fake_confirm(listing=make_listing(brokerage), actor=inspector, category="gone")
    appeal = services.appeal_file(strike=first, actor=broker, statement="오류입니다")
    services.appeal_decide(instance=appeal, actor=agent, uphold=True, reason="확인")
    assert _standing(brokerage).badge == BrokerStanding.Badge.REVOKED


def test_the_inspector_who_confirmed_cannot_decide_the_appeal(badge_holder, listing, broker, inspector):
    inspector.groups.add(
        *__import__("django.contrib.auth.models", fromlist=["Group"]).Group.objects.filter(name="agents")
    )
    strike = services.fake_confirm(listing=listing, actor=inspector, category="gone")
    appeal = services.appeal_file(strike=strike, actor=broker, statement="아닙니다")
    with pytest.raises(ListingError) as refused:
        services.appeal_decide(instance=appeal, actor=inspector, uphold=True, reason="...")
    assert refused.value.code == "same_decider"


def test_the_database_refuses_a_decision_by_the_confirmer(badge_holder, listing, broker, inspector):
    strike = services.fake_confirm(listing=listing, actor=inspector, category="gone")
    appeal = services.appeal_file(strike=strike, actor=broker, statement="아닙니다")
    with pytest.raises(DatabaseError), transaction.atomic():
        Appeal.objects.filter(pk=appeal.pk).update(decided_by=inspector)


def test_appeal_after_the_window_is_refused(listing, broker, agent, settings):
    strike = services.fake_confirm(listing=listing, actor=agent, category="gone")
    Strike.objects.filter(pk=strike.pk).update(issued_at=timezone.now() - timedelta(days=21))
    strike.refresh_from_db()
    with pytest.raises(ListingError) as refused:
        services.appeal_file(strike=strike, actor=broker, statement="늦었지만")
    assert refused.value.code == "appeal_window_closed"


def test_one_appeal_per_strike_and_only_members_appeal(listing, broker, agent):
    strike = services.fake_confirm(listing=listing, actor=agent, category="gone")
    with pytest.raises(ListingError):
        services.appeal_file(strike=strike, actor=UserFactory(), statement="남의 일")
    services.appeal_file(strike=strike, actor=broker, statement="첫 이의")
    with pytest.raises(ListingError) as refused:
        services.appeal_file(strike=strike, actor=broker, statement="두 번째")
    assert refused.value.code == "already_appealed"


def test_rejected_appeal_keeps_everything(badge_holder, listing, broker, inspector, agent):
    strike = services.fake_confirm(listing=listing, actor=inspector, category="gone")
    appeal = services.appeal_file(strike=strike, actor=broker, statement="아닙니다")
    services.appeal_decide(instance=appeal, actor=agent, uphold=False, reason="사진 증거가 명확")
    strike.refresh_from_db()
    assert strike.status == Strike.Status.ACTIVE
    assert _standing(listing.partner).badge == BrokerStanding.Badge.REVOKED


def test_strikes_are_never_deleted(listing, agent):
    strike = services.fake_confirm(listing=listing, actor=agent, category="gone")
    with pytest.raises(DatabaseError), transaction.atomic():
        Strike.objects.filter(pk=strike.pk).delete()


def test_strikes_expire_after_twelve_months_and_stop_counting(brokerage, make_listing, agent):
    old = services.fake_confirm(listing=make_listing(brokerage), actor=agent, category="gone")
    Strike.objects.filter(pk=old.pk).update(
        issued_at=timezone.now() - timedelta(days=400), expires_at=timezone.now() - timedelta(days=35)
    )
    assert services.strikes_expire_due() == 1
    assert Strike.objects.get(pk=old.pk).status == Strike.Status.EXPIRED
    fresh = services.fake_confirm(listing=make_listing(brokerage), actor=agent, category="gone")
    assert fresh.consequence == "warning"  # the expired one no longer counts


def test_confirmed_fake_upholds_open_reports(listing, agent, consumer):
    report = services.report_file(listing=listing, reporter=consumer, reason="not_exist")
    services.fake_confirm(listing=listing, actor=agent, category="not_exist")
    report.refresh_from_db()
    assert report.status == Report.Status.UPHELD
    assert consumer.reporter_standing.upheld_count == 1


def test_granting_a_badge_already_held_is_a_clear_refusal(badge_holder, agent):
    with pytest.raises(DomainError) as refused:
        services.badge_grant(instance=badge_holder, actor=agent, reason="다시")
    assert refused.value.code == "invalid_transition"
