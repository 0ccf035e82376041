"""Real parallel confirmations on PostgreSQL: the standing row lock serialises them."""

import pytest

from listings import services
from listings.models import BrokerStanding, Listing, Strike, Suspension
from tests.race import race
from trustplatform.audit.models import AuditEntry

pytestmark = pytest.mark.django_db(transaction=True)


def test_concurrent_confirmations_count_strikes_right_and_revoke_once(
    badge_holder, brokerage, make_listing, inspector
):
    fakes = [make_listing(brokerage) for _ in range(2)]

    outcomes = race(
        lambda index: services.fake_confirm(
            listing=Listing.objects.get(pk=fakes[index].pk), actor=inspector, category="not_exist"
        ),
        2,
    )

    assert all(isinstance(outcome, Strike) for outcome in outcomes), outcomes
    assert Strike.objects.filter(partner=brokerage, status="active").count() == 2
    assert sorted(outcome.consequence for outcome in outcomes) == ["badge_revoked", "suspended_3d"]
    standing = BrokerStanding.objects.get(partner=brokerage)
    assert standing.badge == BrokerStanding.Badge.REVOKED
    assert AuditEntry.objects.filter(object_id=str(standing.pk), action="revoke").count() == 1
    assert Suspension.objects.filter(partner=brokerage).count() == 1


def test_concurrent_confirmations_of_one_listing_give_one_strike(badge_holder, listing, inspector, agent):
    outcomes = race(
        lambda index: services.fake_confirm(
            listing=Listing.objects.get(pk=listing.pk), actor=(inspector, agent)[index], category="gone"
        ),
        2,
    )
    assert len({outcome.pk for outcome in outcomes}) == 1
    assert Strike.objects.count() == 1


def test_concurrent_reports_by_one_consumer_leave_one_open(listing, consumer):
    outcomes = race(
        lambda index: services.report_file(
            listing=Listing.objects.get(pk=listing.pk), reporter=consumer, reason="gone"
        ),
        4,
    )
    created = [outcome for outcome in outcomes if not isinstance(outcome, Exception)]
    assert len(created) == 1
    assert {getattr(outcome, "code", None) for outcome in outcomes if isinstance(outcome, Exception)} == {
        "already_reported"
    }


def test_control_without_the_standing_lock_the_count_goes_wrong(
    monkeypatch, badge_holder, brokerage, make_listing, inspector
):
    """The same race with the row lock taken out, and both confirmations made to count before either
    commits: each sees only its own strike, so the second is never escalated (or fails outright)."""
    import threading

    from listings.models import BrokerStanding as Standing
    from listings.services import standing as standing_services

    fakes = [make_listing(brokerage) for _ in range(2)]
    barrier = threading.Barrier(2, timeout=20)
    original = standing_services._active_strikes

    class CountThenWait:
        def __init__(self, partner_id):
            self.queryset = original(partner_id)

        def count(self):
            counted = self.queryset.count()
            barrier.wait()
            return counted

    monkeypatch.setattr(
        standing_services,
        "standing_lock",
        lambda partner_id: Standing.objects.get_or_create(partner_id=partner_id)[0],
    )
    monkeypatch.setattr(standing_services, "_active_strikes", CountThenWait)

    race(
        lambda index: services.fake_confirm(
            listing=Listing.objects.get(pk=fakes[index].pk), actor=inspector, category="not_exist"
        ),
        2,
    )

    strikes = Strike.objects.filter(partner=brokerage).count()
    suspensions = Suspension.objects.filter(partner=brokerage).count()
    assert (strikes, suspensions) != (2, 1)
