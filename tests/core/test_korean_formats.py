"""Money, dates and phone numbers as Korean users read them (trustplatform/ui/korean.py), the template
tags that show them, and the `{% icon %}` tag that replaces emoji with the site's SVG icons."""

import datetime as dt
from xml.etree import ElementTree

import pytest
from django.contrib.staticfiles import finders
from django.template import Context, Template
from django.utils import translation

from trustplatform.ui import korean

# The icons other pages ask for by name: each must be a symbol of the sprite.
ICONS = ["shield", "phone", "calendar", "home", "bed", "star", "check", "alert", "lock", "money", "search",
         "user", "menu", "close", "chevron-right", "camera", "map-pin", "clock", "building", "chat"]


def render(source: str, **context) -> str:
    return Template("{% load ui %}" + source).render(Context(context))


@pytest.fixture
def ko():
    with translation.override("ko"):
        yield


@pytest.fixture
def en():
    with translation.override("en"):
        yield


def test_won_amounts_end_in_won_with_thousands_separators(ko):
    assert korean.won(190_000) == "190,000원"
    assert korean.won(-5_000) == "-5,000원"
    assert korean.won("1500") == "1,500원"


def test_won_amounts_in_english_carry_the_won_sign(en):
    assert korean.won(190_000) == "₩190,000"
    assert korean.won(-5_000) == "-₩5,000"


@pytest.mark.parametrize("value", [None, "", "abc", True])
def test_a_missing_or_unreadable_amount_shows_nothing(ko, value):
    assert korean.won(value) == ""
    assert korean.eok_man(value) == ""


@pytest.mark.parametrize(("amount", "shown"), [
    (250_000_000, "2억 5,000"),      # 전세 as listings show it
    (300_000_000, "3억"),            # no trailing zero 만
    (80_000_000, "8,000만"),         # under one 억
    (1_200_000_000_000, "12,000억"),
    (200_009_999, "2억"),            # amounts below 만 are not part of a real-estate price
])
def test_real_estate_prices_read_in_eok_and_man(ko, amount, shown):
    assert korean.eok_man(amount) == shown


def test_a_sale_price_can_end_in_man(ko):
    assert korean.eok_man(1_150_000_000, man_suffix=True) == "11억 5,000만"
    assert korean.eok_man(1_100_000_000, man_suffix=True) == "11억"


def test_monthly_rent_reads_deposit_over_rent_in_man(ko):
    assert korean.rent(1_000_000, 300_000) == "100/30"
    assert korean.rent(10_000_000, 650_000) == "1,000/65"
    assert korean.rent(100_000_000, 500_000) == "1억/50"
    assert korean.rent(None, 500_000) == "0/50"


@pytest.mark.parametrize(("amount", "shown"), [
    (100_000, "10만"),        # 관리비 as listing cards show it
    (75_000, "7.5만"),
    (73_500, "7.4만"),        # rounded to the nearest 천, half up
    (99_960, "10만"),
    (1_250_000, "125만"),
    (5_000, "5,000원"),       # under one 만 the won amount reads better than "0.5만"
    (0, "0원"),
])
def test_monthly_fees_read_in_man_rounded_to_cheon(ko, amount, shown):
    assert korean.man(amount) == shown


def test_monthly_fees_in_english_are_exact_won(en):
    assert korean.man(75_000) == "₩75,000"
    assert korean.man(None) == ""


def test_days_read_month_day_and_weekday(ko):
    thursday = dt.date(2026, 12, 10)
    assert korean.day(thursday) == "12월 10일 (목)"
    assert korean.day(thursday, with_year=True) == "2026년 12월 10일 (목)"


def test_days_in_english(en):
    thursday = dt.date(2026, 12, 10)
    assert korean.day(thursday) == "Thu, Dec 10"
    assert korean.day(thursday, with_year=True) == "Thu, Dec 10, 2026"


def test_a_moment_is_shown_in_korea_time_even_across_the_utc_date(ko):
    # 15:30 UTC on Wednesday the 9th is already 00:30 on Thursday the 10th in Seoul.
    late_utc = dt.datetime(2026, 12, 9, 15, 30, tzinfo=dt.UTC)
    assert korean.moment(late_utc) == "12월 10일 (목) 00:30"
    assert korean.day(late_utc) == "12월 10일 (목)"
    assert korean.moment(late_utc, with_year=True) == "2026년 12월 10일 (목) 00:30"


def test_a_moment_in_english_is_also_in_korea_time(en):
    late_utc = dt.datetime(2026, 12, 31, 20, 5, tzinfo=dt.UTC)
    assert korean.moment(late_utc) == "Fri, Jan 1 05:05"
    assert korean.moment(late_utc, with_year=True) == "Fri, Jan 1, 2027 05:05"


def test_a_moment_of_a_date_alone_is_the_day(ko):
    assert korean.moment(dt.date(2026, 12, 10)) == "12월 10일 (목)"
    assert korean.moment(None) == "" and korean.day("") == ""


@pytest.mark.parametrize(("e164", "shown"), [
    ("+825051000001", "050-5100-0001"),   # a safe number
    ("+821012345678", "010-1234-5678"),   # a mobile number
    ("+8225551234", "02-555-1234"),       # Seoul
    ("+14155550123", "+1 415-555-0123"),  # foreign numbers stay international
])
def test_phone_numbers_read_in_national_form(ko, e164, shown):
    assert korean.phone(e164) == shown


def test_phone_numbers_are_written_the_same_in_english(en):
    assert korean.phone("+825051000001") == "050-5100-0001"


def test_an_unreadable_phone_number_is_shown_as_given_and_gets_no_tel_link():
    assert korean.phone("call the front desk") == "call the front desk"
    assert korean.phone(None) == ""
    assert korean.tel_target("call the front desk") == ""
    assert korean.tel_target("") == ""


@pytest.mark.parametrize("number", ["+825051000001", "050-5100-0001", "05051000001"])
def test_the_tel_target_is_e164_however_the_number_was_written(number):
    assert korean.tel_target(number) == "tel:+825051000001"


def test_the_template_filters_show_the_same_forms(ko):
    shown = render("{{ a|won }}|{{ b|eok }}|{{ c|eok:'만' }}|{% rent d m %}|"
                   "{{ t|day }}|{{ t|moment }}|{{ p|phone }}|{{ f|man }}",
                   a=190_000, b=250_000_000, c=1_150_000_000, d=1_000_000, m=300_000,
                   t=dt.datetime(2026, 12, 10, 6, 0, tzinfo=dt.UTC), p="+825051000001", f=75_000)
    assert shown.split("|") == ["190,000원", "2억 5,000", "11억 5,000만", "100/30",
                                "12월 10일 (목)", "12월 10일 (목) 15:00", "050-5100-0001", "7.5만"]


def test_a_phone_link_can_be_tapped_to_call():
    assert render("{% phone_link p %}", p="+825051000001") == (
        '<a class="phone" href="tel:+825051000001">050-5100-0001</a>')
    assert render("{% phone_link p %}", p="front desk") == "front desk"


def test_the_sprite_has_every_icon_the_pages_use():
    path = finders.find("icons/sprite.svg")
    assert path, "static/icons/sprite.svg is missing"
    symbols = {element.get("id") for element in ElementTree.parse(path).getroot()
               if element.tag.endswith("symbol")}
    assert set(ICONS) <= symbols
    for element in ElementTree.parse(path).getroot():
        if element.tag.endswith("symbol"):
            assert element.get("viewBox") == "0 0 24 24", element.get("id")


def test_an_icon_is_decorative_by_default():
    html = render('{% icon "shield" %}')
    assert html.startswith("<svg ") and 'class="icon' in html
    assert 'aria-hidden="true"' in html and 'role="img"' not in html
    assert 'href="/static/icons/sprite.svg#shield"' in html


def test_an_icon_with_a_label_is_an_image_with_a_title():
    html = render('{% icon "alert" label %}', label="주의 <필요>")
    assert 'role="img"' in html and 'aria-hidden' not in html
    assert "<title>주의 &lt;필요&gt;</title>" in html  # the label is escaped, never markup
    assert "sprite.svg#alert" in html


def test_an_icon_keeps_extra_classes():
    assert 'class="icon icon--star icon--filled"' in render('{% icon "star" css_class="icon--filled" %}')
