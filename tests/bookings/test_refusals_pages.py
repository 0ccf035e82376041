"""The guarantee a guest calls in, on the pages: the booking page (guarantee line, report button, the
report's state), the confirmation step, the owner portal's answer, and the agents' admin pages."""

import pytest
from django.test import Client

from bookings.models import Booking, GuaranteeCase, GuestFlag
from bookings.services import refusals
from tests.factories import StaffFactory

from .factories import (
    HAEUNDAE,
    LodgingPartnerFactory,
    PropertyFactory,
    RoomTypeFactory,
    confirmed_booking,
    fund_guarantee,
)

pytestmark = pytest.mark.django_db


def _login(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def stay(settings):
    settings.BOOKINGS_GUARANTEE_LINE = "+8215880000"
    fund_guarantee()
    partner = LodgingPartnerFactory()
    RoomTypeFactory(
        property=PropertyFactory(latitude=HAEUNDAE[0], longitude=HAEUNDAE[1] + 0.003, rating="4.8"), grade=3
    )
    booking = confirmed_booking(
        RoomTypeFactory(property=PropertyFactory(partner=partner), grade=2), days_ahead=0, nights=1
    )
    return partner, booking


def test_a_confirmed_booking_shows_the_guarantee_line_and_the_report_button(stay):
    _partner, booking = stay
    page = _login(booking.guest).get(f"/stays/bookings/{booking.code}/").content.decode()
    assert 'href="tel:+82-1588-0000"' in page and ">1588-0000</a>" in page
    assert f'href="/stays/bookings/{booking.code}/refused/"' in page


def test_the_guest_reports_after_a_page_that_says_what_happens(stay, settings):
    _partner, booking = stay
    settings.BOOKINGS_GUARANTEE_RESPONSE_MINUTES = 15
    client = _login(booking.guest)
    confirm = client.get(f"/stays/bookings/{booking.code}/refused/")
    assert confirm.status_code == 200 and not booking.guarantee_cases.exists()
    assert confirm.context["minutes"] == 15 and 'id="refusal-submit"' in confirm.content.decode()

    done = client.post(f"/stays/bookings/{booking.code}/refused/", {"note": "체크인 거절"})
    assert done.status_code == 302 and done["Location"] == f"/stays/bookings/{booking.code}/"
    case = booking.guarantee_cases.get()
    assert case.status == GuaranteeCase.Status.REPORTED and case.guest_statement == "체크인 거절"
    page = client.get(f"/stays/bookings/{booking.code}/").content.decode()
    assert 'data-case-status="reported"' in page and "체크인 거절" in page
    assert 'id="report-refusal"' not in page  # one open case at a time


def test_a_refused_report_shows_on_the_form_not_as_an_error_page(stay):
    _partner, booking = stay
    client = _login(booking.guest)
    client.post(f"/stays/bookings/{booking.code}/refused/", {})
    again = client.post(f"/stays/bookings/{booking.code}/refused/", {})
    assert again.status_code == 200 and again.context["form"].errors
    assert booking.guarantee_cases.count() == 1


def test_another_guest_cannot_open_the_confirmation_step(stay):
    _partner, booking = stay
    stranger = _login(LodgingPartnerFactory().owner)
    assert stranger.get(f"/stays/bookings/{booking.code}/refused/").status_code == 404
    assert stranger.post(f"/stays/bookings/{booking.code}/refused/", {}).status_code == 404


def test_the_owner_sees_the_report_and_contests_it_in_the_portal(stay):
    partner, booking = stay
    case = refusals.case_report(booking=booking, actor=booking.guest, note="방 없음")
    owner = _login(partner.owner)
    booking_page = owner.get(f"/portal/stays/bookings/{booking.code}/").content.decode()
    assert (
        f'href="/portal/stays/guarantee/{case.pk}/"' in booking_page and 'id="refusal-alert"' in booking_page
    )
    assert f'data-case="{case.pk}"' in owner.get("/portal/stays/guarantee/").content.decode()
    page = owner.get(f"/portal/stays/guarantee/{case.pk}/").content.decode()
    assert "방 없음" in page and 'id="contest-submit"' in page
    assert (
        owner.post(f"/portal/stays/guarantee/{case.pk}/", {"action": "contest", "statement": ""}).status_code
        == 200
    )
    response = owner.post(
        f"/portal/stays/guarantee/{case.pk}/", {"action": "contest", "statement": "객실 있음"}
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == GuaranteeCase.Status.CONTESTED and case.property_statement == "객실 있음"


def test_the_owner_confirms_in_the_portal_and_another_partner_gets_a_404(stay):
    partner, booking = stay
    case = refusals.case_report(booking=booking, actor=booking.guest)
    stranger = _login(LodgingPartnerFactory().owner)
    assert stranger.get(f"/portal/stays/guarantee/{case.pk}/").status_code == 404
    assert stranger.post(f"/portal/stays/guarantee/{case.pk}/", {"action": "confirm"}).status_code == 404
    assert (
        _login(partner.owner).post(f"/portal/stays/guarantee/{case.pk}/", {"action": "confirm"}).status_code
        == 302
    )
    case.refresh_from_db()
    assert case.status == GuaranteeCase.Status.OPENED
    assert Booking.objects.get(pk=booking.pk).status == Booking.Status.CANCELLED_BY_PROPERTY


def test_an_agent_opens_a_case_after_a_call_and_decides_it_in_the_admin(stay):
    _partner, booking = stay
    agent = _login(StaffFactory(group="agents"))
    assert (
        "/admin/bookings/guaranteecase/call/" in agent.get("/admin/bookings/guaranteecase/").content.decode()
    )
    wrong = agent.post("/admin/bookings/guaranteecase/call/", {"code": "NOPE1234", "note": "전화"})
    assert wrong.status_code == 200 and not GuaranteeCase.objects.exists()
    opened = agent.post(
        "/admin/bookings/guaranteecase/call/", {"code": booking.code.lower(), "note": "현관에서 거절"}
    )
    case = GuaranteeCase.objects.get()
    assert opened.status_code == 302 and case.origin == GuaranteeCase.Origin.LINE
    refusals.case_property_contest(
        case=case, actor=booking.property.partner.memberships.get().user, statement="손님 미도착"
    )
    change = agent.get(f"/admin/bookings/guaranteecase/{case.pk}/change/").content.decode()
    assert f"/admin/bookings/guaranteecase/{case.pk}/decide/" in change
    decide = agent.get(f"/admin/bookings/guaranteecase/{case.pk}/decide/").content.decode()
    assert "현관에서 거절" in decide and "손님 미도착" in decide
    response = agent.post(
        f"/admin/bookings/guaranteecase/{case.pk}/decide/", {"decision": "dismiss", "reason": "CCTV 확인"}
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == GuaranteeCase.Status.DISMISSED and case.decision == "CCTV 확인"


def test_staff_outside_the_agents_cannot_open_or_decide(stay):
    _partner, booking = stay
    clerk = _login(StaffFactory(group="finance"))
    response = clerk.post("/admin/bookings/guaranteecase/call/", {"code": booking.code, "note": "전화"})
    assert response.status_code in (302, 403) and not GuaranteeCase.objects.exists()


def test_agents_see_and_clear_a_guests_flag(stay):
    _partner, booking = stay
    flag = GuestFlag.objects.create(guest=booking.guest, reason="2 dismissed", dismissed_reports=2)
    agent = _login(StaffFactory(group="agents"))
    assert str(booking.guest) in agent.get("/admin/bookings/guestflag/").content.decode()
    assert (
        f"/admin/bookings/guestflag/{flag.pk}/clear/"
        in agent.get(f"/admin/bookings/guestflag/{flag.pk}/change/").content.decode()
    )
    assert (
        agent.post(f"/admin/bookings/guestflag/{flag.pk}/clear/", {"reason": "상담 후 해제"}).status_code
        == 302
    )
    flag.refresh_from_db()
    assert flag.cleared_at is not None
