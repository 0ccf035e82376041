"""The browsing pages on a phone (390×844, Korean): the first stay shows on the first screen, above
the fold rather than under the filters; the dates can be picked on the calendar; a property's pay bar
stays in view; a home with a long unbroken title never makes the page scroll sideways."""

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from listings import services
from tests.bookings.factories import PropertyFactory, RoomTypeFactory, stay_dates
from tests.listings.conftest import listing_data
from tests.listings.factories import BrokerageFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def phone_page(browsers):
    """A page in a new browser context the size of a phone, watched like every other browser test."""
    context = browsers.browser.new_context(locale="ko-KR", viewport=PHONE)
    browsers.contexts.append(context)
    page = context.new_page()
    page.on("pageerror", lambda error: browsers.problems.append(f"JS error on {page.url}: {error}"))
    page.on("response", lambda response: browsers.problems.append(f"{response.status} for {response.url}")
            if response.status >= 400 else None)
    return page


def sideways_overflow(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")


def test_the_first_stay_is_on_the_first_screen_and_the_dates_come_from_the_calendar(live_server, browsers):
    hotel = PropertyFactory(name="해운대 오션 호텔")
    RoomTypeFactory(property=hotel, price_krw=95_000)
    check_in, check_out = stay_dates(7, 2)
    page = phone_page(browsers)
    page.goto(f"{live_server.url}/stays/?place=haeundae&check_in={check_in}&check_out={check_out}&guests=2")

    first = page.locator("li.stay-result").first
    expect(first).to_have_attribute("data-property", str(hotel.pk))
    name = first.locator(".stay-result__name").bounding_box()
    assert name["y"] + name["height"] <= PHONE["height"], f"the first stay's name starts at {name['y']}px"
    expect(first.locator("[data-stay-total]")).to_have_text("190,000원")
    expect(first.locator("[data-guarantee]")).to_be_visible()
    assert sideways_overflow(page) <= 0

    # The calendar opens on the stay's month: the first tap is check-in, the second check-out.
    new_in, new_out = check_in + timedelta(days=1), check_in + timedelta(days=3)
    toggle = page.locator(".date-range__toggle")
    toggle.click()
    page.locator(f'.date-range__day[data-date="{new_in.isoformat()}"]').click()
    if new_out.month != new_in.month:
        page.locator(".date-range__nav").last.click()
    page.locator(f'.date-range__day[data-date="{new_out.isoformat()}"]').click()
    expect(page.locator(".date-range__panel")).to_be_hidden()
    expect(page.locator("#id_check_in")).to_have_value(new_in.isoformat())
    expect(page.locator("#id_check_out")).to_have_value(new_out.isoformat())
    expect(toggle).to_contain_text("2")
    assert sideways_overflow(page) <= 0
    assert browsers.problems == []


def test_the_pay_bar_of_a_property_stays_in_view_on_a_phone(live_server, browsers):
    hotel = PropertyFactory(name="광안리 바다 호텔", rating=0, review_count=0)
    RoomTypeFactory(property=hotel, price_krw=120_000, name="오션뷰 더블")
    RoomTypeFactory(property=hotel, price_krw=180_000, name="스위트", grade=2)
    check_in, check_out = stay_dates(7, 1)
    page = phone_page(browsers)
    page.goto(f"{live_server.url}/stays/p/{hotel.pk}/?check_in={check_in}&check_out={check_out}&guests=2")

    bar = page.locator("[data-paybar]")
    expect(bar).to_be_in_viewport()
    expect(bar).to_contain_text("120,000원")
    page.mouse.wheel(0, 600)
    expect(bar).to_be_in_viewport()
    bar.locator("a.button").click()
    expect(page.locator("#rooms")).to_be_in_viewport()
    assert sideways_overflow(page) <= 0
    assert browsers.problems == []


def test_a_home_with_a_long_unbroken_title_does_not_scroll_sideways(live_server, browsers):
    brokerage = BrokerageFactory()
    # Titles stop at 120 characters; the description takes the rest of a 300-character word.
    word = "역세권풀옵션신축투룸" * 30
    listing = services.listing_create(
        partner=brokerage, actor=brokerage.memberships.get().user, publish=True,
        data=listing_data(title=word[:120], description="https://example.kr/" + "x" * 281),
    )
    page = phone_page(browsers)
    page.goto(f"{live_server.url}/homes/")
    expect(page.locator(f'[data-listing="{listing.pk}"]')).to_be_visible()
    assert sideways_overflow(page) <= 0
    page.goto(f"{live_server.url}/homes/{listing.pk}/")
    expect(page.locator("h1")).to_be_visible()
    assert sideways_overflow(page) <= 0
    assert browsers.problems == []
