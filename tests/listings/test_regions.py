"""Listings anywhere in Korea: codes checked against the region catalogue, search by any area, and
listings stored under codes abolished since (강원도's 42…) found under the new ones and named anew."""

import pytest

from listings import selectors, services
from listings.errors import ListingError
from listings.models import Listing
from tests.listings.conftest import listing_data

pytestmark = pytest.mark.django_db

CHUNCHEON_HYOJA = "5111011200"  # 강원특별자치도 춘천시 효자동
OLD_CHUNCHEON_HYOJA = "4211011200"  # 강원도 춘천시 효자동, abolished 2023-06-11
JEONJU_HYOJA_1 = "5211114000"  # 전북특별자치도 전주시 완산구 효자동1가
SANGCHEON_RI = "5111034021"  # 강원특별자치도 춘천시 남면 관천리


def stored_before_the_change(listing: Listing, old_code: str) -> Listing:
    """What a listing made before its area's code changed looks like: the old code stored."""
    Listing.objects.filter(pk=listing.pk).update(
        sido_code=old_code[:2], sigungu_code=old_code[:5], dong_code=old_code
    )
    listing.refresh_from_db()
    return listing


@pytest.fixture
def as_broker(api_client, broker):
    api_client.force_authenticate(broker)
    return api_client


def test_a_broker_lists_anywhere_in_the_country(brokerage, make_listing):
    for code in (CHUNCHEON_HYOJA, JEONJU_HYOJA_1, SANGCHEON_RI):
        listing = make_listing(brokerage, dong_code=code)
        assert (listing.sido_code, listing.sigungu_code, listing.dong_code) == (code[:2], code[:5], code)
    assert (
        make_listing(brokerage, dong_code=JEONJU_HYOJA_1).region_label
        == "전북특별자치도 전주시 완산구 효자동1가"
    )


@pytest.mark.parametrize(
    ("code", "error"),
    [
        ("1144099900", "region_unknown"),
        (OLD_CHUNCHEON_HYOJA, "region_abolished"),
        ("5111000000", "region_wrong_level"),  # 춘천시 as a whole: a home is in a 동, 읍, 면 or 리
    ],
)
def test_the_api_refuses_a_code_the_catalogue_does_not_offer(as_broker, code, error):
    answer = as_broker.post("/api/v1/listings/partner/listings/", listing_data(dong_code=code), format="json")
    assert answer.status_code == 400, answer.content
    assert answer.json()["code"] == error and list(answer.json()["fields"]) == ["dong_code"]
    assert not Listing.objects.exists()


def test_an_abolished_code_is_refused_with_the_code_that_replaced_it(brokerage, broker):
    with pytest.raises(ListingError) as refused:
        services.listing_create(
            partner=brokerage, actor=broker, data=listing_data(dong_code=OLD_CHUNCHEON_HYOJA)
        )
    assert refused.value.code == "region_abolished" and CHUNCHEON_HYOJA in refused.value.detail


def test_a_listing_keeps_its_old_code_when_edited_but_cannot_move_to_another_old_one(listing, broker):
    stored_before_the_change(listing, OLD_CHUNCHEON_HYOJA)
    services.listing_update(listing=listing, actor=broker, data={"title": "효자동 투룸"})
    assert (listing.title, listing.dong_code) == ("효자동 투룸", OLD_CHUNCHEON_HYOJA)
    with pytest.raises(ListingError) as refused:
        services.listing_update(listing=listing, actor=broker, data={"dong_code": "4511114000"})
    assert refused.value.code == "region_abolished"


@pytest.mark.parametrize(
    "area",
    [CHUNCHEON_HYOJA, "5111000000", "5100000000"],  # the 동, its 시, its 도
)
def test_a_listing_stored_under_an_abolished_code_is_found_under_the_new_one(brokerage, make_listing, area):
    old = stored_before_the_change(make_listing(brokerage, title="옛 코드"), OLD_CHUNCHEON_HYOJA)
    new = make_listing(brokerage, title="새 코드", dong_code=CHUNCHEON_HYOJA)
    make_listing(brokerage, title="서울", dong_code="1144012000")
    found = selectors.listings_search(region=area).results
    assert {listing.pk for listing in found} == {old.pk, new.pk}
    assert {listing.region_label for listing in found} == {"강원특별자치도 춘천시 효자동"}


def test_incheon_listings_are_found_in_the_district_their_dong_moved_to(brokerage, make_listing):
    jemulpo = make_listing(brokerage, dong_code="2812510800")  # 제물포구 중앙동1가
    old_jung_inland = stored_before_the_change(make_listing(brokerage), "2811010100")  # 중구 중앙동1가
    old_jung_island = stored_before_the_change(make_listing(brokerage), "2811014500")  # 중구 중산동 → 영종구
    old_dong = stored_before_the_change(make_listing(brokerage), "2814010600")  # 동구 금곡동 → 제물포구

    def found(code):
        return {listing.pk for listing in selectors.listings_search(region=code).results}

    assert found("2812500000") == {jemulpo.pk, old_jung_inland.pk, old_dong.pk}
    assert found("2815500000") == {old_jung_island.pk}
    assert found("2800000000") == {jemulpo.pk, old_jung_inland.pk, old_jung_island.pk, old_dong.pk}


def test_a_si_with_gu_takes_in_every_gu_and_a_myeon_its_ri(brokerage, make_listing):
    jeonju = make_listing(brokerage, dong_code=JEONJU_HYOJA_1)
    deokjin = make_listing(brokerage, dong_code="5211310200")  # 전주시 덕진구 진북동
    ri = make_listing(brokerage, dong_code=SANGCHEON_RI)
    assert {row.pk for row in selectors.listings_search(region="5211000000").results} == {
        jeonju.pk,
        deokjin.pk,
    }
    assert [row.pk for row in selectors.listings_search(region="5111034000").results] == [ri.pk]


@pytest.mark.parametrize(
    ("params", "field", "error"),
    [
        ({"region": "1144099900"}, "region", "region_unknown"),
        ({"region": OLD_CHUNCHEON_HYOJA}, "region", "region_abolished"),
        ({"dong": "5111000000"}, "dong", "region_wrong_level"),
        ({"sigungu": "42110"}, "sigungu", "region_abolished"),
        ({"sigungu": "99999"}, "sigungu", "region_unknown"),
    ],
)
def test_search_filters_are_checked_against_the_catalogue(api_client, params, field, error):
    answer = api_client.get("/api/v1/listings/", params)
    assert answer.status_code == 400, answer.content
    assert (answer.json()["code"], list(answer.json()["fields"])) == (error, [field])


def test_the_api_searches_any_area(api_client, brokerage, make_listing):
    listing = make_listing(brokerage, dong_code=CHUNCHEON_HYOJA)
    for params in ({"region": "5100000000"}, {"sigungu": "51110"}, {"dong": CHUNCHEON_HYOJA}):
        answer = api_client.get("/api/v1/listings/", params)
        assert [row["id"] for row in answer.json()["results"]] == [listing.pk], params
    assert answer.json()["results"][0]["region"] == "강원특별자치도 춘천시 효자동"


def test_search_labels_a_page_in_one_query(brokerage, make_listing, django_assert_num_queries):
    for code in (CHUNCHEON_HYOJA, JEONJU_HYOJA_1, SANGCHEON_RI, "1144012000"):
        make_listing(brokerage, dong_code=code)
    page = selectors.listings_search()
    with django_assert_num_queries(0):
        labels = [listing.region_label for listing in page.results]
    assert "강원특별자치도 춘천시 남면 관천리" in labels and len(set(labels)) == 4


def test_the_portal_form_takes_a_name_typed_without_javascript(client, broker):
    client.force_login(broker)
    data = {**listing_data(), "dong_code": "", "dong_code_name": "춘천시 효자동", "publish": "on"}
    created = client.post("/portal/listings/new/", data)
    assert created.status_code == 302, created.content.decode()[:3000]
    assert Listing.objects.get().dong_code == CHUNCHEON_HYOJA
    unclear = client.post("/portal/listings/new/", {**data, "dong_code_name": "효자동"})  # 춘천, 포항, 전주…
    assert unclear.status_code == 200 and 'role="alert"' in unclear.content.decode()
    assert Listing.objects.count() == 1


def test_the_portal_edit_page_shows_the_new_name_and_keeps_the_old_code(client, broker, listing):
    stored_before_the_change(listing, OLD_CHUNCHEON_HYOJA)
    client.force_login(broker)
    page = client.get(f"/portal/listings/{listing.pk}/edit/").content.decode()
    assert 'value="강원특별자치도 춘천시 효자동"' in page and f'value="{OLD_CHUNCHEON_HYOJA}"' in page
    data = {**listing_data(title="새 제목"), "dong_code": OLD_CHUNCHEON_HYOJA}
    assert client.post(f"/portal/listings/{listing.pk}/edit/", data).status_code == 302
    listing.refresh_from_db()
    assert (listing.title, listing.dong_code) == ("새 제목", OLD_CHUNCHEON_HYOJA)


def test_the_search_page_searches_any_area_and_old_district_links_still_work(client, brokerage, make_listing):
    far = make_listing(brokerage, dong_code=CHUNCHEON_HYOJA)
    mapo = make_listing(brokerage)
    page = client.get("/homes/", {"region": "5111000000"}).content.decode()
    assert f'data-listing="{far.pk}"' in page and f'data-listing="{mapo.pk}"' not in page
    assert "강원특별자치도 춘천시 효자동" in page and "regions/region-picker.js" in page
    typed = client.get("/homes/", {"region_name": "춘천시"}).content.decode()
    assert f'data-listing="{far.pk}"' in typed
    legacy = client.get("/homes/", {"sigungu": "11440"}).content.decode()
    assert f'data-listing="{mapo.pk}"' in legacy and f'data-listing="{far.pk}"' not in legacy
    abolished = client.get("/homes/", {"region": OLD_CHUNCHEON_HYOJA}).content.decode()
    assert 'class="errors"' in abolished and "data-listing=" not in abolished
