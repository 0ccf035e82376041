"""The end of a stay (services/stay_marks.py): the property records arrival, departure and no-show by
role and by the clock; a stay nobody marked completes by itself after BOOKINGS_AUTO_COMPLETE_HOURS and
its money becomes the property's payable, once."""

from datetime import timedelta

import pytest
from django.utils import timezone

from bookings.models import Booking
from bookings.services import refusals, stay_marks
from bookings.services.common import check_in_at, stay_end
from bookings.services.money import fund, guarantee_charges_account, held_account, move
from bookings.tasks import stays_finish_due
from tests.factories import MembershipFactory
from trustplatform.errors import DomainError
from trustplatform.ledger.models import Transfer
from trustplatform.ledger.selectors import ledger_reconcile
from trustplatform.ledger.services import partner_payable
from trustplatform.notifications.models import Notification
from trustplatform.partners.models import Membership, Partner

from .factories import (
    LodgingPartnerFactory,
    PropertyFactory,
    RoomTypeFactory,
    confirmed_booking,
    fund_guarantee,
)

pytestmark = pytest.mark.django_db


def member(partner, role):
    return MembershipFactory(partner=partner, role=role).user


def owner_of(booking):
    return Membership.objects.get(partner=booking.property.partner, role=Membership.Role.OWNER).user


def refused(call) -> DomainError:
    with pytest.raises(DomainError) as caught:
        call()
    return caught.value


@pytest.fixture
def stay():
    """A paid one-night stay (₩80,000) that begins today."""
    prop = PropertyFactory()
    return confirmed_booking(RoomTypeFactory(property=prop, price_krw=80_000), days_ahead=0, nights=1)


def test_front_desk_staff_record_arrival_and_departure_and_the_stay_money_becomes_payable(stay):
    partner = stay.property.partner
    desk = member(partner, Membership.Role.STAFF)
    booking = stay_marks.booking_check_in(booking=stay, actor=desk)
    assert booking.status == Booking.Status.CHECKED_IN and booking.checked_in_at is not None
    booking = stay_marks.booking_complete(booking=booking, actor=desk)
    booking.refresh_from_db()
    assert booking.status == Booking.Status.COMPLETED and not booking.completed_automatically
    assert booking.settled_at is not None
    assert partner_payable(partner).balance_krw == 80_000
    assert held_account(booking).balance_krw == 0
    assert ledger_reconcile() == []
    # The guest is invited to review the stay.
    invites = Notification.objects.filter(user=booking.guest, url__endswith=f"/bookings/{booking.code}/")
    assert invites.exists()


def test_only_owners_and_managers_record_a_no_show(stay):
    partner = stay.property.partner
    at = check_in_at(stay) + timedelta(hours=9)
    error = refused(lambda: stay_marks.booking_no_show(booking=stay, actor=member(partner, "staff"), at=at))
    assert (error.status, error.code) == (403, "role_forbidden")
    booking = stay_marks.booking_no_show(booking=stay, actor=member(partner, "manager"), at=at)
    assert booking.status == Booking.Status.NO_SHOW and booking.finished_at == at


def test_nobody_from_another_business_records_anything(stay):
    stranger = member(LodgingPartnerFactory(), Membership.Role.OWNER)
    for mark in (stay_marks.booking_check_in, stay_marks.booking_complete, stay_marks.booking_no_show):
        assert refused(lambda mark=mark: mark(booking=stay, actor=stranger)).status == 403
    stay.refresh_from_db()
    assert stay.status == Booking.Status.CONFIRMED


def test_the_property_cannot_record_a_stay_before_the_guest_could_have_come():
    later = confirmed_booking(RoomTypeFactory(property=PropertyFactory()), days_ahead=3, nights=1)
    owner = owner_of(later)
    for mark in (stay_marks.booking_check_in, stay_marks.booking_complete, stay_marks.booking_no_show):
        assert refused(lambda mark=mark: mark(booking=later, actor=owner)).code == "too_early"
    today = confirmed_booking(RoomTypeFactory(property=PropertyFactory()), days_ahead=0, nights=1)
    # A no-show only from the check-in time on.
    error = refused(lambda: stay_marks.booking_no_show(
        booking=today, actor=owner_of(today), at=check_in_at(today) - timedelta(minutes=1)))
    assert error.code == "too_early"
    assert Booking.objects.get(pk=today.pk).status == Booking.Status.CONFIRMED


def test_a_second_departure_is_refused_and_the_money_moves_once(stay):
    owner = owner_of(stay)
    stay_marks.booking_complete(booking=stay, actor=owner)
    again = refused(lambda: stay_marks.booking_complete(booking=stay, actor=owner))
    assert again.code == "invalid_transition"
    assert Transfer.objects.filter(idempotency_key=f"booking-{stay.pk}-payout").count() == 1
    assert partner_payable(stay.property.partner).balance_krw == 80_000


def test_a_stay_nobody_marked_completes_automatically_and_its_payout_becomes_payable(stay, settings):
    settings.BOOKINGS_AUTO_COMPLETE_HOURS = 24
    cheaper = RoomTypeFactory(property=stay.property, price_krw=50_000)
    arrived = confirmed_booking(cheaper, days_ahead=0, nights=1)
    stay_marks.booking_check_in(booking=arrived, actor=None)
    due = stay_end(stay) + timedelta(hours=24)
    assert stay_marks.stays_complete_due(now=due - timedelta(minutes=1)) == 0
    assert partner_payable(stay.property.partner).balance_krw == 0

    assert stay_marks.stays_complete_due(now=due) == 2
    for booking in (stay, arrived):
        booking.refresh_from_db()
        assert booking.status == Booking.Status.COMPLETED and booking.completed_automatically
        assert booking.finished_at == due and booking.settled_at == due
    assert partner_payable(stay.property.partner).balance_krw == 80_000 + 50_000
    assert Transfer.objects.get(idempotency_key=f"booking-{stay.pk}-payout").amount_krw == 80_000
    owner_notices = Notification.objects.filter(user=owner_of(stay))
    assert owner_notices.filter(title__contains=stay.code).exists()
    # The sweep again (a second beat, a retried task): nothing more happens.
    assert stay_marks.stays_complete_due(now=due + timedelta(hours=1)) == 0
    assert partner_payable(stay.property.partner).balance_krw == 130_000
    assert ledger_reconcile() == []


def test_the_sweep_leaves_marked_stays_and_stays_with_an_open_guarantee_case_alone(stay, settings):
    settings.BOOKINGS_AUTO_COMPLETE_HOURS = 24
    reported = confirmed_booking(RoomTypeFactory(property=stay.property), days_ahead=0, nights=1)
    refusals.case_report(booking=reported, actor=reported.guest)
    no_show = confirmed_booking(RoomTypeFactory(property=stay.property), days_ahead=0, nights=1)
    stay_marks.booking_no_show(booking=no_show, actor=None, at=check_in_at(no_show) + timedelta(hours=10))
    assert stay_marks.stays_complete_due(now=stay_end(stay) + timedelta(days=2)) == 1
    assert Booking.objects.get(pk=reported.pk).status == Booking.Status.CONFIRMED
    assert Booking.objects.get(pk=no_show.pk).status == Booking.Status.NO_SHOW
    assert refused(lambda: stay_marks.booking_complete(booking=reported, actor=None)).code == "guarantee_open"


def test_the_sweep_pays_a_property_that_owes_the_guarantee_net_of_what_it_owes(stay):
    """What the property owes for a guarantee it triggered is recovered from the stay's payout."""
    partner = stay.property.partner
    fund_guarantee(1_000_000)
    move(debit=guarantee_charges_account(partner), credit=fund(), amount_krw=30_000, key="test-charge",
         reason="a guarantee charge")
    assert stay_marks.stays_complete_due(now=stay_end(stay) + timedelta(days=2)) == 1
    assert partner_payable(partner).balance_krw == 80_000 - 30_000
    assert guarantee_charges_account(partner).balance_krw == 0
    assert ledger_reconcile() == []


def test_the_beat_task_runs_both_sweeps():
    assert stays_finish_due() == 0  # nothing due: safe to run every quarter hour


def test_a_suspended_partner_is_still_paid_for_a_stay_it_hosted(stay):
    Partner.objects.filter(pk=stay.property.partner_id).update(status=Partner.Status.SUSPENDED)
    assert stay_marks.stays_complete_due(now=timezone.now() + timedelta(days=3)) == 1
    assert partner_payable(stay.property.partner).balance_krw == 80_000
