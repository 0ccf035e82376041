"""The agents' admin: queue by time to check-in, candidates with scores, manual rebooking, notes, history."""

import pytest
from django.contrib.auth.models import Permission
from django.test import Client

from bookings.models import GuaranteeCase
from bookings.services import guarantee
from bookings.services.stays import booking_cancel_by_property
from tests.factories import UserFactory

from .factories import PropertyFactory, RoomTypeFactory, confirmed_booking, fund_guarantee

pytestmark = pytest.mark.django_db


@pytest.fixture
def agent():
    user = UserFactory(email="agent@ansim.kr", full_name="상담원", is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(content_type__app_label="bookings"))
    client = Client()
    client.force_login(user)
    client.user = user
    return client


def _case(days_ahead, prop=None):
    prop = prop or PropertyFactory()
    booking = confirmed_booking(RoomTypeFactory(property=prop, grade=2), days_ahead=days_ahead)
    return booking_cancel_by_property(booking=booking, actor=None, reason="overbooked")


def test_the_queue_lists_open_cases_soonest_check_in_first(agent):
    fund_guarantee()
    later, sooner = _case(9), _case(2)
    page = agent.get("/admin/bookings/guaranteecase/").content.decode()
    assert page.index(sooner.booking.code) < page.index(later.booking.code)


def test_the_case_page_shows_candidates_and_the_owners_history_and_an_agent_rebooks_by_hand(agent):
    fund_guarantee()
    prop = PropertyFactory()
    better = RoomTypeFactory(property=prop, grade=3, price_krw=120_000)
    case = _case(4, prop)
    assert guarantee.case_search(case_id=case.pk) == "offered"
    guarantee.case_escalate(instance=case, actor=agent.user, reason="call the guest")
    page = agent.get(f"/admin/bookings/guaranteecase/{case.pk}/change/").content.decode()
    score = case.candidates.get().score
    assert (
        "overbooked" in page
        and f"{score}" in page
        and f"/admin/bookings/guaranteecase/{case.pk}/rebook/" in page
    )
    response = agent.post(f"/admin/bookings/guaranteecase/{case.pk}/rebook/", {"room_type": better.pk})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == GuaranteeCase.Status.REBOOKED and case.rebooked.room_type == better
    prop_page = agent.get(f"/admin/bookings/property/{prop.pk}/change/").content.decode()
    assert case.booking.code in prop_page


def test_booking_and_property_lists_render(agent):
    confirmed_booking(RoomTypeFactory(property=PropertyFactory()))
    for url in [
        "/admin/bookings/booking/",
        "/admin/bookings/property/",
        "/admin/bookings/calendarfeed/",
        "/admin/bookings/conflict/",
        "/admin/bookings/guaranteecase/?queue=all",
    ]:
        assert agent.get(url).status_code == 200, url


def test_booking_change_page_shows_no_real_number_and_runs_transitions(agent):
    booking = confirmed_booking(RoomTypeFactory(property=PropertyFactory()), days_ahead=0, nights=1)
    page = agent.get(f"/admin/bookings/booking/{booking.pk}/change/").content.decode()
    assert booking.code in page and booking.guest_phone not in page
    response = agent.post(
        f"/admin/bookings/booking/{booking.pk}/change/", {"_fsm_transition_to": "check_in_guest"}
    )
    assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.status == "checked_in"
