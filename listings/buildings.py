"""Which building a listing is in, however the broker typed the address.

"서울특별시 마포구 양화로 45", "서울 마포구 양화로45 (서교동)" and "양화로 45, 302호" in 마포구
are one building: the key drops the 시/도 and 시/군/구 words (the district code stands
for them), anything in brackets, the unit after a comma, spaces and "번지", and hashes
what is left with the district code.
"""

import hashlib
import re

_BRACKETS = re.compile(r"\([^)]*\)|\[[^\]]*\]")
_REGION_WORD = re.compile(r"^\S+(특별시|광역시|특별자치시|특별자치도|도|시|군|구)$")
_SIDO_SHORT = set(
    "서울 부산 대구 인천 광주 대전 울산 세종 경기 강원 충북 충남 전북 전남 경북 경남 제주".split()
)
_NOISE = re.compile(r"[\s·.\-]|번지")


def building_key(*, sigungu_code: str, address: str) -> str:
    """A 32-character key equal for every way of writing the same building's address in a district."""
    text = _BRACKETS.sub(" ", address or "").split(",")[0]
    words = text.split()
    while len(words) > 1 and (words[0] in _SIDO_SHORT or _REGION_WORD.match(words[0])):
        words.pop(0)
    core = _NOISE.sub("", "".join(words))
    return hashlib.sha256(f"{sigungu_code}|{core}".encode()).hexdigest()[:32]
