"""A home outside the districts the first catalogue knew, in real browsers: a broker in 춘천 lists it,
choosing its 동 from the area autocomplete in the portal; a consumer finds it by choosing 춘천시 in the
search (with the keyboard), and a Seoul listing stays out. Pages are checked through stable `data-`
attributes and catalogue names, not translated text.
"""

import pytest
from playwright.sync_api import expect

from listings import services
from listings.models import Listing
from tests.listings.conftest import listing_data

from ..factories import PASSWORD, MembershipFactory, PartnerFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SUBMIT = "#main form button[type=submit]"
HYOJA = "강원특별자치도 춘천시 효자동"


def log_in(page, base: str, email: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", email)
    page.fill("#id_password", PASSWORD)
    page.locator(SUBMIT).click()
    expect(page).to_have_url(f"{base}/")


def test_a_broker_in_chuncheon_lists_through_autocomplete_and_a_consumer_finds_it(live_server, browsers):
    base = live_server.url
    broker = MembershipFactory(
        user=UserFactory(email="broker@chuncheon.kr"),
        partner=PartnerFactory(kind="brokerage", name="춘천 믿음 공인중개사사무소"),
    ).user
    seoul_broker = MembershipFactory(partner=PartnerFactory(kind="brokerage")).user
    seoul = services.listing_create(
        partner=seoul_broker.memberships.get().partner, actor=seoul_broker, data=listing_data(), publish=True
    )

    # The broker types part of the name and picks the 동 from the list.
    office = browsers.new_page()
    log_in(office, base, broker.email)
    office.goto(f"{base}/portal/listings/new/")
    office.fill("#id_title", "효자동 강원대 앞 투룸")
    office.locator("#id_dong_code").press_sequentially("춘천 효자", delay=30)
    option = office.locator("#id_dong_code_options [role=option]", has_text=HYOJA)
    expect(option).to_be_visible()
    option.click()
    expect(office.locator("#id_dong_code")).to_have_value(HYOJA)
    expect(office.locator("input[type=hidden][name=dong_code]")).to_have_value("5111011200")
    office.fill("#id_address", "강원특별자치도 춘천시 효자로 100")
    office.fill("#id_unit", "201호")
    office.select_option("#id_deal_type", "monthly")
    office.fill("#id_deposit_krw", "5000000")
    office.fill("#id_monthly_rent_krw", "450000")
    office.fill("#id_size_m2", "36.3")
    office.fill("#id_floor", "2")
    office.fill("#id_rooms", "2")
    office.locator(SUBMIT).click()
    expect(office.locator('[data-status="published"]')).to_be_visible()
    listing = Listing.objects.get(partner__memberships__user=broker)
    expect(office).to_have_url(f"{base}/portal/listings/{listing.pk}/")
    expect(office.locator("#main")).to_contain_text(HYOJA)
    assert (listing.sido_code, listing.sigungu_code, listing.dong_code) == ("51", "51110", "5111011200")

    # A consumer picks 춘천시 with the keyboard and finds it; the Seoul listing is not in 춘천.
    renter = browsers.new_page()
    renter.goto(f"{base}/homes/")
    renter.locator("#id_region").press_sequentially("춘천", delay=30)
    first = renter.locator("#id_region_options [role=option]").first
    expect(first).to_have_text("강원특별자치도 춘천시")
    expect(first).to_have_attribute("aria-selected", "true")
    renter.locator("#id_region").press("Enter")
    expect(renter.locator("input[type=hidden][name=region]")).to_have_value("5111000000")
    renter.locator(SUBMIT).click()
    expect(renter.locator(f'[data-listing="{listing.pk}"]')).to_be_visible()
    expect(renter.locator(f'[data-listing="{listing.pk}"]')).to_contain_text(HYOJA)
    expect(renter.locator(f'[data-listing="{seoul.pk}"]')).to_have_count(0)
    expect(renter.locator("#id_region")).to_have_value("강원특별자치도 춘천시")

    # Typing again clears the chosen code: a name with no match finds no area and sends none.
    renter.locator("#id_region").fill("")
    renter.locator("#id_region").press_sequentially("없는동네", delay=30)
    expect(renter.locator("#id_region_options .region-empty")).to_be_visible()
    expect(renter.locator("input[type=hidden][name=region]")).to_have_value("")
    assert not browsers.problems, browsers.problems
