"""Guaranteed stay in a real browser: the guest searches, books and pays through the sandbox checkout
(its signed webhook goes over HTTP to the live server), the owner cancels in the portal with a reason,
and the guest sees the upgrade offers on the booking page and takes one: a confirmed better room."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from bookings.models import Booking, GuaranteeCase
from tests.bookings.factories import (
    HAEUNDAE,
    GuestFactory,
    LodgingPartnerFactory,
    PropertyFactory,
    RoomTypeFactory,
    fund_guarantee,
)

from ..factories import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SUBMIT = "#main form button[type=submit]"


def log_in(page, base: str, email: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", email)
    page.fill("#id_password", PASSWORD)
    page.locator(SUBMIT).click()
    expect(page).to_have_url(f"{base}/")


def test_guest_books_owner_cancels_guest_takes_the_upgrade(live_server, browsers, tmp_path, settings):
    settings.SITE_URL = live_server.url
    base = live_server.url
    fund_guarantee()
    partner = LodgingPartnerFactory()
    hotel = PropertyFactory(partner=partner, name="해운대 바다 호텔", rating="4.5")
    standard = RoomTypeFactory(property=hotel, grade=2, price_krw=100_000, name="스탠다드")
    suite = RoomTypeFactory(property=hotel, grade=4, price_krw=160_000, name="오션 스위트")
    neighbour = PropertyFactory(
        name="달맞이 호텔", latitude=HAEUNDAE[0], longitude=HAEUNDAE[1] + 0.004, rating="4.7", star_class=5
    )
    RoomTypeFactory(property=neighbour, grade=3, price_krw=120_000, name="디럭스")
    user = GuestFactory(email="guest@example.kr", full_name="김안심")
    check_in = timezone.localdate() + timedelta(days=5)
    check_out = check_in + timedelta(days=2)

    # --- The guest searches, opens the hotel and books the standard room --------------------------
    page = browsers.new_page()
    log_in(page, base, user.email)
    page.goto(
        f"{base}/stays/?place=haeundae&check_in={check_in}&check_out={check_out}&guests=2&sort=distance"
    )
    page.locator(f'li[data-property="{hotel.pk}"] a').click()
    expect(page.locator(f'[data-room-type="{standard.pk}"]')).to_contain_text("200,000원")
    page.locator(f'[data-room-type="{standard.pk}"] a.button').click()
    expect(page.locator("#book-total")).to_contain_text("200,000")
    page.locator("#id_must_have input[value=ocean_view]").check()
    page.locator("#book-submit").click()
    booking = Booking.objects.get(guest=user)
    expect(page.locator("#psp-pay")).to_contain_text("200,000")
    page.screenshot(path=str(tmp_path / "01-checkout.png"), full_page=True)
    page.locator("#psp-pay").click()
    expect(page.locator("#booking-status")).to_have_attribute("data-status", "confirmed")
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED

    # --- The owner sees it in the portal and cancels it with a reason -----------------------------
    owner = browsers.new_page()
    log_in(owner, base, partner.owner.email)
    owner.goto(f"{base}/portal/stays/bookings/")
    owner.locator(f'tr[data-booking="{booking.code}"] a').click()
    owner.fill("#id_reason", "온수 배관 고장")
    owner.locator("#cancel-submit").click()
    owner.locator("#cancel-confirm-submit").click()  # the dialog naming the penalty
    expect(owner.locator("#booking-status")).to_have_attribute("data-status", "cancelled_by_property")
    owner.screenshot(path=str(tmp_path / "02-owner-cancelled.png"), full_page=True)

    # --- The guest sees the offers and takes the suite --------------------------------------------
    page.goto(f"{base}/stays/bookings/{booking.code}/")
    expect(page.locator("section.guarantee")).to_have_attribute("data-case-status", "offered")
    offers = page.locator("li.offer")
    expect(offers).to_have_count(2)
    expect(offers.first).to_contain_text("오션 스위트")
    page.screenshot(path=str(tmp_path / "03-offers.png"), full_page=True)
    offers.first.locator("button.accept-offer").click()
    expect(page.locator("#booking-status")).to_have_attribute("data-status", "confirmed")
    case = GuaranteeCase.objects.get(booking=booking)
    assert case.status == GuaranteeCase.Status.REBOOKED and case.rebooked.room_type == suite
    expect(page.locator("#main h1")).to_have_text("해운대 바다 호텔")
    page.goto(f"{base}/stays/bookings/{booking.code}/")
    expect(page.locator("#rebooked")).to_contain_text("오션 스위트")
    assert browsers.problems == []
