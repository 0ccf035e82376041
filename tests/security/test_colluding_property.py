"""Issue 13, item 3: a colluding property and guest.

A property sets its own price (up to ₩100M a night); when it cancels and no room qualifies, the guest
got the full refund plus up to 90 % of that price as compensation from the guarantee fund, charged to
a property account with no floor that a throwaway property never pays.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from bookings.models import GuaranteeCase
from bookings.services import compensation, guarantee
from bookings.services.money import guarantee_charges_account
from bookings.services.stays import booking_cancel_by_property
from tests.bookings.factories import PropertyFactory, RoomTypeFactory, confirmed_booking, fund_guarantee
from tests.factories import MembershipFactory, UserFactory
from tests.race import race
from trustplatform.errors import DomainError
from trustplatform.ledger.models import Transfer
from trustplatform.ledger.selectors import ledger_reconcile
from trustplatform.ledger.services import consumer_payable

ROOT = Path(__file__).resolve().parents[2]
CASE_CAP = 1_000_000
FLOOR = 1_000_000


@pytest.fixture(autouse=True)
def _limits(settings):
    settings.BOOKINGS_PEAK_SEASONS = [((1, 1), (12, 31))]  # peak all year: 70 % the day before
    settings.BOOKINGS_COMPENSATION_REVIEW_KRW = 300_000
    settings.BOOKINGS_COMPENSATION_CASE_CAP_KRW = CASE_CAP
    settings.BOOKINGS_COMPENSATION_MONTHLY_CAP_KRW = 10_000_000
    settings.BOOKINGS_PROPERTY_CHARGES_FLOOR_KRW = FLOOR


def _cancelled(room_type, settled, *, guest=None):
    """A booking the day before check-in, cancelled by the property, with nothing to rehouse the guest."""
    booking = confirmed_booking(room_type, user=guest, days_ahead=1, nights=1)
    case = booking_cancel_by_property(booking=booking, actor=None, reason="overbooked")
    with settled():
        assert guarantee.case_search(case_id=case.pk) == "refunded"
    case.refresh_from_db()
    return booking, case


def _compensation_paid(case) -> int:
    transfer = Transfer.objects.filter(idempotency_key=f"guarantee-case-{case.pk}-compensation").first()
    return transfer.amount_krw if transfer else 0


def _agent():
    user = UserFactory(is_staff=True)
    user.user_permissions.add(
        Permission.objects.get(content_type__app_label="bookings", codename="work_case")
    )
    return type(user).objects.get(pk=user.pk)


@pytest.mark.django_db
def test_a_colluding_property_and_guest_get_no_compensation_on_a_100m_night_without_an_agent(settled):
    fund_guarantee(200_000_000)
    room = RoomTypeFactory(price_krw=100_000_000)  # the property's own price
    booking, case = _cancelled(room, settled)

    # The guest's own payment goes back; nothing of the fund's leaves before an agent decides.
    assert booking.payments.get().refunded_krw == 100_000_000
    assert consumer_payable(booking.guest).balance_krw == 0 and _compensation_paid(case) == 0
    assert case.status == GuaranteeCase.Status.ESCALATED
    assert case.compensation_due_krw == CASE_CAP and case.compensation_krw == 0 and case.compensation_review
    assert guarantee_charges_account(room.property.partner).balance_krw == 0

    agent = _agent()
    with pytest.raises(DomainError) as refused:  # never more than the per-case cap
        compensation.case_compensation_pay(case=case, actor=agent, amount_krw=CASE_CAP + 1, reason="확인")
    assert refused.value.code == "over_due"
    with pytest.raises(DomainError) as refused:  # a case with compensation waiting is not closed
        guarantee.case_close(instance=case, actor=agent)
    assert refused.value.code == "compensation_waiting"
    compensation.case_compensation_pay(case=case, actor=agent, amount_krw=CASE_CAP, reason="실제 투숙객 확인")
    compensation.case_compensation_pay(case=case, actor=agent, amount_krw=CASE_CAP, reason="다시")  # a repeat
    case.refresh_from_db()
    assert consumer_payable(booking.guest).balance_krw == CASE_CAP == _compensation_paid(case)
    assert case.compensation_krw == CASE_CAP and case.compensation_due_krw == 0
    # The property is charged no further than its floor: the rest of its penalty is not booked as money.
    assert guarantee_charges_account(room.property.partner).balance_krw == -FLOOR
    guarantee.case_close(instance=case, actor=agent)
    assert ledger_reconcile() == []


@pytest.mark.django_db
def test_a_price_asking_more_than_the_case_cap_waits_even_when_the_cap_needs_no_review(settled, settings):
    settings.BOOKINGS_COMPENSATION_REVIEW_KRW = CASE_CAP
    fund_guarantee(200_000_000)
    booking, case = _cancelled(RoomTypeFactory(price_krw=100_000_000), settled)
    assert _compensation_paid(case) == 0 and consumer_payable(booking.guest).balance_krw == 0
    assert case.compensation_due_krw == CASE_CAP


@pytest.mark.django_db
def test_compensation_per_month_is_capped_against_the_fund(settled, settings):
    settings.BOOKINGS_COMPENSATION_MONTHLY_CAP_KRW = 150_000
    fund_guarantee(10_000_000)
    # Three properties far apart (so no floor is near and none rehouses another's guest), each a 100,000
    # night: 70,000 each, under the review amount.
    first, second, third = (
        _cancelled(RoomTypeFactory(property=PropertyFactory(latitude=35.0 + number)), settled)
        for number in range(3)
    )
    assert [_compensation_paid(case) for _booking, case in (first, second, third)] == [70_000, 70_000, 0]
    booking, case = third
    assert case.compensation_due_krw == 70_000 and consumer_payable(booking.guest).balance_krw == 0

    agent = _agent()
    with pytest.raises(DomainError) as refused:
        compensation.case_compensation_pay(case=case, actor=agent, amount_krw=70_000, reason="확인")
    assert refused.value.code == "monthly_cap"
    compensation.case_compensation_pay(case=case, actor=agent, amount_krw=10_000, reason="이번 달 남은 한도")
    assert consumer_payable(booking.guest).balance_krw == 10_000
    assert ledger_reconcile() == []


@pytest.mark.django_db
def test_a_property_that_would_owe_the_fund_past_its_floor_sends_the_case_to_an_agent(settled, settings):
    settings.BOOKINGS_PROPERTY_CHARGES_FLOOR_KRW = 85_000
    fund_guarantee(10_000_000)
    prop = PropertyFactory()
    room = RoomTypeFactory(property=prop)
    _booking, first = _cancelled(room, settled)
    assert _compensation_paid(first) == 70_000  # charged 80,000 with the penalty: within the floor
    booking, second = _cancelled(room, settled)  # the same room, free again, booked and cancelled again
    assert _compensation_paid(second) == 0 and second.compensation_due_krw == 70_000
    assert consumer_payable(booking.guest).balance_krw == 0
    assert guarantee_charges_account(prop.partner).balance_krw == -80_000

    agent = _agent()
    compensation.case_compensation_refuse(case=second, actor=agent, reason="같은 숙소의 반복 취소")
    second.refresh_from_db()
    assert second.compensation_due_krw == 0 and second.compensation_krw == 0
    # Refusing still charges the 10,000 penalty, but only down to the floor.
    assert guarantee_charges_account(prop.partner).balance_krw == -85_000
    assert ledger_reconcile() == []


@pytest.mark.django_db
def test_a_guest_from_the_propertys_own_business_waits_for_an_agent(settled):
    fund_guarantee(10_000_000)
    prop = PropertyFactory()
    insider = MembershipFactory(partner=prop.partner, role="staff").user
    booking, case = _cancelled(RoomTypeFactory(property=prop, price_krw=10_000), settled, guest=insider)
    assert _compensation_paid(case) == 0 and consumer_payable(insider).balance_krw == 0
    assert case.compensation_due_krw == 7_000


@pytest.mark.django_db
def test_a_rebooking_charges_no_penalty_past_the_propertys_floor(settings):
    settings.BOOKINGS_PROPERTY_CHARGES_FLOOR_KRW = 25_000
    settings.BOOKINGS_AUTO_REBOOK_HOURS = 24 * 30
    fund_guarantee(10_000_000)
    prop = PropertyFactory()
    booking = confirmed_booking(RoomTypeFactory(property=prop, grade=2), days_ahead=2, nights=1)
    RoomTypeFactory(property=prop, grade=3, price_krw=120_000)
    case = booking_cancel_by_property(booking=booking, actor=None, reason="overbooked")
    assert guarantee.case_search(case_id=case.pk) == "rebooked"
    # The 20,000 the fund paid for the room is charged; of the 10,000 penalty only what the floor allows.
    assert guarantee_charges_account(prop.partner).balance_krw == -25_000
    assert ledger_reconcile() == []


@pytest.mark.django_db
def test_the_agents_queue_shows_the_waiting_case_and_an_agent_decides_it_in_the_admin(settled):
    fund_guarantee(200_000_000)
    booking, case = _cancelled(RoomTypeFactory(price_krw=100_000_000), settled)
    user = UserFactory(is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(content_type__app_label="bookings"))
    client = Client()
    # Signed in with a second factor, as staff who move money are (django-otp's verified session).
    device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    queue = client.get(reverse("admin:bookings_guaranteecase_changelist") + "?queue=compensation")
    assert case in queue.context["cl"].result_list
    decide = reverse("admin:bookings_guaranteecase_compensation", args=[case.pk])
    assert (
        decide in client.get(reverse("admin:bookings_guaranteecase_change", args=[case.pk])).content.decode()
    )
    page = client.get(decide)
    assert page.status_code == 200 and "1,000,000" in page.content.decode()
    client.post(decide, {"decision": "pay", "amount_krw": 400_000, "reason": "확인함"})
    case.refresh_from_db()
    assert case.compensation_krw == 400_000 and case.compensation_due_krw == 0
    assert consumer_payable(booking.guest).balance_krw == 400_000
    queue = client.get(reverse("admin:bookings_guaranteecase_changelist") + "?queue=compensation")
    assert case not in queue.context["cl"].result_list


def _load_settings(**overrides) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", "import trustplatform.settings"],
        cwd=ROOT,
        env={**os.environ, **overrides},
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    "overrides, named",
    [
        ({"BOOKINGS_COMPENSATION_CASE_CAP_KRW": "lots"}, "BOOKINGS_COMPENSATION_CASE_CAP_KRW"),
        ({"BOOKINGS_PROPERTY_CHARGES_FLOOR_KRW": "-1"}, "BOOKINGS_PROPERTY_CHARGES_FLOOR_KRW"),
        (
            {"BOOKINGS_COMPENSATION_REVIEW_KRW": "2000000", "BOOKINGS_COMPENSATION_CASE_CAP_KRW": "1000000"},
            "BOOKINGS_COMPENSATION_REVIEW_KRW",
        ),
        (
            {"BOOKINGS_COMPENSATION_MONTHLY_CAP_KRW": "100", "BOOKINGS_COMPENSATION_CASE_CAP_KRW": "1000"},
            "BOOKINGS_COMPENSATION_MONTHLY_CAP_KRW",
        ),
        ({"BOOKINGS_COMPENSATION_MONTHLY_CAP_KRW": "900000000"}, "BOOKINGS_FUND_MONTHLY_BUDGET_KRW"),
    ],
)
def test_nonsense_compensation_limits_stop_the_start(overrides, named):
    loaded = _load_settings(**overrides)
    assert loaded.returncode != 0 and "ImproperlyConfigured" in loaded.stderr and named in loaded.stderr


def test_a_small_fund_budget_lowers_the_compensation_defaults_instead_of_stopping_the_start():
    assert _load_settings(BOOKINGS_FUND_MONTHLY_BUDGET_KRW="200000").returncode == 0


@pytest.mark.django_db(transaction=True)
def test_compensation_paid_in_parallel_never_passes_the_months_cap(settings):
    settings.BOOKINGS_COMPENSATION_MONTHLY_CAP_KRW = 150_000
    fund_guarantee(10_000_000)
    cases = []
    for number in range(6):  # six properties far apart, each a 100,000 night cancelled the day before
        room = RoomTypeFactory(property=PropertyFactory(latitude=35.0 + number))
        booking = confirmed_booking(room, days_ahead=1, nights=1)
        cases.append(booking_cancel_by_property(booking=booking, actor=None, reason="overbooked"))

    outcomes = race(lambda i: guarantee.case_search(case_id=cases[i].pk), len(cases), expected=(DomainError,))
    assert outcomes == ["refunded"] * len(cases)
    paid = [_compensation_paid(case) for case in cases]
    assert sorted(paid) == [0, 0, 0, 0, 70_000, 70_000]
    assert GuaranteeCase.objects.filter(compensation_due_krw=70_000).count() == 4
    assert ledger_reconcile() == []
