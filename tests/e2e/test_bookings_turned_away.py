"""Issue 14's first browser test: a guest is turned away. The property cancels nothing; the guest opens
the guarantee case from the booking page (one tap, a page that says what happens, an optional note),
the owner confirms in the portal, and the guest is rebooked into a better room nearby while the
property is charged as for a cancellation."""

import pytest
from playwright.sync_api import expect

from bookings.models import Booking, GuaranteeCase
from bookings.services.money import guarantee_charges_account
from tests.bookings.factories import (
    HAEUNDAE,
    GuestFactory,
    LodgingPartnerFactory,
    PropertyFactory,
    RoomTypeFactory,
    confirmed_booking,
    fund_guarantee,
)
from trustplatform.ledger.selectors import ledger_reconcile

from .test_bookings_guarantee import log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_guest_turned_away_opens_the_case_and_is_rebooked_into_a_better_room(
    live_server, browsers, tmp_path, settings
):
    settings.SITE_URL = live_server.url
    settings.BOOKINGS_AUTO_REBOOK_HOURS = 24 * 30  # check-in is today: the best room is booked at once
    settings.BOOKINGS_GUARANTEE_LINE = "+8215880000"
    base = live_server.url
    fund_guarantee()
    partner = LodgingPartnerFactory()
    hotel = PropertyFactory(partner=partner, name="해운대 바다 호텔", rating="4.5", star_class=4)
    standard = RoomTypeFactory(property=hotel, grade=2, price_krw=100_000, name="스탠다드")
    neighbour = PropertyFactory(
        name="달맞이 호텔", latitude=HAEUNDAE[0], longitude=HAEUNDAE[1] + 0.004, rating="4.7", star_class=5
    )
    deluxe = RoomTypeFactory(property=neighbour, grade=3, price_krw=130_000, name="디럭스 오션뷰")
    user = GuestFactory(email="turned-away@example.kr", full_name="김안심")
    booking = confirmed_booking(standard, user=user, days_ahead=0, nights=1)

    # --- At the door: the guest sees the guarantee line and taps "the property refused me" -----------
    page = browsers.new_page()
    log_in(page, base, user.email)
    page.goto(f"{base}/stays/bookings/{booking.code}/")
    expect(page.locator("#guarantee-line")).to_have_text("1588-0000")
    expect(page.locator("#guarantee-line")).to_have_attribute("href", "tel:+82-1588-0000")
    page.locator("#report-refusal").click()
    expect(page.locator("#refusal-form")).to_be_visible()  # the step that says what happens
    page.screenshot(path=str(tmp_path / "01-what-happens.png"), full_page=True)
    page.fill("#id_note", "프런트에서 방이 없다고 돌려보냈어요")
    page.locator("#refusal-submit").click()
    expect(page.locator("section.guarantee-report")).to_have_attribute("data-case-status", "reported")
    case = GuaranteeCase.objects.get(booking=booking)
    assert case.origin == GuaranteeCase.Origin.GUEST and case.guest_statement.startswith("프런트에서")

    # --- The owner is asked in the portal and confirms it could not host the guest -----------------
    owner = browsers.new_page()
    log_in(owner, base, partner.owner.email)
    owner.goto(f"{base}/portal/stays/bookings/{booking.code}/")
    owner.locator("#refusal-alert a").click()
    expect(owner.locator("#case-status")).to_have_attribute("data-status", "reported")
    expect(owner.locator("#main")).to_contain_text("프런트에서 방이 없다고 돌려보냈어요")
    owner.screenshot(path=str(tmp_path / "02-owner-asked.png"), full_page=True)
    owner.locator("#confirm-submit").click()
    expect(owner.locator("#case-status")).to_have_attribute("data-status", "rebooked")

    # --- The guest is booked into the better room next door, at no extra cost ----------------------
    page.goto(f"{base}/stays/bookings/{booking.code}/")
    expect(page.locator("section.guarantee")).to_have_attribute("data-case-status", "rebooked")
    expect(page.locator("#rebooked")).to_contain_text("디럭스 오션뷰")
    page.screenshot(path=str(tmp_path / "03-rebooked.png"), full_page=True)
    case.refresh_from_db()
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CANCELLED_BY_PROPERTY
    assert case.status == GuaranteeCase.Status.REBOOKED and case.rebooked.room_type == deluxe
    assert case.rebooked.status == Booking.Status.CONFIRMED and case.rebooked.guest_paid_krw == 100_000
    # The property pays the extra cost and the penalty, as for a cancellation.
    assert (case.extra_cost_krw, case.penalty_krw) == (30_000, 10_000)
    assert guarantee_charges_account(partner).balance_krw == -40_000
    assert ledger_reconcile() == []
    assert browsers.problems == []
