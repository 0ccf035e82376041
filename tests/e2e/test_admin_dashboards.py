"""Staff open the dashboards in a real browser: every chart they may see draws on its canvas from the
vendored Chart.js, with no script error and nothing loaded from elsewhere, on a desktop and on a phone."""

import pytest
from django.apps import apps
from django.contrib.auth.models import Group
from playwright.sync_api import expect

from bookings.models import GuaranteeCase
from tests.bookings.factories import PropertyFactory, RoomTypeFactory, confirmed_booking
from trustplatform.accounts.second_factor import staff_needs_second_factor
from trustplatform.accounts.staff import staff_groups_sync

from ..factories import PASSWORD, UserFactory
from ..second_factor import second_factor_enrol

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_staff_open_the_dashboards_and_the_charts_draw(live_server, browsers):
    for config in apps.get_app_configs():  # the flushed database's staff groups, again
        staff_groups_sync(config)
    booking = confirmed_booking(RoomTypeFactory(property=PropertyFactory(), rooms=2), days_ahead=10)
    GuaranteeCase.objects.create(booking=booking, budget_krw=100_000)
    agent = UserFactory(email="agent@example.kr", is_staff=True, full_name="상담원 이")
    agent.groups.add(Group.objects.get(name="agents"))
    base = live_server.url

    page = browsers.new_page()
    console_errors = []
    page.on("console", lambda message: message.type == "error" and console_errors.append(message.text))
    page.goto(f"{base}/admin/login/?next=/admin/dashboards/")
    page.fill("#id_username", agent.email)
    page.fill("#id_password", PASSWORD)
    page.locator("#login-form [type=submit]").click()
    if staff_needs_second_factor(agent):
        second_factor_enrol(page)
    expect(page).to_have_url(f"{base}/admin/dashboards/")

    canvases = page.locator("canvas[data-chart]")
    expect(canvases.first).to_be_visible()
    count = canvases.count()
    assert count >= 3
    for index in range(count):
        expect(canvases.nth(index)).to_have_attribute("data-drawn", "true")
        box = canvases.nth(index).bounding_box()
        assert box and box["width"] > 100 and box["height"] > 100
    assert page.evaluate("typeof window.Chart") == "function"
    # Each chart has its figures in words beside it.
    expect(page.locator(".dashboard-summary")).to_have_count(count)

    # On a phone the page does not scroll sideways.
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    expect(canvases.first).to_have_attribute("data-drawn", "true")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")

    assert not console_errors, console_errors
    assert not browsers.problems, browsers.problems
