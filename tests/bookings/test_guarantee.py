"""Upgrade-on-cancel: hard filters, scoring, auto and offer modes, money once, refund when nothing fits."""

from datetime import timedelta

import pytest
from django.utils import timezone

from bookings import selectors
from bookings.errors import BookingError
from bookings.models import Booking, GuaranteeCandidate, GuaranteeCase, Night
from bookings.services import guarantee
from bookings.services.money import guarantee_charges_account, held_account
from bookings.services.stays import booking_cancel_by_property
from tests.factories import UserFactory
from trustplatform.ledger.models import Transfer
from trustplatform.ledger.selectors import account_balance, ledger_reconcile
from trustplatform.ledger.services import consumer_payable, platform_account

from .factories import HAEUNDAE, PropertyFactory, RoomTypeFactory, confirmed_booking, fund_guarantee

pytestmark = pytest.mark.django_db

# ~300 m and ~3 km east of the original
NEAR = (HAEUNDAE[0], HAEUNDAE[1] + 0.0033)
FAR = (HAEUNDAE[0], HAEUNDAE[1] + 0.033)


@pytest.fixture
def world():
    fund_guarantee()
    prop = PropertyFactory(rating="4.5", review_count=300, star_class=4, amenities=["wifi", "ocean_view"])
    original = RoomTypeFactory(property=prop, grade=2, price_krw=100_000, name="Standard")
    return prop, original


def _cancel(booking, reason="overbooked"):
    return booking_cancel_by_property(booking=booking, actor=None, reason=reason)


def test_candidates_pass_every_hard_filter_and_rank_the_same_property_first(world):
    prop, original = world
    booking = confirmed_booking(original, days_ahead=10, must_have=["ocean_view"])
    same_up = RoomTypeFactory(property=prop, grade=3, price_krw=140_000, name="Deluxe")
    RoomTypeFactory(property=prop, grade=1, price_krw=60_000, name="Lower grade")  # grade below
    near = PropertyFactory(
        latitude=NEAR[0],
        longitude=NEAR[1],
        rating="4.7",
        star_class=5,
        amenities=["wifi", "ocean_view", "spa"],
    )
    near_room = RoomTypeFactory(property=near, grade=4, price_krw=110_000)
    RoomTypeFactory(
        property=PropertyFactory(latitude=FAR[0], longitude=FAR[1], rating="4.9", star_class=5),
        grade=5,
        price_krw=100_000,
    )  # too far
    RoomTypeFactory(
        property=PropertyFactory(latitude=NEAR[0], longitude=NEAR[1], rating="4.3"),
        grade=4,
        price_krw=100_000,
    )  # rating
    RoomTypeFactory(
        property=PropertyFactory(latitude=NEAR[0], longitude=NEAR[1], review_count=3),
        grade=4,
        price_krw=100_000,
    )  # reviews
    RoomTypeFactory(
        property=PropertyFactory(latitude=NEAR[0], longitude=NEAR[1], amenities=["wifi"]),
        grade=4,
        price_krw=100_000,
    )  # amenity
    RoomTypeFactory(
        property=PropertyFactory(latitude=NEAR[0], longitude=NEAR[1]), grade=4, price_krw=900_000
    )  # budget
    RoomTypeFactory(
        property=PropertyFactory(latitude=NEAR[0], longitude=NEAR[1]), grade=4, price_krw=100_000, capacity=1
    )  # guests
    full = RoomTypeFactory(
        property=PropertyFactory(latitude=NEAR[0], longitude=NEAR[1]), grade=4, price_krw=100_000
    )
    Night.objects.filter(room_type=full, date=booking.check_in).update(sold=1)  # sold out on our inventory

    found = selectors.candidates_find(booking=booking, budget_krw=300_000)

    assert [c.room_type_id for c in found] == [same_up.pk, near_room.pk]
    assert found[0].same_property and found[0].extra_cost_krw == 80_000


def test_auto_mode_books_the_best_room_at_once_and_moves_the_money_once(world, settings):
    prop, original = world
    settings.BOOKINGS_AUTO_REBOOK_HOURS = 24 * 30  # everything counts as "check-in is close"
    booking = confirmed_booking(original, days_ahead=2, nights=2)  # 200,000 paid
    better = RoomTypeFactory(property=prop, grade=3, price_krw=130_000)
    fund_before = platform_account("platform-guarantee-fund").balance_krw

    case = _cancel(booking)
    assert case.mode == GuaranteeCase.Mode.AUTO
    assert guarantee.case_search(case_id=case.pk) == "rebooked"
    assert guarantee.case_search(case_id=case.pk) == "noop"  # the task running twice changes nothing

    case.refresh_from_db()
    new = case.rebooked
    assert case.status == GuaranteeCase.Status.REBOOKED and new.status == Booking.Status.CONFIRMED
    assert new.room_type == better and new.guest == booking.guest and new.guest_paid_krw == 200_000
    assert selectors.candidate_passes(original=booking, rebooked=new) == []
    assert case.extra_cost_krw == 60_000 and case.penalty_krw == 20_000
    assert held_account(new).balance_krw == 260_000 and held_account(booking).balance_krw == 0
    # The property paid extra + penalty into the fund; the fund paid the extra: net +penalty.
    assert platform_account("platform-guarantee-fund").balance_krw - fund_before == 20_000
    assert guarantee_charges_account(prop.partner).balance_krw == -80_000
    keys = list(
        Transfer.objects.filter(idempotency_key__startswith=f"guarantee-case-{case.pk}-").values_list(
            "idempotency_key", flat=True
        )
    )
    assert sorted(keys) == sorted(
        [f"guarantee-case-{case.pk}-{k}" for k in ("charge", "guest-money", "fund")]
    )
    assert ledger_reconcile() == []


def test_offer_mode_holds_two_rooms_with_a_deadline_and_the_guest_accepts_one(world):
    prop, original = world
    booking = confirmed_booking(original, days_ahead=3)
    first = RoomTypeFactory(property=prop, grade=3, price_krw=120_000)
    second = RoomTypeFactory(
        property=PropertyFactory(latitude=NEAR[0], longitude=NEAR[1]), grade=3, price_krw=100_000
    )
    case = _cancel(booking)
    assert guarantee.case_search(case_id=case.pk) == "offered"
    case.refresh_from_db()
    assert case.status == GuaranteeCase.Status.OFFERED
    assert timedelta(hours=1, minutes=59) < case.offer_deadline - timezone.now() <= timedelta(hours=2)
    offers = list(case.candidates.filter(status="offered").order_by("rank"))
    assert [o.room_type for o in offers] == [first, second]
    assert all(Booking.objects.get(pk=o.booking_id).status == "pending_payment" for o in offers)

    new = guarantee.offer_accept(token=offers[1].accept_token, actor=booking.guest)
    assert new.room_type == second and new.status == Booking.Status.CONFIRMED
    assert Booking.objects.get(pk=offers[0].booking_id).status == Booking.Status.EXPIRED
    assert Night.objects.get(room_type=first, date=booking.check_in).sold == 0
    assert guarantee.offer_accept(token=offers[1].accept_token, actor=booking.guest) == new  # double click
    with pytest.raises(BookingError):
        guarantee.offer_accept(token=offers[0].accept_token, actor=booking.guest)


def test_no_answer_by_the_deadline_books_the_best(world):
    prop, original = world
    booking = confirmed_booking(original, days_ahead=3)
    best = RoomTypeFactory(property=prop, grade=3, price_krw=120_000)
    case = _cancel(booking)
    guarantee.case_search(case_id=case.pk)
    GuaranteeCase.objects.filter(pk=case.pk).update(offer_deadline=timezone.now() - timedelta(seconds=1))
    assert guarantee.offers_due() == 1
    case.refresh_from_db()
    assert case.status == GuaranteeCase.Status.REBOOKED and case.rebooked.room_type == best


@pytest.mark.parametrize(
    "days_ahead, until, window",
    [
        (0, timedelta(hours=5), timedelta(minutes=30)),
        (0, timedelta(days=3), timedelta(hours=2)),
        (0, timedelta(days=20), timedelta(hours=24)),
    ],
)
def test_the_offer_window_scales_with_the_time_left(days_ahead, until, window):
    assert guarantee.offer_window(until_check_in=until) == window


def test_nothing_qualifies_full_refund_plus_compensation_and_an_agent(world, settings, settled):
    prop, original = world
    booking = confirmed_booking(original, days_ahead=1, nights=1)  # 100,000
    settings.BOOKINGS_PEAK_SEASONS = []
    case = _cancel(booking)
    clearing_before = account_balance(account=platform_account("platform-psp-clearing"))
    with settled():
        assert guarantee.case_search(case_id=case.pk) == "refunded"
    case.refresh_from_db()
    assert case.status == GuaranteeCase.Status.ESCALATED
    assert case.refund_krw == 100_000 and case.compensation_krw == 10_000  # off-peak, 1 day before: 10 %
    # The payment is cancelled whole at the payment company; the compensation is the guest's credit.
    payment = booking.payments.get()
    assert (payment.status, payment.refunded_krw) == ("refunded", 100_000)
    assert account_balance(account=platform_account("platform-psp-clearing")) - clearing_before == 100_000
    assert consumer_payable(booking.guest).balance_krw == 10_000
    assert guarantee_charges_account(prop.partner).balance_krw == -(10_000 + 10_000)
    assert ledger_reconcile() == []


def test_the_monthly_fund_budget_caps_the_extra_cost(world, settings):
    prop, original = world
    settings.BOOKINGS_FUND_MONTHLY_BUDGET_KRW = 10_000
    booking = confirmed_booking(original, days_ahead=3, nights=1)
    RoomTypeFactory(property=prop, grade=3, price_krw=150_000)  # 50,000 more than the budget left
    cheap = RoomTypeFactory(property=prop, grade=3, price_krw=105_000)
    case = _cancel(booking)
    guarantee.case_search(case_id=case.pk)
    assert list(case.candidates.values_list("room_type_id", flat=True)) == [cheap.pk]


def test_an_agent_rebooks_by_hand_and_notes_stay_on_the_case(world, django_user_model):
    prop, original = world
    booking = confirmed_booking(original, days_ahead=3)
    case = _cancel(booking)
    agent = UserFactory(email="agent@ansim.kr", full_name="Agent", is_staff=True)
    guarantee.case_escalate(instance=case, actor=agent, reason="VIP")
    room = RoomTypeFactory(property=prop, grade=4, price_krw=100_000)
    new = guarantee.case_rebook_manual(case=case, room_type=room, actor=agent)
    guarantee.case_note_add(case=case, actor=agent, text="Called the guest; happy.")
    case.refresh_from_db()
    assert case.status == GuaranteeCase.Status.REBOOKED and case.rebooked == new
    assert case.notes.count() == 1


def test_auto_mode_guest_may_swap_for_the_second_once(world, settings):
    prop, original = world
    settings.BOOKINGS_AUTO_REBOOK_HOURS = 24 * 30
    booking = confirmed_booking(original, days_ahead=2, nights=1)
    first = RoomTypeFactory(property=prop, grade=3, price_krw=120_000)
    second = RoomTypeFactory(
        property=PropertyFactory(latitude=NEAR[0], longitude=NEAR[1]), grade=3, price_krw=110_000
    )
    case = _cancel(booking)
    guarantee.case_search(case_id=case.pk)
    case.refresh_from_db()
    assert case.rebooked.room_type == first
    assert guarantee_charges_account(prop.partner).balance_krw == -(20_000 + 10_000)
    new = guarantee.case_swap(case=case, actor=booking.guest)
    assert new.room_type == second and new.status == Booking.Status.CONFIRMED
    # The property is charged the extra cost of the room the guest ends up in (plus the penalty).
    assert guarantee_charges_account(prop.partner).balance_krw == -(10_000 + 10_000)
    assert Night.objects.get(room_type=first, date=booking.check_in).sold == 0
    with pytest.raises(BookingError):
        guarantee.case_swap(case=case, actor=booking.guest)
    assert GuaranteeCandidate.objects.filter(case=case, status="booked").count() == 1
    assert ledger_reconcile() == []


def test_a_swap_to_a_dearer_room_charges_the_property_the_difference(world, settings):
    prop, original = world
    settings.BOOKINGS_AUTO_REBOOK_HOURS = 24 * 30
    booking = confirmed_booking(original, days_ahead=2, nights=1)
    RoomTypeFactory(property=prop, grade=4, price_krw=110_000)
    RoomTypeFactory(property=prop, grade=3, price_krw=150_000)  # ranked second (lower grade), dearer
    case = _cancel(booking)
    guarantee.case_search(case_id=case.pk)
    assert guarantee_charges_account(prop.partner).balance_krw == -(10_000 + 10_000)
    guarantee.case_swap(case=case, actor=booking.guest)
    assert guarantee_charges_account(prop.partner).balance_krw == -(50_000 + 10_000)
    assert ledger_reconcile() == []


def test_a_search_that_never_finishes_is_retried_then_goes_to_an_agent(world):
    prop, original = world
    booking = confirmed_booking(original, days_ahead=3)
    case = _cancel(booking)
    # Counted from when the rehousing started (a reported case waited for the property before that).
    GuaranteeCase.objects.filter(pk=case.pk).update(started_at=timezone.now() - timedelta(minutes=5))
    assert guarantee.cases_requeue_stuck() == [case.pk]
    GuaranteeCase.objects.filter(pk=case.pk).update(started_at=timezone.now() - timedelta(minutes=11))
    assert guarantee.cases_requeue_stuck() == []
    case.refresh_from_db()
    assert case.status == GuaranteeCase.Status.ESCALATED


def test_the_guest_cancelling_a_rebooking_gets_the_policy_refund_and_the_fund_its_share_back(
        world, settings, settled):
    from bookings.services.stays import booking_cancel_by_guest

    prop, original = world
    settings.BOOKINGS_AUTO_REBOOK_HOURS = 24 * 30
    booking = confirmed_booking(original, days_ahead=10, nights=1)  # 100,000 paid; moderate: 100 % back
    RoomTypeFactory(property=prop, grade=3, price_krw=150_000)
    case = _cancel(booking)
    guarantee.case_search(case_id=case.pk)
    case.refresh_from_db()
    fund_before = platform_account("platform-guarantee-fund").balance_krw
    clearing_before = account_balance(account=platform_account("platform-psp-clearing"))
    with settled():
        booking_cancel_by_guest(booking=case.rebooked, actor=booking.guest, reason="plans changed")
    assert held_account(case.rebooked).balance_krw == 0
    # The rebooking was paid by the guest's payment for the booking it replaced: that one is cancelled.
    assert booking.payments.get().refunded_krw == 100_000
    assert account_balance(account=platform_account("platform-psp-clearing")) - clearing_before == 100_000
    assert platform_account("platform-guarantee-fund").balance_krw - fund_before == 50_000
    assert ledger_reconcile() == []


def test_the_cancelling_property_pays_its_charge_from_its_payouts(world, settings):
    """The charge is netted against the partner's payable: at once as far as it has money there, the
    rest from the next money it earns here, each recovery once; the payable never goes below zero."""
    from bookings.services.money import payable
    from bookings.services.stays import booking_complete

    prop, original = world
    settings.BOOKINGS_AUTO_REBOOK_HOURS = 24 * 30
    partner = prop.partner
    earlier = confirmed_booking(original, days_ahead=12, nights=1)  # 100,000 held
    # Some money already on the payable: a past stay of 30,000 paid out to the property.
    cheap = RoomTypeFactory(property=prop, grade=1, price_krw=30_000, name="Single")
    past = confirmed_booking(cheap, days_ahead=1, nights=1)
    Booking.objects.filter(pk=past.pk).update(status=Booking.Status.CHECKED_IN)
    past.refresh_from_db()
    booking_complete(booking=past)
    assert payable(partner).balance_krw == 30_000

    booking = confirmed_booking(original, days_ahead=2, nights=2)  # 200,000
    RoomTypeFactory(property=prop, grade=3, price_krw=130_000)
    case = _cancel(booking)
    assert guarantee.case_search(case_id=case.pk) == "rebooked"
    # Charge 60,000 extra + 20,000 penalty: 30,000 taken from the payable now, 50,000 still owed.
    assert payable(partner).balance_krw == 0
    assert guarantee_charges_account(partner).balance_krw == -50_000

    Booking.objects.filter(pk=earlier.pk).update(status=Booking.Status.CHECKED_IN)
    earlier.refresh_from_db()
    booking_complete(booking=earlier)
    assert payable(partner).balance_krw == 100_000 - 50_000
    assert guarantee_charges_account(partner).balance_krw == 0
    keys = set(
        Transfer.objects.filter(idempotency_key__contains="recovered").values_list(
            "idempotency_key", flat=True
        )
    )
    assert keys == {
        f"guarantee-case-{case.pk}-charge-recovered",
        f"booking-{earlier.pk}-payout-charges-recovered",
    }
    assert guarantee.case_search(case_id=case.pk) == "noop"
    assert Transfer.objects.filter(idempotency_key__contains="recovered").count() == 2
    assert ledger_reconcile() == []
