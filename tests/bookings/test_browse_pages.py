"""The stays pages people choose from: a search card shows a photo, the price of the whole stay in won
and the guarantee; a property page shows its photos, rooms with their price, the refund policy in
words, the guests' reviews and a pay bar with the lowest price."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import translation
from django.utils.translation import gettext, ngettext

from bookings.demo import PHOTOS
from bookings.models import PropertyPhoto
from trustplatform.ui import korean

from .factories import PropertyFactory, RoomTypeFactory, stay_dates
from .test_reviews import review

pytestmark = pytest.mark.django_db

GUARANTEE = "Guaranteed: if the property cancels, we move you to a better room at our cost."


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _card(html: str, attribute: str, pk: int) -> str:
    """The markup of one card: from its marker to the next card's, or the end of its section."""
    assert f'{attribute}="{pk}"' in html, f"no card {attribute}={pk}"
    return html.split(f'{attribute}="{pk}"')[1].split(f"{attribute}=")[0].split("</section>")[0]


def _photo(prop) -> PropertyPhoto:
    path = PHOTOS[0]
    photo = PropertyPhoto(property=prop, caption="바다 전망 객실")
    photo.image.save(path.name, SimpleUploadedFile(path.name, path.read_bytes()), save=False)
    photo.save()
    return photo


@pytest.mark.parametrize("language", ["ko", "en"])
def test_a_search_card_shows_the_photo_the_price_of_the_whole_stay_in_won_and_the_guarantee(language):
    prop = PropertyFactory(name="오션 스테이")
    RoomTypeFactory(property=prop, price_krw=95_000)
    photo = _photo(prop)
    check_in, check_out = stay_dates(3, 2)
    page = Client(headers={"accept-language": language}).get(
        "/stays/", {"place": "haeundae", "check_in": check_in, "check_out": check_out, "guests": 2}
    )
    card = _card(page.content.decode(), "data-property", prop.pk)
    with translation.override(language):
        assert korean.won(190_000) in card  # two nights at 95,000
        assert ngettext("%(n)s night", "%(n)s nights", 2) % {"n": 2} in card
        assert "data-guarantee" in card and gettext(GUARANTEE) in card
    assert photo.image.url in card and 'data-stay-total="190000"' in card
    if language == "ko":
        assert "190,000원" in card and "₩" not in card


def test_the_search_keeps_the_extra_filters_folded_and_the_main_ones_in_view():
    page = Client().get("/stays/").content.decode()
    assert re.search(r'<details class="stay-search__more"\s*>', page)  # closed
    main = page.split('class="stay-search__more"')[0]
    for name in ("place", "check_in", "check_out", "guests"):
        assert f'name="{name}"' in main
    assert "data-date-range" in main and "js/date-range.js" in page


def test_the_property_page_shows_rooms_reviews_policy_and_a_pay_bar_with_the_lowest_price():
    prop = PropertyFactory(name="해변 호텔", rating=0, review_count=0)
    cheap = RoomTypeFactory(property=prop, price_krw=100_000, name="스탠다드", amenities=["breakfast"])
    RoomTypeFactory(property=prop, price_krw=150_000, name="스위트", grade=2)
    written = review(prop, 5, "바다가 보이는 방이 깨끗했어요")
    prop.refresh_from_db()
    _photo(prop)
    check_in, check_out = stay_dates(5, 2)
    stay = {"check_in": check_in.isoformat(), "check_out": check_out.isoformat(), "guests": 2}
    page = Client(headers={"accept-language": "ko"}).get(f"/stays/p/{prop.pk}/", stay).content.decode()

    with translation.override("ko"):
        room = _card(page, "data-room-type", cheap.pk)
        assert korean.won(200_000) in room and gettext("Breakfast") in room
        assert f'href="/stays/book/{cheap.pk}/?check_in={check_in.isoformat()}' in room
        paybar = re.search(r'<div class="paybar" data-paybar>.*?</div>', page, re.S).group(0)
        assert korean.won(200_000) in paybar and 'href="#rooms"' in paybar
        assert gettext("Book now") in paybar
        # The policy in words, from the same table the refund is computed with.
        assert gettext("Full refund") in page and gettext("No refund") in page
    assert f'data-review="{written.pk}"' in page and "바다가 보이는 방이 깨끗했어요" in page
    assert 'id="reviews"' in page and 'data-review-count="1"' in page
    assert 'class="gallery property-gallery"' in page


def test_a_property_page_without_photos_or_dates_shows_no_empty_shells():
    prop = PropertyFactory(rating=0, review_count=0)
    RoomTypeFactory(property=prop)
    page = Client().get(f"/stays/p/{prop.pk}/", {"check_in": "nonsense"}).content.decode()
    assert "property-gallery" not in page and "data-room-type" not in page
    assert 'class="plain-list reviews"' not in page  # no empty review list
    assert "data-paybar" in page and 'href="#stay-dates"' in page
