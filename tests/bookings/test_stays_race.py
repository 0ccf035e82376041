"""Races at the end of a stay, on real parallel connections: the property's departure against the
platform's sweep pays the property once; a guest's double submit writes one review; reviews of one
property posted at the same instant all count in its rating."""

from datetime import timedelta
from decimal import Decimal

import pytest

from bookings.models import Booking, Property, Review
from bookings.services import reviews, stay_marks
from bookings.services.common import stay_end
from tests.race import race
from trustplatform.ledger.models import Transfer
from trustplatform.ledger.selectors import ledger_reconcile
from trustplatform.ledger.services import partner_payable
from trustplatform.partners.models import Membership

from .factories import PropertyFactory, RoomTypeFactory, confirmed_booking

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_property_and_the_sweep_completing_a_stay_at_once_pay_it_once():
    room = RoomTypeFactory(property=PropertyFactory(), price_krw=90_000)
    booking = confirmed_booking(room, days_ahead=0, nights=1)
    owner = Membership.objects.get(partner=booking.property.partner, role=Membership.Role.OWNER).user
    due = stay_end(booking) + timedelta(days=2)

    def finish(index: int):
        if index % 2:
            return stay_marks.stay_complete_automatically(booking_id=booking.pk, now=due)
        return stay_marks.booking_complete(booking=booking, actor=owner, at=due)

    outcomes = race(finish, 20)
    won = [o for o in outcomes if o is True or isinstance(o, Booking)]
    assert len(won) == 1, outcomes
    assert Transfer.objects.filter(idempotency_key=f"booking-{booking.pk}-payout").count() == 1
    assert partner_payable(booking.property.partner).balance_krw == 90_000
    assert ledger_reconcile() == []


def test_a_double_submitted_review_is_written_once():
    booking = confirmed_booking(RoomTypeFactory(property=PropertyFactory()), days_ahead=0, nights=1)
    stay_marks.booking_complete(booking=booking, actor=None)
    outcomes = race(
        lambda i: reviews.review_create(booking=booking, actor=booking.guest, rating=5, text=f"좋아요 {i}"),
        10,
    )
    assert len([o for o in outcomes if isinstance(o, Review)]) == 1
    assert {o.code for o in outcomes if not isinstance(o, Review)} == {"already_reviewed"}
    assert Property.objects.get(pk=booking.property_id).review_count == 1


def test_reviews_posted_at_once_all_count_in_the_rating():
    prop = PropertyFactory(rating=0, review_count=0)
    stays = []
    for stars in (5, 4, 4, 3, 5, 5, 4, 2):
        booking = confirmed_booking(RoomTypeFactory(property=prop), days_ahead=0, nights=1)
        stays.append((stay_marks.booking_complete(booking=booking, actor=None), stars))

    outcomes = race(lambda i: reviews.review_create(
        booking=stays[i][0], actor=stays[i][0].guest, rating=stays[i][1], text="후기"), len(stays))
    assert all(isinstance(o, Review) for o in outcomes), outcomes
    prop.refresh_from_db()
    assert (prop.review_count, prop.rating) == (8, Decimal("4.0"))  # 32 / 8


def test_control_without_the_property_lock_a_review_posted_at_the_same_time_is_lost(monkeypatch):
    """The same race with the property row lock taken out, and both reviews written before either counts:
    each count sees only its own review, so the property ends with one review where it has two."""
    import threading

    prop = PropertyFactory(rating=0, review_count=0)
    stays = [
        stay_marks.booking_complete(
            booking=confirmed_booking(RoomTypeFactory(property=prop), days_ahead=0, nights=1), actor=None
        )
        for _ in range(2)
    ]
    barrier = threading.Barrier(2, timeout=20)
    original = reviews.rating_refresh

    def refresh_after_both_wrote(*, property_id):
        barrier.wait()
        return original(property_id=property_id)

    monkeypatch.setattr(reviews, "_property_lock", lambda property_id: None)
    monkeypatch.setattr(reviews, "rating_refresh", refresh_after_both_wrote)
    race(lambda i: reviews.review_create(booking=stays[i], actor=stays[i].guest, rating=5, text="후기"), 2)
    assert Review.objects.filter(property=prop).count() == 2
    assert Property.objects.get(pk=prop.pk).review_count == 1
