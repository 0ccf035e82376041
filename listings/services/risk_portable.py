"""The same scoring in Python, for the embedded SQLite setup (small data); PostgreSQL uses risk.py."""

import math
from bisect import bisect_right
from collections import defaultdict
from statistics import median

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Sum
from django.utils import timezone

from ..models import LIVE_STATUSES, OPEN_REPORT_STATUSES, Listing, ListingPhoto, Report, RiskScore, Strike
from ..photos import hamming
from .risk_model import MIN_GROUP, SIZE_BANDS, VERIFICATION_RISK, VERSION, WEIGHTS


def _near_duplicates() -> set[int]:
    photos = list(ListingPhoto.objects.values_list("id", "listing_id", "partner_id", "dhash"))
    flagged = set()
    for index, (pk, listing_id, partner_id, value) in enumerate(photos):
        for other_pk, _listing, other_partner, other_value in photos[:index]:
            if (
                other_pk < pk
                and other_partner != partner_id
                and hamming(value, other_value) <= settings.LISTINGS_PHOTO_NEAR_BITS
            ):
                flagged.add(listing_id)
                break
    return flagged


def listings_rescore_portable() -> int:
    now = timezone.now()
    listings = list(Listing.objects.filter(status__in=LIVE_STATUSES).select_related("partner"))
    groups = defaultdict(list)
    for listing in listings:
        listing._band = bisect_right(SIZE_BANDS, float(listing.size_m2))
        listing._lp = math.log(max(listing.price_basis_krw or 1, 1))
        groups[(listing.sigungu_code, listing.deal_type, listing._band)].append(listing._lp)
    stats = {}
    for key, values in groups.items():
        if len(values) >= MIN_GROUP:
            med = median(values)
            stats[key] = (len(values), med, median(abs(v - med) for v in values))
    duplicates = _near_duplicates()
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
    with transaction.atomic():
        for listing in listings:
            report_weight, open_reports = reports.get(listing.pk, (0, 0))
            n, med, mad = stats.get((listing.sigungu_code, listing.deal_type, listing._band), (None, 0, 0))
            z = (listing._lp - med) / (1.4826 * max(mad, 0.02)) if n else None
            partner_since = listing.partner.decided_at or listing.partner.created_at
            # Fractional days, as in SQL: a brokerage approved 10.5 days ago is not 10 days old.
            age_days = (now - partner_since).total_seconds() / 86400
            stale_days = (now - listing.refreshed_at).total_seconds() / 86400
            components = {
                "price": min(max((-z - 1.5) / 2.5, 0), 1) if z is not None else 0,
                "photo": 1 if listing.pk in duplicates else 0,
                "reports": 1 - math.exp(-(report_weight or 0) / 1.5),
                "strikes": min((strikes.get(listing.partner_id) or 0) / 3, 1),
                "verification": VERIFICATION_RISK[listing.level_now],
                "young": max(0, 1 - age_days / settings.LISTINGS_YOUNG_BROKER_DAYS),
                "stale": min(
                    max(stale_days - settings.LISTINGS_STALE_DAYS, 0) / (2 * settings.LISTINGS_STALE_DAYS), 1
                ),
            }
            score = round(sum(components[name] * weight for name, weight in WEIGHTS.items()), 2)
            detail = {name: {"value": round(value, 3)} for name, value in components.items()}
            detail["price"].update(
                z=round(z, 2) if z is not None else None,
                peers=n,
                median_krw=round(math.exp(med)) if n else None,
            )
            # The same evidence as the SQL path, so staff see the same reasons on either engine.
            detail["reports"].update(open=open_reports, weight=round(report_weight or 0, 2))
            detail["strikes"].update(points=strikes.get(listing.partner_id) or 0)
            detail["verification"].update(level=listing.level_now)
            detail["young"].update(age_days=math.floor(age_days))
            detail["stale"].update(days=math.floor(stale_days))
            RiskScore.objects.update_or_create(
                listing=listing,
                defaults={"score": score, "components": detail, "version": VERSION, "computed_at": now},
            )
        RiskScore.objects.exclude(listing__status__in=LIVE_STATUSES).delete()
    return len(listings)
