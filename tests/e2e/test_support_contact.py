"""A guest asks the agents' team from their booking page, in a real browser: the question lands in the
agents' queue in the admin, an agent replies, and the guest reads the answer (and got a text)."""

import re

import pytest
from django.apps import apps
from playwright.sync_api import expect

from tests.bookings.factories import GuestFactory, RoomTypeFactory, confirmed_booking
from trustplatform.accounts.second_factor import staff_needs_second_factor
from trustplatform.accounts.staff import staff_groups_sync
from trustplatform.support.models import Inquiry

from ..factories import PASSWORD, UserFactory
from ..second_factor import second_factor_enrol

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SUBMIT = "#main form button[type=submit]"


def log_in(page, base: str, email: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", email)
    page.fill("#id_password", PASSWORD)
    page.locator(SUBMIT).click()
    expect(page).to_have_url(f"{base}/")


def test_a_question_from_the_booking_page_reaches_the_agents_queue_and_the_answer_comes_back(
    live_server, browsers, _sms_in_memory
):
    from django.contrib.auth.models import Group

    staff_groups_sync(apps.get_app_config("support"))  # the flushed database's groups, again
    base = live_server.url
    guest = GuestFactory(email="guest@example.kr", full_name="김민지")
    booking = confirmed_booking(RoomTypeFactory(rooms=2), user=guest)
    agent = UserFactory(email="agent@example.kr", is_staff=True, full_name="상담원 이")
    agent.groups.add(Group.objects.get(name="agents"))

    # The guest writes from the booking: the form already knows which booking and what about.
    page = browsers.new_page()
    log_in(page, base, guest.email)
    page.goto(f"{base}/stays/bookings/{booking.code}/")
    page.locator("#main [data-contact-link]").click()
    expect(page.locator("#id_about")).to_have_value(f"booking:{booking.pk}")
    expect(page.locator("#id_category")).to_have_value("stay")
    page.fill("#id_message", "숙소에서 방이 없다며 입실을 거부했습니다.")
    page.locator("#inquiry-form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/help/\d+/$"))
    inquiry = Inquiry.objects.get()
    assert inquiry.subject == booking

    # It waits in the agents' queue; an agent answers it there.
    desk = browsers.new_page()
    log_in(desk, base, agent.email)
    desk.goto(f"{base}/admin/support/inquiry/")
    if staff_needs_second_factor(agent):  # agents who also decide money sign in with a code
        second_factor_enrol(desk)
        expect(desk).to_have_url(f"{base}/admin/support/inquiry/")
    desk.locator(f'a[href="/admin/support/inquiry/{inquiry.pk}/change/"]').first.click()
    desk.locator('[name="_fsm_transition_to"][value="answer"]').click()
    desk.fill("textarea[name=body]", "근처 더 좋은 객실로 옮겨 드렸습니다.")
    desk.locator("form:has(textarea[name=body]) [type=submit]").first.click()
    expect(desk.locator(".messagelist .success")).to_have_count(1)

    # The guest reads the answer, and was sent a text about it.
    page.reload()
    expect(page.locator('#main [data-from="staff"]')).to_contain_text("근처 더 좋은 객실로 옮겨 드렸습니다.")
    assert any(f"#{inquiry.pk}" in text["body"] for text in _sms_in_memory)
    assert not browsers.problems, browsers.problems
