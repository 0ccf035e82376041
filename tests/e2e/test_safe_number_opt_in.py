"""The safe-number choice in a real browser: a guest unticks "use a safe number" at the booking checkout
and pays; the property's portal shows the guest's own number and no safe number is opened; the guest's
next checkout starts unticked, and the safe-numbers page shows the same answer."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from bookings.models import Booking
from masking.models import MaskedSession
from tests.bookings.factories import GuestFactory, LodgingPartnerFactory, PropertyFactory, RoomTypeFactory
from tests.masking.factories import ProxyNumberFactory

from .test_bookings_guarantee import log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_guest_books_without_a_safe_number_and_the_next_checkout_remembers(
        live_server, browsers, tmp_path, settings):
    settings.SITE_URL = live_server.url
    base = live_server.url
    ProxyNumberFactory.create_batch(4)
    partner = LodgingPartnerFactory()
    hotel = PropertyFactory(partner=partner, name="광안리 안심 호텔")
    room = RoomTypeFactory(property=hotel, name="오션뷰", rooms=2)
    guest = GuestFactory(email="guest@example.kr", full_name="김안심", phone="+821044440777")
    check_in = timezone.localdate() + timedelta(days=6)
    stay = f"check_in={check_in}&check_out={check_in + timedelta(days=1)}&guests=2"

    # --- The guest books with the box unticked (it starts ticked) and pays --------------------------
    page = browsers.new_page()
    log_in(page, base, guest.email)
    page.goto(f"{base}/stays/book/{room.pk}/?{stay}")
    box = page.locator("#id_use_safe_number")
    expect(box).to_be_checked()
    box.uncheck()
    page.locator("#book-submit").click()
    page.screenshot(path=str(tmp_path / "01-checkout.png"), full_page=True)
    page.locator("#psp-pay").click()
    expect(page.locator("#booking-status")).to_have_attribute("data-status", "confirmed")
    expect(page.locator("#own-number")).to_be_visible()
    expect(page.locator("#safe-number")).to_have_count(0)
    booking = Booking.objects.get(guest=guest)
    assert booking.masked_session_id is None and not MaskedSession.objects.exists()

    # --- The property's portal shows the guest's own number ------------------------------------------
    owner = browsers.new_page()
    log_in(owner, base, partner.owner.email)
    owner.goto(f"{base}/portal/stays/bookings/{booking.code}/")
    expect(owner.locator("#guest-phone")).to_have_text("010-4444-0777")

    # --- The next checkout starts unticked, and so does the safe-numbers page ------------------------
    page.goto(f"{base}/stays/book/{room.pk}/?{stay}")
    expect(page.locator("#id_use_safe_number")).not_to_be_checked()
    page.screenshot(path=str(tmp_path / "02-next-checkout.png"), full_page=True)
    page.goto(f"{base}/safe-numbers/")
    expect(page.locator("#id_use_safe_number")).not_to_be_checked()
    assert browsers.problems == []
