"""The same scoring in Python, for the embedded SQLite setup (small data); PostgreSQL uses risk.py.
Each step mirrors one statement of risk.py, and a test runs both on the same listings."""

import math
import re
from bisect import bisect_right
from collections import defaultdict
from datetime import timedelta
from statistics import median

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Sum
from django.utils import timezone

from ..models import (
    LIVE_STATUSES,
    OPEN_REPORT_STATUSES,
    Listing,
    ListingContact,
    ListingPhoto,
    PhotoHash,
    Report,
    RiskScore,
    Strike,
)
from ..photos import hamming
from .risk_model import (
    AGE_BANDS,
    ALONE_COMMON,
    ALONE_RARE,
    BAND_PAIRS,
    BROKER_PRIOR_ANSWERS,
    BUMPS_AFTER_DAYS,
    BUMPS_FROM,
    BUMPS_MIN,
    BUMPS_MIN_LISTINGS,
    BUMPS_RAMP,
    BUMPS_RATE_FLOOR,
    FLOOR_BANDS,
    LET_LIVE_DAYS,
    LET_LIVE_POINTS,
    LET_LIVE_SCALE,
    MAD_FLOOR,
    MIN_GROUP,
    PHOTO_COMMON,
    PRICE_LEVELS,
    PRICE_TAIL,
    PRICE_THRESHOLD_BOUNDS,
    SIZE_BANDS,
    VERIFICATION_RISK,
    weights_in_use,
)


def _clamp(value: float) -> float:
    return min(max(value, 0.0), 1.0)


def _percentile(values: list[float], share: float) -> float:
    """percentile_cont: linear interpolation between the closest ranks."""
    ordered = sorted(values)
    position = share * (len(ordered) - 1)
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def _base(now) -> list[dict]:
    rate = settings.LISTINGS_RENT_CONVERSION_PERCENT
    rows = []
    for listing in Listing.objects.filter(status__in=LIVE_STATUSES).select_related("partner"):
        size = float(listing.size_m2)
        basis = (
            listing.price_krw
            if listing.deal_type == Listing.DealType.SALE
            else listing.deposit_krw + listing.monthly_rent_krw * 1200.0 / rate
        )
        rows.append({
            "listing": listing,
            "id": listing.pk,
            "dong_code": listing.dong_code,
            "sigungu_code": listing.sigungu_code,
            "deal_type": listing.deal_type,
            "building_type": listing.building_type,
            "size_band": bisect_right(SIZE_BANDS, size),
            "floor_band": bisect_right(FLOOR_BANDS, listing.floor),
            "age_band": (
                -1 if listing.built_year is None else bisect_right(AGE_BANDS, now.year - listing.built_year)
            ),
            "lpm": math.log(max(basis, 1) / size),
            "live_days": (now - (listing.published_at or listing.created_at)).total_seconds() / 86400,
        })
    return rows


def _prices(base: list[dict]) -> dict[int, dict]:
    """Each listing's z against the finest group with MIN_GROUP homes, and its class threshold."""
    stats = []
    for keys in PRICE_LEVELS:
        groups = defaultdict(list)
        for row in base:
            groups[tuple(row[key] for key in keys)].append(row["lpm"])
        level = {}
        for key, values in groups.items():
            if len(values) >= MIN_GROUP:
                med = median(values)
                level[key] = (len(values), med, median(abs(v - med) for v in values))
        stats.append(level)
    found = {}
    for row in base:
        for level, keys in enumerate(PRICE_LEVELS):
            group = stats[level].get(tuple(row[key] for key in keys))
            if group is not None:
                n, med, mad = group
                found[row["id"]] = {"lvl": level, "n": n, "med": med,
                                    "z": (row["lpm"] - med) / (1.4826 * max(mad, MAD_FLOOR))}
                break
    by_class = defaultdict(list)
    for row in base:
        if row["id"] in found:
            by_class[(row["deal_type"], row["building_type"])].append(found[row["id"]]["z"])
    low, high = PRICE_THRESHOLD_BOUNDS
    thresholds = {key: min(max(-_percentile(zs, PRICE_TAIL), low), high) for key, zs in by_class.items()}
    prices = {}
    for row in base:
        price = found.get(row["id"])
        if price is None:
            prices[row["id"]] = {"c": 0.0, "z": None, "n": None, "lvl": None, "med": None, "t": None}
            continue
        t = thresholds[(row["deal_type"], row["building_type"])]
        prices[row["id"]] = {**price, "t": t, "c": _clamp((-price["z"] - t) / 2.0)}
    return prices


def _photos(near_bits: int) -> dict[int, tuple[float, int]]:
    """Per live listing: the photo component and how many brokerages its matched photos show up at."""
    info = {
        pk: (listing_id, partner_id, building_key, landlord_id, status in LIVE_STATUSES)
        for pk, listing_id, partner_id, building_key, landlord_id, status in ListingPhoto.objects.values_list(
            "pk", "listing_id", "listing__partner_id", "listing__building_key", "listing__landlord_id",
            "listing__status",
        )
    }
    uploaded = dict(ListingPhoto.objects.values_list("pk", "uploaded_at"))
    rows = [(pk, 0, value) for pk, value in ListingPhoto.objects.values_list("pk", "dhash")]
    rows += list(PhotoHash.objects.values_list("photo_id", "kind", "dhash"))

    def bands(value: int) -> tuple:
        unsigned = value & 0xFFFF_FFFF_FFFF_FFFF
        return tuple((unsigned >> (16 * n)) & 0xFFFF for n in range(4))

    banded = [(pk, kind, value, bands(value)) for pk, kind, value in rows]
    held = defaultdict(int)
    for _pk, _kind, _value, b in banded:
        for i, j in BAND_PAIRS:
            held[(i, j, b[i], b[j])] += 1
    # A hash sharing a band pair with more than PHOTO_COMMON hashes is a generic picture: left out.
    banded = [
        row for row in banded
        if not any(held[(i, j, row[3][i], row[3][j])] > PHOTO_COMMON for i, j in BAND_PAIRS)
    ]
    matches = defaultdict(set)  # a photo -> the partners of the earlier photos it copies
    own = set()  # photos matching an earlier picture of their own building or owner
    for a_pk, a_kind, a_value, a_bands in banded:
        a_listing, a_partner, a_building, a_landlord, a_live = info[a_pk]
        if a_kind != 0 or not a_live:
            continue
        for b_pk, _kind, b_value, b_bands in banded:
            b_listing, b_partner, b_building, b_landlord, _live = info[b_pk]
            if b_pk == a_pk or b_partner == a_partner or hamming(a_value, b_value) > near_bits:
                continue
            if not any(a_bands[i] == b_bands[i] and a_bands[j] == b_bands[j] for i, j in BAND_PAIRS):
                continue
            if not (uploaded[b_pk], b_pk) < (uploaded[a_pk], a_pk):
                continue
            matches.setdefault(a_pk, set())
            same_building = bool(a_building) and a_building == b_building
            if same_building or (a_landlord is not None and a_landlord == b_landlord):
                own.add(a_pk)
            else:
                matches[a_pk].add(b_partner)
    per_listing = {}
    for a_pk, partners in matches.items():
        listing_id = info[a_pk][0]
        if a_pk in own or not partners:
            strength = 0.0
        else:
            strength = 1.0 if len(partners) <= 2 else 2.0 / len(partners)
        value, count = per_listing.get(listing_id, (0.0, 0))
        per_listing[listing_id] = (max(value, strength), count + len(partners))
    return per_listing


def _points(contacts) -> float:
    return sum(
        LET_LIVE_POINTS[c.outcome] if c.outcome in ("unavailable", "other_offered", "no_viewing") else 0
        for c in contacts
    ) + LET_LIVE_POINTS["contracted"] * sum(c.broker_answer == "contracted" for c in contacts)


def _contacts(base: list[dict], now) -> dict[int, dict]:
    live = {row["id"]: row["listing"] for row in base}
    since = now - timedelta(days=LET_LIVE_DAYS)
    grouped = defaultdict(list)
    for contact in ListingContact.objects.filter(listing_id__in=live).exclude(outcome="", broker_answer=""):
        published = live[contact.listing_id].published_at
        if contact.created_at >= max(filter(None, (published, since))):
            grouped[contact.listing_id].append(contact)
    result = {}
    for listing_id, contacts in grouped.items():
        viewed = [c for c in contacts if c.outcome == "viewed"]
        result[listing_id] = {
            "points": _points(contacts) + LET_LIVE_POINTS["viewed"] * len(viewed),
            "told_gone": sum(c.outcome in ("unavailable", "other_offered") for c in contacts),
            "no_viewing": sum(c.outcome == "no_viewing" for c in contacts),
            "viewed": len(viewed),
            "broker_contracted": sum(c.broker_answer == "contracted" for c in contacts),
            "last_viewed": max((c.outcome_at for c in viewed), default=None),
        }
    return result


def _brokers(now) -> dict[int, tuple[float, int]]:
    grouped = defaultdict(list)
    answered = ListingContact.objects.exclude(outcome="", broker_answer="").filter(
        created_at__gte=now - timedelta(days=180)
    ).select_related("listing")
    for contact in answered:
        grouped[contact.listing.partner_id].append(contact)
    per = {partner: (_points(contacts), len(contacts)) for partner, contacts in grouped.items()}
    rate = max(sum(bad for bad, _n in per.values()), 1) / max(sum(n for _bad, n in per.values()), 1)
    return {
        partner: ((bad + rate * BROKER_PRIOR_ANSWERS) / (n + BROKER_PRIOR_ANSWERS) / rate, n)
        for partner, (bad, n) in per.items()
    }


def _habits(base: list[dict]) -> dict[int, float]:
    """Each brokerage's usual bumps a day over its live listings; the market's for small brokerages."""
    rates = defaultdict(list)
    for row in base:
        rates[row["listing"].partner_id].append(row["listing"].refresh_count / max(row["live_days"], 7))
    market = median([rate for values in rates.values() for rate in values]) if rates else 0
    return {
        partner: max(median(values) if len(values) >= BUMPS_MIN_LISTINGS else market, BUMPS_RATE_FLOOR)
        for partner, values in rates.items()
    }


def _digits(unit: str) -> str:
    return re.sub(r"[^0-9]", "", unit or "")


def _mandates(base: list[dict]) -> dict[int, int]:
    """Per live listing with no sign of a mandate: the other brokerages listing the same unit earlier."""
    earlier = defaultdict(list)  # (building, unit) -> (listed, id, partner) of live listings
    for listing in Listing.objects.filter(status__in=LIVE_STATUSES).exclude(building_key=""):
        unit = _digits(listing.unit)
        if unit:
            listed = listing.published_at or listing.created_at
            earlier[(listing.building_key, unit)].append((listed, listing.pk, listing.partner_id))
    found = {}
    for row in base:
        listing = row["listing"]
        unit = _digits(listing.unit)
        if not listing.building_key or not unit or listing.landlord_id is not None or listing.level_now:
            continue
        mine = (listing.published_at or listing.created_at, listing.pk)
        partners = {
            partner for listed, pk, partner in earlier[(listing.building_key, unit)]
            if partner != listing.partner_id and (listed, pk) < mine
        }
        if partners:
            found[listing.pk] = len(partners)
    return found


def _addresses() -> tuple[dict[str, int], dict[str, float]]:
    """Listings ever at each building, and per building type the share of listings alone at theirs."""
    buildings = defaultdict(int)
    for key in Listing.objects.exclude(building_key="").values_list("building_key", flat=True):
        buildings[key] += 1
    alone, total = defaultdict(int), defaultdict(int)
    for kind, key in Listing.objects.exclude(building_key="").values_list("building_type", "building_key"):
        total[kind] += 1
        alone[kind] += buildings[key] == 1
    return buildings, {kind: (alone[kind] + 1) / (total[kind] + 1) for kind in total}


def _address_value(others: int | None, share: float) -> float:
    if others != 0:
        return 0.0
    return _clamp(math.log(ALONE_COMMON / share) / math.log(ALONE_COMMON / ALONE_RARE))


def listings_rescore_portable() -> int:
    now = timezone.now()
    weights, version = weights_in_use()
    base = _base(now)
    prices = _prices(base)
    photos = _photos(settings.LISTINGS_PHOTO_NEAR_BITS)
    contacts = _contacts(base, now)
    brokers = _brokers(now)
    habits = _habits(base)
    mandates = _mandates(base)
    buildings, alone_shares = _addresses()
    reports = {
        listing_id: (weight, count)
        for listing_id, weight, count in Report.objects.filter(status__in=OPEN_REPORT_STATUSES)
        .values("listing_id")
        .annotate(w=Sum("weight"), n=Count("id"))
        .values_list("listing_id", "w", "n")
    }
    strikes = dict(
        Strike.objects.filter(status="active", expires_at__gt=now)
        .values("partner_id")
        .annotate(p=Sum("severity"))
        .values_list("partner_id", "p")
    )
    stale_days = settings.LISTINGS_STALE_DAYS
    with transaction.atomic():
        for row in base:
            listing = row["listing"]
            price = prices[row["id"]]
            photo, photo_partners = photos.get(row["id"], (0.0, 0))
            contact = contacts.get(row["id"], {})
            registry = bool(
                listing.registry_changed_at and listing.published_at
                and listing.registry_changed_at > listing.published_at
            )
            let_points = contact.get("points", 0) + (LET_LIVE_POINTS["registry"] if registry else 0)
            ratio, answers = brokers.get(listing.partner_id, (1.0, 0))
            report_weight, open_reports = reports.get(listing.pk, (0, 0))
            partner_since = listing.partner.decided_at or listing.partner.created_at
            # Fractional days, as in SQL: a brokerage approved 10.5 days ago is not 10 days old.
            age_days = (now - partner_since).total_seconds() / 86400
            bump_habit = listing.refresh_count / max(row["live_days"], 7) / habits[listing.partner_id]
            evidence = max(filter(None, (listing.published_at or now, contact.get("last_viewed"))))
            evidence_days = max((now - evidence).total_seconds() / 86400, 0)
            others = buildings[listing.building_key] - 1 if listing.building_key else None
            alone_share = alone_shares.get(listing.building_type, 1.0)
            components = {
                "price": price["c"],
                "photo": photo,
                "let_live": 1 - math.exp(-max(let_points, 0) / LET_LIVE_SCALE),
                "reports": 1 - math.exp(-(report_weight or 0) / 1.5),
                "broker": _clamp((ratio - 1) / 3),
                "bumps": _clamp((bump_habit - BUMPS_FROM) / BUMPS_RAMP)
                if row["live_days"] >= BUMPS_AFTER_DAYS and listing.refresh_count >= BUMPS_MIN else 0,
                "strikes": min((strikes.get(listing.partner_id) or 0) / 3, 1),
                "verification": VERIFICATION_RISK[listing.level_now],
                "young": max(0, 1 - age_days / settings.LISTINGS_YOUNG_BROKER_DAYS),
                "stale": _clamp((evidence_days - stale_days) / (2 * stale_days)),
                "mandate": 1.0 if mandates.get(listing.pk) else 0.0,
                "address": _address_value(others, alone_share),
            }
            score = round(sum(components[name] * weight for name, weight in weights.items()), 2)
            detail = {name: {"value": round(value, 3)} for name, value in components.items()}
            # The same evidence as the SQL path, so staff see the same reasons on either engine.
            detail["price"].update(
                z=round(price["z"], 2) if price["z"] is not None else None,
                peers=price["n"],
                group=price["lvl"],
                threshold=round(price["t"], 2) if price["t"] is not None else None,
                median_krw_m2=round(math.exp(price["med"])) if price["med"] is not None else None,
            )
            detail["photo"].update(partners=photo_partners)
            detail["let_live"].update(
                told_gone=contact.get("told_gone", 0),
                no_viewing=contact.get("no_viewing", 0),
                viewed=contact.get("viewed", 0),
                broker_contracted=contact.get("broker_contracted", 0),
                registry_changed=registry,
            )
            detail["reports"].update(open=open_reports, weight=round(report_weight or 0, 2))
            detail["broker"].update(ratio=round(ratio, 2), answers=answers)
            detail["bumps"].update(count=listing.refresh_count, live_days=math.floor(row["live_days"]),
                                   habit=round(bump_habit, 2))
            detail["strikes"].update(points=strikes.get(listing.partner_id) or 0)
            detail["verification"].update(level=listing.level_now)
            detail["young"].update(age_days=math.floor(age_days))
            detail["stale"].update(days=math.floor(evidence_days))
            detail["mandate"].update(earlier=mandates.get(listing.pk, 0))
            detail["address"].update(others=others or 0, alone_share=round(alone_share, 4))
            RiskScore.objects.update_or_create(
                listing=listing,
                defaults={"score": score, "components": detail, "version": version, "computed_at": now},
            )
        RiskScore.objects.exclude(listing__status__in=LIVE_STATUSES).delete()
    return len(base)
