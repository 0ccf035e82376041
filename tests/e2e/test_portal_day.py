"""The owner's day on a phone, in a real browser: the portal home at 390×844 lists the double booking
to resolve and fits the screen; the owner follows it to its page, then opens the room's calendar and
stops sale on two nights by tapping the first and the last."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from bookings.models import Night
from tests.bookings.factories import (
    CalendarFeedFactory,
    ConflictFactory,
    LodgingPartnerFactory,
    PropertyFactory,
    RoomTypeFactory,
    confirmed_booking,
)

from ..factories import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def log_in(page, base: str, email: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", email)
    page.fill("#id_password", PASSWORD)
    page.locator("#main form button[type=submit]").click()
    expect(page).to_have_url(f"{base}/")


def no_sideways_scroll(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} is {width}px wide"


def two_nights_in_one_month():
    first = timezone.localdate() + timedelta(days=5)
    while (first + timedelta(days=1)).month != first.month:
        first += timedelta(days=1)
    return first, first + timedelta(days=1)


def test_the_owner_follows_the_double_booking_and_stops_sale_on_two_nights(live_server, browsers, tmp_path):
    base = live_server.url
    partner = LodgingPartnerFactory()
    room = RoomTypeFactory(property=PropertyFactory(partner=partner, name="광안 오션 호텔"), name="오션 더블",
                           rooms=2, days=60)
    booking = confirmed_booking(room, days_ahead=3, nights=2)
    conflict = ConflictFactory(booking=booking, feed__name="Airbnb",
                               deadline=timezone.now() + timedelta(hours=30))

    owner = browsers.new_page()
    owner.set_viewport_size(PHONE)
    log_in(owner, base, partner.owner.email)

    # --- The day: the double booking is there, with its deadline; the page fits the phone ----------
    owner.goto(f"{base}/portal/")
    item = owner.locator('[data-agenda="conflict"]')
    expect(item).to_have_count(1)
    expect(item).to_contain_text("Airbnb")
    expect(item.locator("time")).to_be_visible()
    no_sideways_scroll(owner)
    owner.screenshot(path=str(tmp_path / "01-portal-home.png"), full_page=True)

    item.locator("a").click()
    expect(owner).to_have_url(f"{base}/portal/stays/conflicts/{conflict.pk}/")
    expect(owner.locator("#conflict-deadline")).to_be_visible()
    expect(owner.locator("#conflict-keep")).to_be_visible()
    no_sideways_scroll(owner)

    # --- The calendar: tap two nights, stop sale -----------------------------------------------------
    first, last = two_nights_in_one_month()

    def cell(night):
        return owner.locator(f'td[data-date="{night.isoformat()}"]')

    owner.goto(f"{base}/portal/stays/rooms/{room.pk}/calendar/?month={first:%Y-%m}")
    expect(owner.locator(".cal-legend li")).to_have_count(5)
    no_sideways_scroll(owner)
    owner.locator(f'a[data-pick="{first.isoformat()}"]').click()
    owner.locator(f'a[data-pick="{last.isoformat()}"]').click()
    expect(owner.locator("#id_start")).to_have_value(first.isoformat())
    expect(owner.locator("#id_last")).to_have_value(last.isoformat())
    for night in (first, last):
        expect(cell(night)).to_have_class("cal-day cal-day--available is-selected")
    owner.screenshot(path=str(tmp_path / "02-calendar-range.png"), full_page=True)
    owner.locator("#range-stop").click()

    expect(owner.locator(".messages")).to_be_visible()
    for night in (first, last):
        expect(cell(night)).to_have_attribute("data-state", "stopped")
    after = cell(last + timedelta(days=1))
    if after.count():
        expect(after).not_to_have_attribute("data-state", "stopped")
    stopped = Night.objects.filter(room_type=room, stop_sell=True).values_list("date", flat=True)
    assert set(stopped) == {first, last}
    no_sideways_scroll(owner)
    owner.screenshot(path=str(tmp_path / "03-calendar-stopped.png"), full_page=True)
    assert browsers.problems == []


def test_the_stay_pages_fit_a_phone_and_a_broken_calendar_feed_reads_as_a_sentence(live_server, browsers):
    base = live_server.url
    partner = LodgingPartnerFactory()
    hotel = PropertyFactory(partner=partner, name="해운대 " + "아주긴이름" * 12)  # a long unbroken name
    room = RoomTypeFactory(property=hotel, name="스탠다드 트윈")
    confirmed_booking(room, days_ahead=2, nights=1)
    unreachable = "The calendar could not be reached ([Errno -2] Name or service not known)."
    CalendarFeedFactory(room_type=room, name="Booking.com", state="failing", last_error=unreachable)
    owner = browsers.new_page()
    owner.set_viewport_size(PHONE)
    log_in(owner, base, partner.owner.email)
    property_page = f"/portal/stays/properties/{hotel.pk}/"
    for path in ["/portal/", "/portal/stays/", "/portal/stays/bookings/", "/portal/stays/feeds/",
                 property_page, f"{property_page}rooms/{room.pk}/", "/portal/stays/guarantee/",
                 "/portal/stays/reviews/", "/portal/safe-numbers/?show=all"]:
        owner.goto(f"{base}{path}")
        no_sideways_scroll(owner)
    owner.goto(f"{base}/portal/stays/feeds/")
    expect(owner.locator("[data-feed-error]")).to_be_visible()
    expect(owner.locator("#main")).not_to_contain_text("Errno")
    owner.goto(f"{base}/portal/stays/properties/{hotel.pk}/rooms/{room.pk}/")
    box = owner.locator("fieldset.check-grid input[type=checkbox]").first.bounding_box()
    label = owner.locator("fieldset.check-grid label span").first.bounding_box()
    assert abs(box["y"] + box["height"] / 2 - (label["y"] + label["height"] / 2)) < 8  # beside, not above
    assert browsers.problems == []
