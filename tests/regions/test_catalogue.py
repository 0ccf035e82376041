"""The catalogue the migration loads: the official list of 2020-10-04 with every change since."""

import pytest

from trustplatform.regions.models import Region
from trustplatform.regions.source import source_rows

pytestmark = pytest.mark.django_db

# Codes in use once the changes are applied: 16 시/도 (세종 has only its 시 row, 3611000000),
# 262 시/군/구 (인천: 중구, 동구, 서구 out; 제물포구, 영종구, 서해구, 검단구 in), 5,052 읍/면/동, 15,215 리.
IN_USE = {1: 16, 2: 262, 3: 5052, 4: 15215}


def _current(level: int) -> int:
    return Region.objects.filter(is_current=True, level=level).count()


def test_codes_in_use_by_level():
    assert {level: _current(level) for level in IN_USE} == IN_USE


def test_every_code_in_use_in_the_official_list_is_in_use_or_moved_to_one_that_is():
    catalogue = {
        region.code: region
        for region in Region.objects.select_related("successor").only(
            "code", "is_current", "successor__code", "successor__is_current"
        )
    }
    missing, lost = [], []
    for row in source_rows():
        region = catalogue.get(row.code)
        if region is None:
            missing.append(row.code)
        elif (
            row.is_current
            and not region.is_current
            and not (region.successor and region.successor.is_current)
        ):
            lost.append(row.code)
    # Only 인천 중구 and 서구 have no single successor: their 동 went to two districts each.
    assert missing == [] and lost == ["2811000000", "2826000000"]


def test_abolished_codes_of_the_list_stay_abolished():
    assert not Region.objects.get(code="2100000000").is_current  # 부산직할시
    assert Region.objects.filter(is_current=False).count() > 25_000


def test_gangwon_moved_from_42_to_51_with_its_new_name():
    old, new = Region.objects.get(code="4211011200"), Region.objects.get(code="5111011200")
    assert (old.is_current, old.successor_id) == (False, "5111011200")
    assert (new.name, new.is_current, new.level) == ("강원특별자치도 춘천시 효자동", True, Region.Level.DONG)
    assert new.parent_id == "5111000000" and new.parent.parent_id == "5100000000"
    assert Region.objects.get(code="5100000000").name == "강원특별자치도"
    assert not Region.objects.filter(code__startswith="42", is_current=True).exists()


def test_gunwi_joined_daegu():
    assert Region.objects.get(code="2772000000").name == "대구광역시 군위군"
    assert Region.objects.get(code="2772025000").parent.parent_id == "2700000000"
    assert Region.objects.get(code="4772000000").successor_id == "2772000000"
    assert not Region.objects.filter(code__startswith="47720", is_current=True).exists()


def test_jeonbuk_moved_from_45_to_52():
    wansan = Region.objects.get(code="5211100000")
    assert wansan.name == "전북특별자치도 전주시 완산구"
    # The 구 of a 시 belongs to the 시, which belongs to the 도.
    assert wansan.parent_id == "5211000000" and wansan.parent.parent_id == "5200000000"
    assert Region.objects.get(code="4511114000").successor_id == "5211114000"
    assert not Region.objects.filter(code__startswith="45", is_current=True).exists()


def test_incheon_reorganised_into_four_districts():
    districts = dict(
        Region.objects.filter(code__startswith="28", level=Region.Level.SIGUNGU, is_current=True).values_list(
            "code", "name"
        )
    )
    assert {
        code: districts.get(code) for code in ("2812500000", "2815500000", "2827500000", "2829000000")
    } == {
        "2812500000": "인천광역시 제물포구",
        "2815500000": "인천광역시 영종구",
        "2827500000": "인천광역시 서해구",
        "2829000000": "인천광역시 검단구",
    }
    assert not {"2811000000", "2814000000", "2826000000"} & set(districts)
    # 중구 went to two districts and 서구 to two: no single successor. 동구 went whole into 제물포구.
    assert Region.objects.get(code="2811000000").successor_id is None
    assert Region.objects.get(code="2826000000").successor_id is None
    assert Region.objects.get(code="2814000000").successor_id == "2812500000"
    moved = {
        "2811014500": ("2815510100", "인천광역시 영종구 중산동"),
        "2811010100": ("2812510800", "인천광역시 제물포구 중앙동1가"),
        "2814010600": ("2812510600", "인천광역시 제물포구 금곡동"),
        "2826011800": ("2829010700", "인천광역시 검단구 금곡동"),
        "2826012200": ("2827511100", "인천광역시 서해구 청라동"),
    }
    for old, (new, name) in moved.items():
        region = Region.objects.select_related("successor").get(code=old)
        assert (region.is_current, region.successor_id, region.successor.name) == (False, new, name)
    for district in ("28110", "28140", "28260"):
        assert not Region.objects.filter(code__startswith=district, is_current=True).exists()


def test_a_ri_belongs_to_its_myeon_and_a_gu_to_its_si():
    assert Region.objects.get(code="5111034021").parent_id == "5111034000"  # 춘천시 남면 관천리
    assert Region.objects.get(code="4113500000").parent_id == "4113000000"  # 성남시 분당구
    # 증평군 (43745) is no part of 영동군 (43740), whatever their codes suggest: the names tell.
    assert Region.objects.get(code="4374500000").parent_id == "4300000000"


def test_every_area_in_use_belongs_to_an_area_in_use():
    orphans = Region.objects.filter(is_current=True, level__gt=Region.Level.SIDO).exclude(
        parent__is_current=True
    )
    assert list(orphans.values_list("code", flat=True)) == ["3611000000"]  # 세종: no 시/도 row of its own
