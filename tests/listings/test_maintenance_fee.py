"""관리비, the monthly maintenance fee of a listing: stored in won (None = not stated, 0 = none) with what it
includes, guarded by CHECK constraints; entered in the portal and the partner API; shown on cards as
"관리비 10만" / "관리비 없음" / "관리비 미기재" and in full on the page; searched by rent plus fee; never
part of a risk score."""

import re

import pytest
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from listings import services
from listings.errors import ListingError
from listings.forms import ListingForm
from listings.models import Listing, RiskScore
from listings.models.listings import MAX_MAINTENANCE_FEE_KRW
from listings.selectors import listings_search
from listings.services.risk import listings_rescore
from tests.listings.conftest import listing_data

from .test_browse_pages import card, korean_page

pytestmark = pytest.mark.django_db

PARTNER_LISTINGS = "/api/v1/listings/partner/listings/"
SALE = {"deal_type": "sale", "deposit_krw": 0, "monthly_rent_krw": 0, "price_krw": 1_150_000_000}


@pytest.fixture
def as_broker(api_client, broker):
    api_client.force_authenticate(broker)
    return api_client


# --- the model's constraints ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "fields",
    [
        {"maintenance_fee_krw": -1},
        {"maintenance_fee_krw": MAX_MAINTENANCE_FEE_KRW + 1},
        {"maintenance_fee_krw": None, "maintenance_includes": ["water"]},
        {"maintenance_fee_krw": 0, "maintenance_includes": ["water"]},
    ],
)
def test_the_database_refuses_a_negative_huge_or_itemised_missing_fee(listing, fields):
    with pytest.raises(IntegrityError), transaction.atomic():
        Listing.objects.filter(pk=listing.pk).update(**fields)


def test_the_database_takes_an_unstated_a_zero_and_an_itemised_fee(listing):
    for fields in (
        {"maintenance_fee_krw": None, "maintenance_includes": []},
        {"maintenance_fee_krw": 0, "maintenance_includes": []},
        {"maintenance_fee_krw": MAX_MAINTENANCE_FEE_KRW, "maintenance_includes": ["water", "gas"]},
    ):
        Listing.objects.filter(pk=listing.pk).update(**fields)
        listing.refresh_from_db()
        assert (listing.maintenance_fee_krw, listing.maintenance_includes) == tuple(fields.values())


# --- the service ----------------------------------------------------------------------------------------


def test_a_listing_stores_its_fee_and_items_in_one_order_without_repeats(brokerage, make_listing):
    listing = make_listing(
        brokerage, maintenance_fee_krw=100_000, maintenance_includes=["tv", "water", "tv", "internet"]
    )
    assert listing.maintenance_fee_krw == 100_000
    assert listing.maintenance_includes == ["water", "internet", "tv"]
    with translation.override("ko"):
        items = (Listing.FeeItem.WATER, Listing.FeeItem.INTERNET, Listing.FeeItem.TV)
        assert listing.maintenance_includes_labels == [str(item.label) for item in items]
    assert make_listing(brokerage).maintenance_fee_krw is None  # not stated unless the broker says


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"maintenance_fee_krw": 500}, "maintenance_fee_krw"),  # 만원 typed as won
        ({"maintenance_fee_krw": -5}, "maintenance_fee_krw"),
        ({"maintenance_fee_krw": "100000"}, "maintenance_fee_krw"),
        ({"maintenance_fee_krw": True}, "maintenance_fee_krw"),
        ({"maintenance_includes": ["water"]}, "maintenance_includes"),
        ({"maintenance_fee_krw": 0, "maintenance_includes": ["water"]}, "maintenance_includes"),
        ({"maintenance_fee_krw": 50_000, "maintenance_includes": ["sauna"]}, "maintenance_includes"),
        ({"maintenance_fee_krw": 50_000, "maintenance_includes": "water"}, "maintenance_includes"),
        ({"maintenance_fee_krw": 50_000, "maintenance_includes": [{"a": 1}]}, "maintenance_includes"),
    ],
)
def test_the_service_refuses_a_fee_it_cannot_show(brokerage, broker, fields, field):
    with pytest.raises(ListingError) as refused:
        services.listing_create(partner=brokerage, actor=broker, data=listing_data(**fields))
    assert refused.value.code == "invalid_listing"
    assert set(refused.value.fields) == {field}
    assert not Listing.objects.exists()


def test_editing_away_the_fee_while_items_stay_is_refused(listing, broker):
    services.listing_update(
        listing=listing, actor=broker, data={"maintenance_fee_krw": 80_000, "maintenance_includes": ["gas"]}
    )
    with pytest.raises(ListingError) as refused:
        services.listing_update(listing=listing, actor=broker, data={"maintenance_fee_krw": None})
    assert set(refused.value.fields) == {"maintenance_includes"}
    services.listing_update(
        listing=listing, actor=broker, data={"maintenance_fee_krw": 0, "maintenance_includes": []}
    )
    listing.refresh_from_db()
    assert (listing.maintenance_fee_krw, listing.maintenance_includes) == (0, [])


# --- the portal form ------------------------------------------------------------------------------------


def test_the_broker_enters_the_fee_and_its_items_in_the_portal(client, broker):
    client.force_login(broker)
    answer = client.post(
        reverse("listings_portal:create"),
        {**listing_data(), "maintenance_fee_krw": "75000", "maintenance_includes": ["water", "internet"]},
    )
    assert answer.status_code == 302, answer.content.decode()[:2000]
    listing = Listing.objects.get()
    assert (listing.maintenance_fee_krw, listing.maintenance_includes) == (75_000, ["water", "internet"])
    edit = client.get(reverse("listings_portal:edit", args=[listing.pk])).content.decode()
    assert 'name="maintenance_fee_krw" value="75000"' in edit
    assert re.search(r'<input[^>]*value="water"[^>]*checked', edit)
    assert not re.search(r'<input[^>]*value="gas"[^>]*checked', edit)


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"maintenance_fee_krw": "-1"}, "maintenance_fee_krw"),
        ({"maintenance_fee_krw": str(MAX_MAINTENANCE_FEE_KRW + 1)}, "maintenance_fee_krw"),
        ({"maintenance_fee_krw": "열만원"}, "maintenance_fee_krw"),
        ({"maintenance_fee_krw": "300"}, "maintenance_fee_krw"),  # refused by the service, shown the same
        ({"maintenance_fee_krw": "", "maintenance_includes": ["gas"]}, "maintenance_includes"),
        ({"maintenance_fee_krw": "50000", "maintenance_includes": ["sauna"]}, "maintenance_includes"),
    ],
)
def test_a_bad_fee_in_the_portal_is_shown_beside_its_field(client, broker, fields, field):
    client.force_login(broker)
    answer = client.post(
        reverse("listings_portal:create"), {**listing_data(), **fields}, headers={"accept-language": "ko"}
    )
    assert answer.status_code == 200 and not Listing.objects.exists()
    html = answer.content.decode()
    assert f'id="id_{field}_error"' in html
    errors = answer.context["form"].errors[field]
    assert errors and all(error in html for error in errors)


def test_the_portal_form_names_the_fee_range():
    with translation.override("ko"):
        form = ListingForm(data={**listing_data(), "maintenance_fee_krw": "-1"})
        assert not form.is_valid()
        assert "10,000,000" in form.errors["maintenance_fee_krw"][0]


# --- the partner API ------------------------------------------------------------------------------------


def test_the_partner_api_takes_and_returns_the_fee(as_broker):
    created = as_broker.post(
        PARTNER_LISTINGS,
        {**listing_data(), "publish": True, "maintenance_fee_krw": 120_000,
         "maintenance_includes": ["parking", "water"]},
        format="json",
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["maintenance_fee_krw"] == 120_000 and body["maintenance_includes"] == ["water", "parking"]
    unstated = as_broker.patch(
        f"{PARTNER_LISTINGS}{body['id']}/",
        {"maintenance_fee_krw": None, "maintenance_includes": []},
        format="json",
    )
    assert unstated.status_code == 200 and unstated.json()["maintenance_fee_krw"] is None
    public = as_broker.get(f"/api/v1/listings/{body['id']}/").json()
    assert public["maintenance_fee_krw"] is None and public["maintenance_includes"] == []


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"maintenance_fee_krw": -1}, "invalid"),
        ({"maintenance_fee_krw": 10**30}, "invalid"),
        ({"maintenance_fee_krw": "십만"}, "invalid"),
        ({"maintenance_fee_krw": 1.5}, "invalid"),
        ({"maintenance_includes": ["sauna"]}, "invalid"),
        ({"maintenance_includes": "water"}, "invalid"),
        ({"maintenance_includes": ["water"] * 9}, "invalid"),
        ({"maintenance_fee_krw": 900}, "invalid_listing"),
        ({"maintenance_includes": ["water"]}, "invalid_listing"),
        ({"maintenance_fee_krw": 0, "maintenance_includes": ["gas"]}, "invalid_listing"),
    ],
)
def test_the_partner_api_refuses_a_bad_fee_with_a_stable_code(as_broker, fields, code):
    answer = as_broker.post(PARTNER_LISTINGS, {**listing_data(), **fields}, format="json")
    assert answer.status_code == 400, answer.content
    body = answer.json()
    assert body["code"] == code
    assert body["fields"] and {key.split(".")[0] for key in body["fields"]} <= set(fields)
    assert not Listing.objects.exists()


# --- how it reads ---------------------------------------------------------------------------------------


def test_cards_read_the_fee_in_man_none_or_not_stated(brokerage, make_listing):
    stated = make_listing(brokerage, title="관리비 있는 집", maintenance_fee_krw=100_000)
    odd = make_listing(brokerage, title="관리비 7.5만 집", maintenance_fee_krw=75_000)
    none = make_listing(brokerage, title="관리비 없는 집", maintenance_fee_krw=0)
    unstated = make_listing(brokerage, title="관리비 모르는 집")
    sale = make_listing(brokerage, title="매매 집", **SALE)
    results = korean_page("/homes/")
    with translation.override("ko"):
        assert "1,000/70" in card(results, stated.pk)
        assert gettext("Maintenance fee %(fee)s") % {"fee": "10만"} in card(results, stated.pk)
        assert gettext("Maintenance fee %(fee)s") % {"fee": "7.5만"} in card(results, odd.pk)
        assert gettext("No maintenance fee") in card(results, none.pk)
        assert gettext("Maintenance fee not stated") in card(results, unstated.pk)
    assert 'data-fee="100000"' in card(results, stated.pk)
    assert 'data-fee="none"' in card(results, none.pk)
    assert 'data-fee="unstated"' in card(results, unstated.pk)
    assert "data-fee" not in card(results, sale.pk)  # a sale's card leads with the price alone


def test_the_listing_page_shows_the_exact_fee_and_what_it_includes(brokerage, make_listing):
    listing = make_listing(brokerage, maintenance_fee_krw=75_000, maintenance_includes=["internet", "water"])
    page = korean_page(f"/homes/{listing.pk}/")
    facts = page.split("data-maintenance>")[1].split("</dd>")[0]
    assert "75,000원" in facts
    with translation.override("ko"):
        labels = ", ".join([str(Listing.FeeItem.WATER.label), str(Listing.FeeItem.INTERNET.label)])
    assert labels in facts.split("data-maintenance-includes>")[1]
    assert 'data-fee="75000"' in page.split('class="home-detail__price"')[1].split("</p>")[0]
    unstated = make_listing(brokerage, title="미기재")
    assert "data-maintenance-includes" not in korean_page(f"/homes/{unstated.pk}/")


def test_the_broker_sees_the_fee_on_the_portal_page(client, broker, brokerage, make_listing):
    listing = make_listing(brokerage, maintenance_fee_krw=50_000, maintenance_includes=["water"])
    client.force_login(broker)
    page = client.get(reverse("listings_portal:detail", args=[listing.pk])).content.decode()
    assert "data-maintenance-includes" in page and "50,000" in page.split("data-maintenance>")[1]


# --- the search by rent plus fee -------------------------------------------------------------------------


@pytest.fixture
def rentals(brokerage, make_listing):
    """Monthly rentals whose rent + fee is 65만, 70만, 71만; one with no stated fee; a jeonse with a fee."""
    return {
        "65": make_listing(brokerage, title="65", monthly_rent_krw=600_000, maintenance_fee_krw=50_000),
        "70": make_listing(brokerage, title="70", monthly_rent_krw=600_000, maintenance_fee_krw=100_000),
        "71": make_listing(brokerage, title="71", monthly_rent_krw=700_000, maintenance_fee_krw=10_000),
        "unstated": make_listing(brokerage, title="unstated", monthly_rent_krw=500_000),
        "jeonse": make_listing(
            brokerage, title="jeonse", deal_type="jeonse", deposit_krw=200_000_000, monthly_rent_krw=0,
            maintenance_fee_krw=50_000,
        ),
    }


def test_the_search_keeps_rentals_whose_rent_and_fee_fit(rentals):
    def titles(**query):
        return sorted(row.title for row in listings_search(**query).results)

    assert titles(burden_max=700_000) == ["65", "70"]
    assert titles(burden_max=650_000, deal_type="monthly") == ["65"]
    assert titles() == ["65", "70", "71", "jeonse", "unstated"]  # no burden asked: everything live
    with pytest.raises(ListingError) as refused:
        listings_search(burden_max=700_000, deal_type="jeonse")
    assert refused.value.code == "burden_needs_monthly"


def test_the_homes_page_takes_the_burden_in_man(rentals):
    results = korean_page("/homes/", burden_max=70)
    assert f'data-listing="{rentals["70"].pk}"' in results
    for name in ("71", "unstated", "jeonse"):
        assert f'data-listing="{rentals[name].pk}"' not in results
    korean = Client(headers={"accept-language": "ko"})
    refused = korean.get("/homes/", {"burden_max": 70, "deal_type": "sale"})
    assert refused.status_code == 200 and refused.context["form"].errors["burden_max"]
    assert 'class="home-search__more" open' in refused.content.decode()


def test_the_search_api_takes_the_burden_in_won(api_client, rentals):
    answer = api_client.get("/api/v1/listings/", {"burden_max": 650_000})
    assert answer.status_code == 200
    assert [row["id"] for row in answer.json()["results"]] == [rentals["65"].pk]
    assert answer.json()["results"][0]["maintenance_fee_krw"] == 50_000
    refused = api_client.get("/api/v1/listings/", {"burden_max": 650_000, "deal_type": "jeonse"})
    assert refused.status_code == 400 and refused.json()["code"] == "burden_needs_monthly"
    assert set(refused.json()["fields"]) == {"burden_max"}
    for bad in (-1, 10**30, "칠십만"):
        answer = api_client.get("/api/v1/listings/", {"burden_max": bad})
        assert answer.status_code == 400 and answer.json()["code"] == "invalid"


# --- risk ------------------------------------------------------------------------------------------------


def test_the_fee_never_moves_a_risk_score(brokerage, make_listing):
    """A fee far above the area's (관리비 쪼개기) or none at all leaves every score and component alone."""
    district = [
        make_listing(brokerage, deposit_krw=10_000_000 + 500_000 * n, monthly_rent_krw=700_000 + 10_000 * n)
        for n in range(8)
    ]
    bait = make_listing(brokerage, deposit_krw=1_000_000, monthly_rent_krw=200_000)

    def scores():
        listings_rescore()
        return {row.listing_id: (row.score, row.components) for row in RiskScore.objects.all()}

    before = scores()
    Listing.objects.filter(pk=bait.pk).update(maintenance_fee_krw=MAX_MAINTENANCE_FEE_KRW)
    Listing.objects.filter(pk__in=[item.pk for item in district[:4]]).update(maintenance_fee_krw=0)
    assert scores() == before
