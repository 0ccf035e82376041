"""No-shows (services/no_shows.py): the money stays in trust while the guest may dispute; the guest
disputes once, within the window; an agent decides and the money follows the decision through the
ledger: the guest stayed → the property is paid in full; a no-show → settled as a same-day
cancellation under the property's policy."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from bookings.models import Booking, NoShowDispute
from bookings.services import no_shows, reviews, stay_marks
from bookings.services.common import check_in_at
from bookings.services.money import held_account
from tests.factories import UserFactory
from trustplatform.audit.models import AuditEntry
from trustplatform.errors import DomainError
from trustplatform.ledger.selectors import ledger_reconcile
from trustplatform.ledger.services import partner_payable
from trustplatform.notifications.models import Notification
from trustplatform.payments.models import Payment

from .factories import GuestFactory, PropertyFactory, RoomTypeFactory, confirmed_booking

pytestmark = pytest.mark.django_db


def refused(call) -> DomainError:
    with pytest.raises(DomainError) as caught:
        call()
    return caught.value


@pytest.fixture
def agent():
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name="agents"))
    return user


def _no_show(policy: str = "moderate", price: int = 100_000) -> Booking:
    prop = PropertyFactory(cancellation_policy=policy)
    booking = confirmed_booking(RoomTypeFactory(property=prop, price_krw=price), days_ahead=0, nights=1)
    # Marked at night: the dispute window runs from now, so pages and the guest see it open.
    at = max(timezone.now(), check_in_at(booking))
    return stay_marks.booking_no_show(booking=booking, actor=None, at=at)


def dispute_by_guest(booking: Booking, statement: str = "I was there") -> NoShowDispute:
    return no_shows.no_show_dispute_open(booking=booking, actor=booking.guest, statement=statement)


def test_a_no_show_holds_the_money_while_the_guest_may_dispute_it(settings):
    settings.BOOKINGS_NO_SHOW_DISPUTE_HOURS = 72
    booking = _no_show()
    assert held_account(booking).balance_krw == 100_000
    assert partner_payable(booking.property.partner).balance_krw == 0
    assert booking.no_show_dispute_ends_at == booking.finished_at + timedelta(hours=72)
    # The guest is told by text where to dispute it.
    assert Notification.objects.filter(user=booking.guest, title__contains="no-show").exists()
    almost = booking.finished_at + timedelta(hours=72) - timedelta(minutes=1)
    assert no_shows.no_shows_settle_due(now=almost) == 0
    assert held_account(booking).balance_krw == 100_000


def test_an_undisputed_no_show_is_settled_when_the_window_closes_under_the_policy(settings, settled):
    settings.BOOKINGS_NO_SHOW_DISPUTE_HOURS = 72
    booking = _no_show(policy="flexible")  # the check-in day: 50 % back
    with settled():
        assert no_shows.no_shows_settle_due(now=booking.no_show_dispute_ends_at) == 1
    booking.refresh_from_db()
    assert booking.settled_at is not None and booking.status == Booking.Status.NO_SHOW
    assert partner_payable(booking.property.partner).balance_krw == 50_000
    assert Payment.objects.get(booking=booking).refunded_krw == 50_000
    assert held_account(booking).balance_krw == 0
    # Once: the next beat finds nothing, and the guest can no longer dispute.
    assert no_shows.no_shows_settle_due(now=booking.no_show_dispute_ends_at + timedelta(hours=1)) == 0
    error = refused(lambda: dispute_by_guest(booking))
    assert error.code == "dispute_window_closed"
    assert ledger_reconcile() == []


def test_the_guest_disputes_once_and_only_their_own_booking_within_the_window(settings):
    booking = _no_show()
    other = GuestFactory()
    assert refused(lambda: no_shows.no_show_dispute_open(
        booking=booking, actor=other, statement="I came")).status == 404
    assert refused(lambda: no_shows.no_show_dispute_open(
        booking=booking, actor=booking.guest, statement="  ")).code == "statement_required"
    dispute = dispute_by_guest(booking, "밤 11시에 도착했어요")
    assert dispute.status == NoShowDispute.Status.OPEN
    again = refused(lambda: dispute_by_guest(booking))
    assert (again.status, again.code) == (409, "already_disputed")
    assert AuditEntry.objects.filter(object_id=str(dispute.pk), action="opened").exists()
    # A disputed no-show is never settled by the sweep: it waits for the agent.
    assert no_shows.no_shows_settle_due(now=timezone.now() + timedelta(days=30)) == 0
    assert held_account(booking).balance_krw == 100_000


def test_a_confirmed_or_completed_stay_cannot_be_disputed():
    booking = confirmed_booking(RoomTypeFactory(property=PropertyFactory()), days_ahead=0, nights=1)
    error = refused(lambda: dispute_by_guest(booking))
    assert error.code == "not_a_no_show"


def test_the_window_closes_after_the_hours(settings):
    settings.BOOKINGS_NO_SHOW_DISPUTE_HOURS = 1
    booking = _no_show()
    Booking.objects.filter(pk=booking.pk).update(finished_at=timezone.now() - timedelta(hours=1, minutes=1))
    booking.refresh_from_db()
    assert not no_shows.no_show_disputable(booking)
    error = refused(lambda: dispute_by_guest(booking))
    assert error.code == "dispute_window_closed"


def test_the_agent_finds_the_guest_stayed_the_property_is_paid_in_full_and_the_guest_may_review(agent):
    booking = _no_show(policy="flexible")
    dispute = no_shows.no_show_dispute_open(booking=booking, actor=booking.guest, statement="I stayed")
    no_shows.no_show_dispute_decide(dispute=dispute, actor=agent, stayed=True, reason="CCTV shows check-in")
    booking.refresh_from_db()
    dispute.refresh_from_db()
    assert dispute.status == NoShowDispute.Status.STAYED and dispute.decided_by == agent
    assert booking.status == Booking.Status.COMPLETED and booking.settled_at is not None
    assert partner_payable(booking.property.partner).balance_krw == 100_000
    assert Payment.objects.get(booking=booking).refunds.count() == 0
    assert reviews.review_open(booking, user=booking.guest)
    assert Notification.objects.filter(user=booking.guest, title__contains="you stayed").exists()
    assert ledger_reconcile() == []


def test_the_agent_confirms_the_no_show_and_the_policy_refund_goes_back(agent, settled):
    booking = _no_show(policy="flexible")
    dispute = no_shows.no_show_dispute_open(booking=booking, actor=booking.guest, statement="I was there")
    with settled():
        no_shows.no_show_dispute_decide(dispute=dispute, actor=agent, stayed=False, reason="Nobody came")
    booking.refresh_from_db()
    assert booking.status == Booking.Status.NO_SHOW and booking.settled_at is not None
    assert partner_payable(booking.property.partner).balance_krw == 50_000
    assert Payment.objects.get(booking=booking).refunded_krw == 50_000
    assert not reviews.review_open(booking, user=booking.guest)
    # Decided once.
    error = refused(lambda: no_shows.no_show_dispute_decide(dispute=dispute, actor=agent, stayed=True,
                                                            reason="changed my mind"))
    assert error.code == "invalid_transition"
    assert ledger_reconcile() == []


def test_a_strict_policy_no_show_pays_the_property_everything(agent):
    booking = _no_show(policy="strict")
    dispute = no_shows.no_show_dispute_open(booking=booking, actor=booking.guest, statement="I was there")
    no_shows.no_show_dispute_decide(dispute=dispute, actor=agent, stayed=False, reason="Nobody came")
    assert partner_payable(booking.property.partner).balance_krw == 100_000
    assert Payment.objects.get(booking=booking).refunds.count() == 0


def test_only_agents_decide_and_always_with_grounds(agent):
    booking = _no_show()
    dispute = no_shows.no_show_dispute_open(booking=booking, actor=booking.guest, statement="I was there")
    for who in (booking.guest, UserFactory(is_staff=True)):
        error = refused(lambda who=who: no_shows.no_show_dispute_decide(
            dispute=dispute, actor=who, stayed=True, reason="x"))
        assert (error.status, error.code) == (403, "not_an_agent")
    assert refused(lambda: no_shows.no_show_dispute_decide(
        dispute=dispute, actor=agent, stayed=True, reason=" ")).code == "reason_required"
    assert NoShowDispute.objects.get(pk=dispute.pk).status == NoShowDispute.Status.OPEN
    assert held_account(booking).balance_krw == 100_000
