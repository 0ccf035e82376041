"""The guarantee a guest calls in: the guest (or an agent after a call) reports that the property turned
them away; the property confirms, contests or stays silent; an agent decides a contest; reports are
rate-limited, audited, and a guest whose reports are dismissed too often is flagged."""

from datetime import timedelta
from unittest import mock

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from bookings.errors import BookingError
from bookings.models import Booking, GuaranteeCase, GuestFlag
from bookings.services import guarantee, refusal_decisions, refusals
from bookings.services.money import guarantee_charges_account, held_account
from bookings.services.stays import booking_cancel_by_property
from tests.factories import MembershipFactory, StaffFactory, UserFactory
from trustplatform.audit.models import AuditEntry
from trustplatform.errors import DomainError
from trustplatform.ledger.selectors import ledger_reconcile
from trustplatform.notifications.models import Notification
from trustplatform.partners.models import Membership

from .factories import HAEUNDAE, PropertyFactory, RoomTypeFactory, confirmed_booking, fund_guarantee

pytestmark = pytest.mark.django_db

NEAR = (HAEUNDAE[0], HAEUNDAE[1] + 0.0033)  # ~300 m east


@pytest.fixture
def world(settings):
    """A hotel that turns its guest away (it still has a dearer room on our calendar) and a better
    hotel 300 m away; check-in is close, so the guarantee books at once."""
    settings.BOOKINGS_AUTO_REBOOK_HOURS = 24 * 30
    fund_guarantee()
    hotel = PropertyFactory(rating="4.5", review_count=300, star_class=4)
    standard = RoomTypeFactory(property=hotel, grade=2, price_krw=100_000, name="Standard")
    RoomTypeFactory(property=hotel, grade=4, price_krw=110_000, name="Suite at the same hotel")
    neighbour = PropertyFactory(latitude=NEAR[0], longitude=NEAR[1], rating="4.7", star_class=5)
    better = RoomTypeFactory(property=neighbour, grade=3, price_krw=130_000, name="Deluxe next door")
    booking = confirmed_booking(standard, days_ahead=0, nights=1)  # 100,000 paid, check-in today
    return booking, better


def _owner(booking):
    return booking.property.partner.memberships.get(role=Membership.Role.OWNER).user


def _agent():
    return StaffFactory(group="agents")


def _report(booking, **kwargs):
    return refusals.case_report(booking=booking, actor=booking.guest, **kwargs)


def _due(case):
    GuaranteeCase.objects.filter(pk=case.pk).update(respond_by=timezone.now() - timedelta(seconds=1))


def _actions(case) -> list[str]:
    return list(
        AuditEntry.objects.filter(content_type__model="guaranteecase", object_id=str(case.pk))
        .order_by("pk")
        .values_list("action", flat=True)
    )


def test_a_guest_report_asks_the_property_and_sends_the_silence_due_at_the_deadline(world, settings):
    booking, _better = world
    settings.BOOKINGS_GUARANTEE_RESPONSE_MINUTES = 12
    with mock.patch("bookings.tasks.case_answer_due_task.apply_async_on_commit") as countdown:
        case = _report(booking, note="프런트에서 방이 없다고 했어요")

    assert case.status == GuaranteeCase.Status.REPORTED and case.origin == GuaranteeCase.Origin.GUEST
    assert case.reported_by == booking.guest and case.guest_statement == "프런트에서 방이 없다고 했어요"
    assert timedelta(minutes=11) < case.respond_by - timezone.now() <= timedelta(minutes=12)
    countdown.assert_called_once_with(args=[case.pk], eta=case.respond_by)
    owner = _owner(booking)
    asked = Notification.objects.get(user=owner, url=f"/portal/stays/guarantee/{case.pk}/")
    assert booking.code in asked.title
    assert Notification.objects.filter(user=booking.guest, url=f"/stays/bookings/{booking.code}/").exists()
    assert _actions(case) == ["reported"]
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED  # nothing changes until the property answers


def test_the_property_confirming_rehouses_the_guest_elsewhere_and_is_charged_as_for_a_cancellation(world):
    booking, better = world
    case = _report(booking)
    owner = _owner(booking)

    refusals.case_property_confirm(case=case, actor=owner)

    case.refresh_from_db()
    booking.refresh_from_db()
    assert case.status == GuaranteeCase.Status.OPENED and case.started_at is not None
    assert case.mode == GuaranteeCase.Mode.AUTO
    assert booking.status == Booking.Status.CANCELLED_BY_PROPERTY
    assert guarantee.case_search(case_id=case.pk) == "rebooked"
    case.refresh_from_db()
    # Not the suite of the hotel that refused the guest: the better room next door.
    assert case.rebooked.room_type == better and case.rebooked.status == Booking.Status.CONFIRMED
    assert case.extra_cost_krw == 30_000 and case.penalty_krw == 10_000
    assert guarantee_charges_account(booking.property.partner).balance_krw == -40_000
    assert held_account(case.rebooked).balance_krw == 130_000 and held_account(booking).balance_krw == 0
    assert ledger_reconcile() == []
    assert _actions(case)[:2] == ["reported", "confirm"]


def test_silence_past_the_deadline_starts_the_same_rehousing_once(world):
    booking, better = world
    case = _report(booking)
    assert refusals.case_answer_lapse(case_id=case.pk) == "early"  # the countdown came too soon

    _due(case)
    assert refusals.case_answer_lapse(case_id=case.pk) == "started"
    assert refusals.case_answer_lapse(case_id=case.pk) == "noop"  # the task and the beat both ran

    case.refresh_from_db()
    assert case.status == GuaranteeCase.Status.OPENED
    assert guarantee.case_search(case_id=case.pk) == "rebooked"
    case.refresh_from_db()
    assert case.rebooked.room_type == better and case.penalty_krw == 10_000
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CANCELLED_BY_PROPERTY
    assert "did not answer" in booking.cancel_reason
    assert ledger_reconcile() == []


def test_the_beat_sweep_takes_the_reports_whose_time_ran_out(world):
    booking, _better = world
    case = _report(booking)
    assert refusals.case_answers_due() == 0
    _due(case)
    assert refusals.case_answers_due() == 1
    case.refresh_from_db()
    assert case.status == GuaranteeCase.Status.OPENED


def test_a_contest_goes_to_an_agent_who_upholds_it_and_the_property_is_charged(world):
    booking, better = world
    case = _report(booking, note="문 앞에서 거절당했어요")
    owner = _owner(booking)
    refusals.case_property_contest(case=case, actor=owner, statement="손님이 오지 않았습니다")
    case.refresh_from_db()
    assert (
        case.status == GuaranteeCase.Status.CONTESTED and case.property_statement == "손님이 오지 않았습니다"
    )
    _due(case)
    assert refusals.case_answer_lapse(case_id=case.pk) == "noop"  # answered: silence no longer applies

    agent = _agent()
    refusal_decisions.case_decide(case=case, actor=agent, uphold=True, reason="통화 녹취 확인")

    case.refresh_from_db()
    assert case.status == GuaranteeCase.Status.OPENED and case.decision == "통화 녹취 확인"
    assert guarantee.case_search(case_id=case.pk) == "rebooked"
    case.refresh_from_db()
    assert case.rebooked.room_type == better
    assert guarantee_charges_account(booking.property.partner).balance_krw == -40_000
    entry = AuditEntry.objects.get(
        content_type__model="guaranteecase", object_id=str(case.pk), action="uphold"
    )
    assert entry.actor == agent and entry.reason == "통화 녹취 확인"


def test_a_dismissed_contest_leaves_the_booking_and_the_money_as_they_were(world):
    booking, _better = world
    case = _report(booking)
    refusals.case_property_contest(case=case, actor=_owner(booking), statement="방 있습니다")

    refusal_decisions.case_decide(case=case, actor=_agent(), uphold=False, reason="객실 배정 기록 확인")

    case.refresh_from_db()
    booking.refresh_from_db()
    assert case.status == GuaranteeCase.Status.DISMISSED and case.closed_at is not None
    assert booking.status == Booking.Status.CONFIRMED
    assert held_account(booking).balance_krw == 100_000
    assert guarantee_charges_account(booking.property.partner).balance_krw == 0
    assert Notification.objects.filter(user=booking.guest, title__contains="객실 배정 기록 확인").exists()
    # Turned away later after all: the guest may report again, on a new case.
    again = _report(booking)
    assert again.pk != case.pk and booking.guarantee_cases.count() == 2


def test_a_decision_needs_grounds_and_an_agent(world):
    booking, _better = world
    case = _report(booking)
    refusals.case_property_contest(case=case, actor=_owner(booking), statement="방 있음")
    with pytest.raises(BookingError) as no_grounds:
        refusal_decisions.case_decide(case=case, actor=_agent(), uphold=False, reason=" ")
    assert no_grounds.value.code == "reason_required"
    with pytest.raises(DomainError) as not_agent:
        refusal_decisions.case_decide(case=case, actor=StaffFactory(), uphold=False, reason="x")
    assert not_agent.value.code == "transition_forbidden"
    case.refresh_from_db()
    assert case.status == GuaranteeCase.Status.CONTESTED


def test_a_contest_after_the_deadline_is_refused_and_silence_decides(world):
    booking, _better = world
    case = _report(booking)
    _due(case)
    with pytest.raises(BookingError) as late:
        refusals.case_property_contest(case=case, actor=_owner(booking), statement="늦은 답")
    assert late.value.code == "answer_late"
    assert refusals.case_answer_lapse(case_id=case.pk) == "started"
    with pytest.raises(BookingError) as answered:
        refusals.case_property_confirm(case=case, actor=_owner(booking))
    assert answered.value.code == "already_answered"


def test_front_desk_staff_cannot_answer_for_the_property(world):
    booking, _better = world
    case = _report(booking)
    clerk = MembershipFactory(partner=booking.property.partner, role=Membership.Role.STAFF).user
    with pytest.raises(DomainError) as refused:
        refusals.case_property_confirm(case=case, actor=clerk)
    assert refused.value.status == 403
    case.refresh_from_db()
    assert case.status == GuaranteeCase.Status.REPORTED


def test_a_booking_has_at_most_one_open_case(world):
    booking, _better = world
    case = _report(booking)
    with pytest.raises(BookingError) as second:
        _report(booking)
    assert second.value.code == "case_open" and second.value.status == 409
    # The database refuses it too, whatever the code above checks.
    with pytest.raises(IntegrityError), transaction.atomic():
        GuaranteeCase.objects.create(
            booking=booking,
            status=GuaranteeCase.Status.CONTESTED,
            origin=GuaranteeCase.Origin.LINE,
            respond_by=timezone.now(),
            budget_krw=1,
        )
    assert list(booking.guarantee_cases.all()) == [case]


def test_the_property_cancelling_online_while_a_report_waits_answers_it(world):
    booking, better = world
    case = _report(booking)
    opened = booking_cancel_by_property(booking=booking, actor=_owner(booking), reason="누수")
    assert opened.pk == case.pk and opened.status == GuaranteeCase.Status.OPENED
    assert guarantee.case_search(case_id=case.pk) == "rebooked"
    case.refresh_from_db()
    assert case.rebooked.room_type == better


def test_only_the_guest_reports_their_confirmed_stay(world):
    booking, _better = world
    with pytest.raises(BookingError) as stranger:
        refusals.case_report(booking=booking, actor=UserFactory())
    assert stranger.value.status == 404
    pending = RoomTypeFactory(property=booking.property, grade=1)
    from bookings.services.stays import booking_hold

    unpaid = booking_hold(
        guest=booking.guest,
        room_type=pending,
        check_in=booking.check_in,
        check_out=booking.check_out,
        guests=2,
    )
    with pytest.raises(BookingError) as not_confirmed:
        _report(unpaid)
    assert not_confirmed.value.code == "not_reportable"
    with pytest.raises(BookingError) as too_long:
        _report(booking, note="x" * 2001)
    assert too_long.value.code == "statement_too_long"


def test_a_guest_reports_only_so_often_but_an_agent_taking_a_call_is_not_limited(world, settings):
    booking, better = world
    settings.BOOKINGS_GUARANTEE_REPORTS_PER_GUEST = 1
    _report(booking)
    other = confirmed_booking(better, user=booking.guest, days_ahead=0, nights=1)
    with pytest.raises(BookingError) as limited:
        _report(other)
    assert limited.value.code == "report_rate_limited" and limited.value.status == 429
    case = refusals.case_report(booking=other, actor=_agent(), note="전화: 방이 없다고 함", by_agent=True)
    assert case.origin == GuaranteeCase.Origin.LINE and case.status == GuaranteeCase.Status.REPORTED
    settings.BOOKINGS_GUARANTEE_REPORTS_WINDOW_DAYS = 1
    GuaranteeCase.objects.update(opened_at=timezone.now() - timedelta(days=2))
    GuaranteeCase.objects.filter(pk=case.pk).update(status=GuaranteeCase.Status.DISMISSED)
    assert _report(other).status == GuaranteeCase.Status.REPORTED  # the window moved on


def test_an_agent_opens_a_case_only_with_the_permission_and_a_note(world):
    booking, _better = world
    with pytest.raises(BookingError) as not_agent:
        refusals.case_report(booking=booking, actor=StaffFactory(), note="전화", by_agent=True)
    assert not_agent.value.status == 403
    with pytest.raises(BookingError) as no_note:
        refusals.case_report(booking=booking, actor=_agent(), note="", by_agent=True)
    assert no_note.value.code == "statement_required"
    assert not booking.guarantee_cases.exists()


def test_dismissed_reports_flag_the_guest_whose_next_silence_waits_for_an_agent(
    world, settings, django_capture_on_commit_callbacks
):
    booking, better = world
    settings.BOOKINGS_GUARANTEE_REPORTS_PER_GUEST = 10
    settings.BOOKINGS_GUARANTEE_ABUSE_DISMISSALS = 2
    agent = _agent()
    owner = _owner(booking)
    for _ in range(2):
        case = _report(booking)
        refusals.case_property_contest(case=case, actor=owner, statement="정상 입실 가능")
        assert not GuestFlag.objects.exists()
        with django_capture_on_commit_callbacks(execute=True):
            refusal_decisions.case_decide(case=case, actor=agent, uphold=False, reason="허위 신고")

    flag = GuestFlag.objects.get(guest=booking.guest, cleared_at__isnull=True)
    assert flag.dismissed_reports == 2
    assert Notification.objects.filter(
        user=agent, url=f"/admin/bookings/guestflag/{flag.pk}/change/"
    ).exists()
    assert AuditEntry.objects.filter(content_type__model="guestflag", action="guest_flagged").count() == 1

    third = _report(booking)
    _due(third)
    assert refusals.case_answer_lapse(case_id=third.pk) == "referred"
    third.refresh_from_db()
    booking.refresh_from_db()
    assert third.status == GuaranteeCase.Status.CONTESTED and booking.status == Booking.Status.CONFIRMED
    assert "flagged" in third.escalation_reason

    refusal_decisions.guest_flag_clear(flag=flag, actor=agent, reason="확인 결과 정상 고객")
    refusal_decisions.case_decide(case=third, actor=agent, uphold=True, reason="이번에는 사실")
    assert guarantee.case_search(case_id=third.pk) == "rebooked"
    assert not GuestFlag.objects.filter(guest=booking.guest, cleared_at__isnull=True).exists()


def test_the_guarantee_line_is_shown_the_korean_way():
    from bookings.services.common import guarantee_line

    line = guarantee_line()
    assert line.display == "1588-0000" and line.href == "tel:+82-1588-0000"
