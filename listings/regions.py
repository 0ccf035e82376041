"""Region codes (행정표준코드 법정동코드): 시/도 (2 digits), 시/군/구 (5), 법정동 (10).

The catalogue below names the areas the portal offers; search accepts any well-formed code.
"""

import re

from django.utils.translation import gettext_lazy as _

SIDO = {"11": "서울특별시", "26": "부산광역시", "41": "경기도"}

SIGUNGU = {
    "11110": "종로구",
    "11140": "중구",
    "11170": "용산구",
    "11200": "성동구",
    "11215": "광진구",
    "11410": "서대문구",
    "11440": "마포구",
    "11560": "영등포구",
    "11620": "관악구",
    "11650": "서초구",
    "11680": "강남구",
    "11710": "송파구",
    "26350": "해운대구",
    "41135": "성남시 분당구",
}

DONG = {
    "1144010100": "아현동",
    "1144010200": "공덕동",
    "1144011500": "망원동",
    "1144011900": "합정동",
    "1144012000": "서교동",
    "1144012200": "동교동",
    "1144012300": "연남동",
    "1144012700": "상암동",
    "1141011000": "신촌동",
    "1141011700": "연희동",
    "1117012900": "이촌동",
    "1117013100": "한남동",
    "1120011400": "성수동1가",
    "1121510500": "화양동",
    "1156013200": "여의도동",
    "1162010100": "봉천동",
    "1162010200": "신림동",
    "1165010800": "서초동",
    "1165010700": "반포동",
    "1168010100": "역삼동",
    "1168010600": "대치동",
    "1168010800": "논현동",
    "1171010100": "잠실동",
    "1171010200": "신천동",
    "1111013700": "혜화동",
    "1114016200": "신당동",
    "2635010500": "우동",
    "4113511000": "정자동",
}

SIDO_RE = re.compile(r"^[0-9]{2}$")
SIGUNGU_RE = re.compile(r"^[0-9]{5}$")
DONG_RE = re.compile(r"^[0-9]{10}$")


def region_label(dong_code: str) -> str:
    """ "서울특별시 마포구 서교동" for a known 법정동 code; the code itself otherwise."""
    parts = [SIDO.get(dong_code[:2], ""), SIGUNGU.get(dong_code[:5], ""), DONG.get(dong_code, "")]
    label = " ".join(part for part in parts if part)
    return label or dong_code


def dong_choices() -> list[tuple[str, str]]:
    return sorted(((code, region_label(code)) for code in DONG), key=lambda item: item[1])


def sigungu_choices() -> list[tuple[str, str]]:
    return [("", _("Any district"))] + sorted(
        ((code, f"{SIDO.get(code[:2], '')} {name}") for code, name in SIGUNGU.items()),
        key=lambda item: item[1],
    )
