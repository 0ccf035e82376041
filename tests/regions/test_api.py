"""/api/v1/regions/: what the area autocomplete asks as a name is typed, and one code."""

import unicodedata

import pytest

from trustplatform.regions.selectors import region_labels, region_search

pytestmark = pytest.mark.django_db


def names(answer) -> list[str]:
    assert answer.status_code == 200, answer.content
    return [row["name"] for row in answer.json()["results"]]


def test_a_part_of_a_name_finds_the_area_without_logging_in(api_client):
    answer = api_client.get("/api/v1/regions/", {"q": "서교"})
    assert names(answer)[:2] == ["서울특별시 마포구 서교동", "전라남도 여수시 서교동"]
    assert answer.json()["results"][0] == {
        "code": "1144012000",
        "name": "서울특별시 마포구 서교동",
        "level": 3,
    }


def test_every_word_typed_must_match_and_larger_areas_come_first(api_client):
    assert names(api_client.get("/api/v1/regions/", {"q": "춘천 효자"})) == ["강원특별자치도 춘천시 효자동"]
    chuncheon = names(api_client.get("/api/v1/regions/", {"q": "춘천"}))
    assert chuncheon[0] == "강원특별자치도 춘천시"
    assert all(name.startswith("강원특별자치도 춘천시") for name in chuncheon)


def test_levels_narrow_the_answer_and_abolished_codes_are_never_offered(api_client):
    found = api_client.get("/api/v1/regions/", {"q": "전주 완산구 효자", "level": "3,4", "limit": 30}).json()
    assert [row["code"] for row in found["results"]] == ["5211114000", "5211114100", "5211114200"]
    assert names(api_client.get("/api/v1/regions/", {"q": "강원도"})) == []
    assert names(api_client.get("/api/v1/regions/", {"q": "인천 중구"})) == []


def test_a_search_by_the_first_digits_of_a_code(api_client):
    assert names(api_client.get("/api/v1/regions/", {"q": "28155", "level": "2"})) == ["인천광역시 영종구"]


def test_bad_input_is_a_json_400(api_client):
    for params in (
        {},
        {"q": "서교", "level": "5"},
        {"q": "서교", "limit": "0"},
        {"q": "x" * 51},
        {"q": "a", "b": 1},
    ):
        answer = api_client.get("/api/v1/regions/", params)
        assert answer.status_code == 400, params
        assert set(answer.json()) == {"code", "detail", "fields"}


def test_one_code_says_whether_it_is_in_use_and_what_replaced_it(api_client):
    old = api_client.get("/api/v1/regions/4211011200/").json()
    assert old["is_current"] is False and old["name"] == "강원도 춘천시 효자동"
    assert old["successor"] == {"code": "5111011200", "name": "강원특별자치도 춘천시 효자동", "level": 3}
    split = api_client.get("/api/v1/regions/2811000000/").json()
    assert (split["is_current"], split["successor"]) == (False, None)
    for code in ("9999999999", "abc"):
        missing = api_client.get(f"/api/v1/regions/{code}/")
        assert missing.status_code == 404 and missing.json()["code"] == "not_found"


def test_typed_names_are_read_whatever_the_unicode_form():
    decomposed = unicodedata.normalize("NFD", "마포 서교")  # what some keyboards send: jamo, not syllables
    assert decomposed != "마포 서교"
    assert [region.code for region in region_search(decomposed)] == ["1144012000"]


def test_labels_for_a_page_take_one_query_then_none(django_assert_num_queries):
    codes = ["1144012000", "4211011200", "5111011200", "0000000000"]
    with django_assert_num_queries(1):
        labels = region_labels(codes)
    assert labels == {
        "1144012000": "서울특별시 마포구 서교동",
        "4211011200": "강원특별자치도 춘천시 효자동",  # abolished: the name of the area now
        "5111011200": "강원특별자치도 춘천시 효자동",
        "0000000000": "0000000000",
    }
    with django_assert_num_queries(0):
        assert region_labels(codes[:3]) == {code: labels[code] for code in codes[:3]}
