"""Reads of the region catalogue: a code's current name, search by name, and the codes a search for
an area covers (its own and every abolished code that moved into it).

What a page needs is cached under a catalogue version that an import bumps: a page of listings costs
one cache read for its labels, and one query at most for the codes not cached yet.
"""

import re
import unicodedata
from dataclasses import dataclass
from functools import reduce
from operator import or_

from django.core.cache import cache
from django.db.models import Case, Q, When
from django.utils.translation import gettext as _

from .errors import RegionError
from .models import Region

CODE_RE = re.compile(r"^[0-9]{10}$")
VERSION_KEY = "regions:version"
TTL_SECONDS = 6 * 3600
SEARCH_LIMIT = 30
LEVEL_WORDS = {1: "시/도", 2: "시/군/구", 3: "읍/면/동", 4: "리"}


@dataclass(frozen=True)
class RegionInfo:
    code: str
    name: str
    level: int
    is_current: bool
    successor_code: str | None
    successor_name: str

    @property
    def label(self) -> str:
        """The name to show: the current area's, for a code abolished into another."""
        return self.successor_name if not self.is_current and self.successor_code else self.name


def catalogue_changed() -> None:
    """Drop every cached label and scope: the catalogue was imported again."""
    try:
        cache.incr(VERSION_KEY)
    except ValueError:
        cache.set(VERSION_KEY, 1, None)


def _key(kind: str, code: str, version: int) -> str:
    return f"regions:{version}:{kind}:{code}"


def region_infos(codes) -> dict[str, RegionInfo]:
    """What the catalogue knows of each code (unknown codes are left out): cached, one query for the rest."""
    codes = {code for code in codes if code}
    if not codes:
        return {}
    version = cache.get(VERSION_KEY) or 0
    keys = {_key("info", code, version): code for code in codes}
    found = {keys[key]: info for key, info in cache.get_many(list(keys)).items()}
    missing = codes - found.keys()
    if missing:
        rows = Region.objects.filter(code__in=missing).values_list(
            "code", "name", "level", "is_current", "successor_id", "successor__name"
        )
        loaded = {
            code: RegionInfo(code, name, level, is_current, successor_code, successor_name or "")
            for code, name, level, is_current, successor_code, successor_name in rows
        }
        cache.set_many({_key("info", code, version): info for code, info in loaded.items()}, TTL_SECONDS)
        found.update(loaded)
    return found


def region_labels(codes) -> dict[str, str]:
    """code → the area's current name, e.g. 서울특별시 마포구 서교동; an unknown code shows as itself."""
    infos = region_infos(codes)
    return {code: infos[code].label if code in infos else code for code in codes if code}


def region_label(code: str) -> str:
    return region_labels([code]).get(code, code)


def region_require(code: str, *, field: str = "region", levels: tuple[int, ...] = ()) -> RegionInfo:
    """The area of a code in use (at one of `levels` when given); RegionError otherwise."""
    info = region_infos([code]).get(code) if CODE_RE.fullmatch(code or "") else None
    if info is None:
        message = _("No area has the code %(code)s.") % {"code": code}
        raise RegionError(message, code="region_unknown", fields={field: [message]})
    if not info.is_current:
        if info.successor_code:
            message = _(
                "%(name)s (%(code)s) is no longer in use: it is now %(current)s (%(current_code)s)."
            ) % {
                "name": info.name,
                "code": code,
                "current": info.successor_name,
                "current_code": info.successor_code,
            }
        else:
            message = _("%(name)s (%(code)s) is no longer in use.") % {"name": info.name, "code": code}
        raise RegionError(message, code="region_abolished", fields={field: [message]})
    if levels and info.level not in levels:
        words = " / ".join(LEVEL_WORDS[level] for level in levels)
        if info.level < min(levels):
            message = _("%(name)s is too large an area here: choose a %(levels)s.")
        else:
            message = _("%(name)s is too small an area here: choose a %(levels)s.")
        message = message % {"name": info.name, "levels": words}
        raise RegionError(message, code="region_wrong_level", fields={field: [message]})
    return info


def _terms(text: str) -> list[str]:
    """The words typed, in composed syllables (some keyboards send jamo) and without NUL characters."""
    return unicodedata.normalize("NFC", (text or "").replace("\x00", "")).split()[:6]


def _matching(terms: list[str], levels: tuple[int, ...]):
    queryset = Region.objects.filter(is_current=True)
    if levels:
        queryset = queryset.filter(level__in=levels)
    for term in terms:
        queryset = (
            queryset.filter(code__startswith=term) if term.isdigit() else queryset.filter(name__contains=term)
        )
    return queryset


def region_search(text: str, *, levels: tuple[int, ...] = (), limit: int = 10) -> list[Region]:
    """Areas in use whose name holds every word typed (서교, 마포 서교동, 춘천 동산면), or whose code
    starts with the digits typed: larger areas first, then names with a word starting as the last word
    typed (중앙 finds 중앙동 before 신중앙동), then in order of their whole name."""
    terms = _terms(text)
    if not terms:
        return []
    last = terms[-1]
    word_start = Case(When(Q(name__startswith=last) | Q(name__contains=f" {last}"), then=0), default=1)
    limit = max(1, min(limit, SEARCH_LIMIT))
    return list(
        _matching(terms, levels)
        .annotate(word_start=word_start)
        .order_by("level", "word_start", "name")
        .only("code", "name", "level")[:limit]
    )


def region_resolve(text: str, *, levels: tuple[int, ...] = ()) -> Region | None:
    """The one area a name typed without choosing from the list means: its whole name, else the only
    area named so (춘천시, 춘천 효자동), else the only match; None when it is unclear (효자동)."""
    terms = _terms(text)
    if not terms:
        return None
    matching = _matching(terms, levels)
    for candidates in (
        matching.filter(name=" ".join(terms)),
        matching.filter(Q(name=terms[-1]) | Q(name__endswith=f" {terms[-1]}")),
        matching,
    ):
        found = list(candidates[:2])
        if len(found) == 1:
            return found[0]
    return None


def _prefix(code: str, level: int, parents: set[str]) -> str:
    """The part of a code that every code inside its area starts with (a 읍/면 with 리: 8 digits)."""
    if level == Region.Level.SIDO:
        return code[:2]
    if level == Region.Level.SIGUNGU:
        return code[:5]
    if level == Region.Level.DONG and code in parents:
        return code[:8]
    return code


def _scope_compute(code: str) -> tuple[str, ...]:
    region = Region.objects.get(code=code)
    own = [region] + (
        list(region.children.filter(level=Region.Level.SIGUNGU))
        if region.level == Region.Level.SIGUNGU
        else []
    )
    levels = [(item.code, item.level) for item in own]
    parents = set(
        Region.objects.filter(parent_id__in=[code for code, _level in levels]).values_list(
            "parent_id", flat=True
        )
    )
    prefixes = {_prefix(code, level, parents) for code, level in levels}
    moved = list(
        Region.objects.filter(
            reduce(or_, (Q(successor__code__startswith=prefix) for prefix in prefixes))
        ).values_list("code", "level")
    )
    parents |= set(
        Region.objects.filter(
            parent_id__in=[code for code, level in moved if level == Region.Level.DONG]
        ).values_list("parent_id", flat=True)
    )
    prefixes |= {_prefix(code, level, parents) for code, level in moved}
    kept: list[str] = []
    for prefix in sorted(prefixes, key=len):
        if not any(prefix.startswith(shorter) for shorter in kept):
            kept.append(prefix)
    return tuple(sorted(kept))


def region_scope(code: str) -> tuple[str, ...]:
    """What a search for the area of `code` covers, as code prefixes: 2 digits a 시/도, 5 a 시/군/구,
    8 a 읍/면 with its 리, 10 one code. Abolished codes that moved into the area are included, so a
    listing stored under 강원도's 42… is found by a search for 강원특별자치도 (51…)."""
    version = cache.get(VERSION_KEY) or 0
    key = _key("scope", code, version)
    scope = cache.get(key)
    if scope is None:
        scope = _scope_compute(code)
        cache.set(key, scope, TTL_SECONDS)
    return scope
