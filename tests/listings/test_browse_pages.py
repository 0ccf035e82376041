"""Homes as Korean renters read them: 월세 "100/30", 전세 "2억 5,000", 매매 "11억 5,000만"; the search takes
만원 and answers in the same convention; each card carries its photos and says in one line what its
verification means; codes (a fake's category, an inspection's outcome) reach people as words."""

import pytest
from django.test import Client
from django.utils import translation
from django.utils.translation import gettext

from listings import services
from listings.models import Inspection

from .conftest import photo_file

pytestmark = pytest.mark.django_db

MONTHLY = {"deal_type": "monthly", "deposit_krw": 1_000_000, "monthly_rent_krw": 300_000}
JEONSE = {"deal_type": "jeonse", "deposit_krw": 250_000_000, "monthly_rent_krw": 0}
SALE = {"deal_type": "sale", "deposit_krw": 0, "monthly_rent_krw": 0, "price_krw": 1_150_000_000}


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def korean_page(url: str, **params) -> str:
    return Client(headers={"accept-language": "ko"}).get(url, params).content.decode()


def card(html: str, pk: int) -> str:
    assert f'data-listing="{pk}"' in html, f"listing {pk} not on the page"
    return html.split(f'data-listing="{pk}"')[1].split("data-listing=")[0]


def test_prices_read_in_eok_and_man_on_cards_and_pages(brokerage, make_listing):
    monthly = make_listing(brokerage, title="월세 투룸", **MONTHLY)
    jeonse = make_listing(brokerage, title="전세 쓰리룸", **JEONSE)
    sale = make_listing(brokerage, title="매매 아파트", **SALE)
    results = korean_page("/homes/")
    assert "100/30" in card(results, monthly.pk)
    assert "2억 5,000" in card(results, jeonse.pk)
    assert "11억 5,000만" in card(results, sale.pk)
    assert "₩" not in results
    with translation.override("ko"):
        assert gettext("Monthly") in card(results, monthly.pk)
    assert "11억 5,000만" in korean_page(f"/homes/{sale.pk}/")
    assert "100/30" in korean_page(f"/homes/{monthly.pk}/")


def test_the_search_takes_man_won_and_answers_in_the_same_convention(brokerage, make_listing):
    jeonse = make_listing(brokerage, title="전세 쓰리룸", **JEONSE)
    sale = make_listing(brokerage, title="매매 아파트", **SALE)
    results = korean_page("/homes/", price_min=20_000, price_max=30_000)  # 2억 to 3억, typed in 만원
    assert "2억 5,000" in card(results, jeonse.pk)
    assert f'data-listing="{sale.pk}"' not in results


def test_a_card_carries_its_photos_and_explains_its_verification(brokerage, make_listing, badge_holder):
    listing = make_listing(brokerage)
    for seed in (1, 2):
        services.photo_add(listing=listing, actor=listing.created_by, upload=photo_file(seed))
    with translation.override("ko"):
        html = card(korean_page("/homes/"), listing.pk)
        assert html.count("<img") == 2 and 'class="carousel card__media"' in html
        assert 'data-verification="0"' in html
        assert gettext("Nobody has confirmed this listing yet: see it before you pay anything.") in html
        assert "data-trusted-badge" in html
        badge = "No confirmed fake listing for months; one confirmed fake and the badge is gone at once."
        assert gettext(badge) in html


def test_a_confirmed_fake_says_what_was_fake_in_words(brokerage, make_listing, inspector):
    listing = make_listing(brokerage)
    services.fake_confirm(listing=listing, actor=inspector, category="price_bait")
    page = korean_page(f"/homes/{listing.pk}/")
    with translation.override("ko"):
        assert str(Inspection.FakeCategory.PRICE_BAIT.label) in page
    assert "price_bait" not in page


def test_the_inspector_is_told_the_outcome_in_words(client, brokerage, make_listing, inspector):
    listing = make_listing(brokerage)
    inspection = services.inspection_queue_open(listing=listing, actor=inspector)
    client.force_login(inspector)
    queue = client.get("/homes/inspections/", headers={"accept-language": "ko"}).content.decode()
    assert f'data-inspection="{inspection.pk}"' in queue
    response = client.post(
        f"/homes/inspections/{inspection.pk}/",
        {"outcome": "genuine", "note": "", "photos": [photo_file(3)]},
        headers={"accept-language": "ko"},
        follow=True,
    )
    page = response.content.decode()
    with translation.override("ko"):
        label = str(Inspection.Outcome.GENUINE.label)
        assert gettext("Recorded: %(outcome)s.") % {"outcome": label} in page
    assert ": genuine." not in page

