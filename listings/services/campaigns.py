"""The monthly inspection campaign: which areas, which listings, reproducible from a stored seed.

Areas (법정동) rank by recent closed deals and the upheld share of recent reports; areas swept in the
last LISTINGS_CAMPAIGN_COOLDOWN_MONTHS are skipped. The top K areas plus one random area are swept.
Within them, listings go by risk score up to the inspectors' capacity, less a random sample
(LISTINGS_CAMPAIGN_SAMPLE_PERCENT of capacity) that measures the base rate of fakes; no brokerage
takes more than LISTINGS_CAMPAIGN_BROKER_CAP_PERCENT of the campaign.
"""

import random
import secrets
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from trustplatform.audit.services import audit_record
from trustplatform.notifications.services import Phrase, staff_notify

from ..errors import ListingError
from ..models import LIVE_STATUSES, Campaign, Inspection, Listing, Report


@dataclass
class Selection:
    areas: list[str]
    random_area: str | None
    risk: list[tuple[int, int]] = field(default_factory=list)  # (listing id, partner id)
    sample: list[tuple[int, int]] = field(default_factory=list)

    @property
    def listing_ids(self) -> list[int]:
        return [listing_id for listing_id, _partner in self.risk + self.sample]


def campaign_parameters(*, capacity: int | None = None) -> dict:
    if capacity is None:
        inspectors = (
            get_user_model().objects.filter(is_active=True, is_staff=True, groups__name="inspectors").count()
        )
        capacity = max(inspectors, 1) * settings.LISTINGS_CAMPAIGN_PER_INSPECTOR
    return {
        "capacity": capacity,
        "top_areas": settings.LISTINGS_CAMPAIGN_TOP_AREAS,
        "sample_percent": settings.LISTINGS_CAMPAIGN_SAMPLE_PERCENT,
        "broker_cap_percent": settings.LISTINGS_CAMPAIGN_BROKER_CAP_PERCENT,
        "lookback_days": settings.LISTINGS_CAMPAIGN_LOOKBACK_DAYS,
        "cooldown_months": settings.LISTINGS_CAMPAIGN_COOLDOWN_MONTHS,
    }


def _month_shift(month: date, months: int) -> date:
    index = month.year * 12 + month.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _recently_swept(month: date, cooldown_months: int) -> set[str]:
    areas = set()
    since = _month_shift(month, -cooldown_months)
    for selected in Campaign.objects.filter(month__gte=since, month__lt=month).values_list(
        "selected_areas", flat=True
    ):
        areas.update(selected)
    return areas


_AREAS_SQL = f"""
WITH live AS (
    SELECT dong_code, count(*) AS n FROM listings_listing
    WHERE status IN ('{"','".join(LIVE_STATUSES)}') GROUP BY dong_code
), closed AS (
    SELECT dong_code, count(*) AS deals FROM listings_listing
    WHERE archive_reason = 'deal_closed' AND closed_at >= %(since)s GROUP BY dong_code
), decided AS (
    SELECT l.dong_code, count(*) FILTER (WHERE r.status = 'upheld') AS upheld, count(*) AS reports
    FROM listings_report r JOIN listings_listing l ON l.id = r.listing_id
    WHERE r.created_at >= %(since)s AND r.status IN ('upheld', 'rejected') GROUP BY l.dong_code
)
SELECT live.dong_code, coalesce(closed.deals, 0), coalesce(decided.upheld, 0), coalesce(decided.reports, 0)
FROM live LEFT JOIN closed USING (dong_code) LEFT JOIN decided USING (dong_code)
ORDER BY live.dong_code
"""


def _area_stats(since) -> list[tuple[str, int, int, int]]:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(_AREAS_SQL, {"since": since})
            return cursor.fetchall()
    live = Listing.objects.filter(status__in=LIVE_STATUSES).values("dong_code").annotate(n=Count("id"))
    rows = []
    for row in live.order_by("dong_code"):
        code = row["dong_code"]
        deals = Listing.objects.filter(
            dong_code=code, archive_reason="deal_closed", closed_at__gte=since
        ).count()
        reports = Report.objects.filter(
            listing__dong_code=code, created_at__gte=since, status__in=["upheld", "rejected"]
        ).aggregate(upheld=Count("id", filter=Q(status="upheld")), total=Count("id"))
        rows.append((code, deals, reports["upheld"], reports["total"]))
    return rows


def areas_rank(*, month: date, parameters: dict) -> list[tuple[str, float]]:
    """Areas with live listings, best first: 60 % recent closed deals, 40 % upheld report rate
    (shrunk toward zero with five imaginary rejected reports); recently swept areas left out."""
    since = timezone.now() - timedelta(days=parameters["lookback_days"])
    skipped = _recently_swept(month, parameters["cooldown_months"])
    rows = [row for row in _area_stats(since) if row[0] not in skipped]
    most_deals = max((deals for _code, deals, _u, _r in rows), default=0) or 1
    rates = {code: upheld / (reports + 5) for code, _d, upheld, reports in rows}
    best_rate = max(rates.values(), default=0) or 1
    ranked = [
        (code, round(0.6 * deals / most_deals + 0.4 * rates[code] / best_rate, 6))
        for code, deals, _u, _r in rows
    ]
    ranked.sort(key=lambda item: (-item[1], item[0]))
    return ranked


def _candidates(areas: list[str], campaign_id: int | None) -> list[tuple[int, int, float]]:
    """Live listings in the areas with no inspection queued elsewhere, highest risk first (ties by id)."""
    queued = Inspection.objects.filter(status=Inspection.Status.QUEUED)
    if campaign_id is not None:
        queued = queued.exclude(campaign_id=campaign_id)
    queryset = (
        Listing.objects.filter(status__in=LIVE_STATUSES, dong_code__in=areas)
        .exclude(pk__in=queued.values("listing_id"))
        .values_list("id", "partner_id", "risk__score")
    )
    rows = [(pk, partner, score or 0.0) for pk, partner, score in queryset]
    rows.sort(key=lambda row: (-row[2], row[0]))
    return rows


def campaign_select(*, month: date, seed: int, parameters: dict, campaign_id: int | None = None) -> Selection:
    """Choose the areas and listings; the same data, month, seed and parameters give the same result."""
    rng = random.Random(seed)
    ranked = areas_rank(month=month, parameters=parameters)
    top = [code for code, _score in ranked[: parameters["top_areas"]]]
    rest = sorted(code for code, _score in ranked[parameters["top_areas"] :])
    random_area = rng.choice(rest) if rest else None
    areas = top + ([random_area] if random_area else [])
    capacity = parameters["capacity"]
    sample_size = round(capacity * parameters["sample_percent"] / 100)
    broker_cap = max(1, capacity * parameters["broker_cap_percent"] // 100)
    selection = Selection(areas=areas, random_area=random_area)
    per_broker: dict[int, int] = {}
    candidates = _candidates(areas, campaign_id)
    taken = set()
    for pk, partner, _score in candidates:
        if len(selection.risk) >= capacity - sample_size:
            break
        if per_broker.get(partner, 0) < broker_cap:
            selection.risk.append((pk, partner))
            per_broker[partner] = per_broker.get(partner, 0) + 1
            taken.add(pk)
    remaining = sorted((pk, partner) for pk, partner, _score in candidates if pk not in taken)
    rng.shuffle(remaining)
    for pk, partner in remaining:
        if len(selection.sample) >= capacity - len(selection.risk):
            break
        if per_broker.get(partner, 0) < broker_cap:
            selection.sample.append((pk, partner))
            per_broker[partner] = per_broker.get(partner, 0) + 1
    return selection


def _inspectors() -> list:
    return list(
        get_user_model()
        .objects.filter(is_active=True, is_staff=True, groups__name="inspectors")
        .order_by("pk")
    )


def campaign_open(
    *, month: date | None = None, seed: int | None = None, capacity: int | None = None, actor=None
) -> Campaign:
    """Open the month's campaign once (a second call returns it): select, store the seed and the
    selection, queue the inspections and hand each area to one inspector."""
    month = (month or timezone.localdate()).replace(day=1)
    existing = Campaign.objects.filter(month=month).first()
    if existing is not None:
        return existing
    seed = seed if seed is not None else secrets.randbits(62)
    parameters = campaign_parameters(capacity=capacity)
    if parameters["capacity"] < 1:
        raise ListingError(
            _("The campaign needs a capacity of at least one inspection."), code="invalid_capacity"
        )
    selection = campaign_select(month=month, seed=seed, parameters=parameters)
    inspectors = _inspectors()
    area_of = dict(Listing.objects.filter(pk__in=selection.listing_ids).values_list("id", "dong_code"))
    scores = dict(Listing.objects.filter(pk__in=selection.listing_ids).values_list("id", "risk__score"))
    try:
        return _campaign_store(
            month=month,
            seed=seed,
            parameters=parameters,
            selection=selection,
            inspectors=inspectors,
            area_of=area_of,
            scores=scores,
            actor=actor,
        )
    except IntegrityError:
        # Opened at the same moment by another run (the month is unique): that one stands.
        existing = Campaign.objects.filter(month=month).first()
        if existing is None:
            raise
        return existing


def _campaign_store(*, month, seed, parameters, selection, inspectors, area_of, scores, actor) -> Campaign:
    with transaction.atomic():
        campaign = Campaign.objects.create(
            month=month,
            seed=seed,
            parameters={**parameters, "random_area": selection.random_area},
            selected_areas=selection.areas,
            capacity=parameters["capacity"],
            broker_cap=max(1, parameters["capacity"] * parameters["broker_cap_percent"] // 100),
        )
        inspections = []
        for reason, rows in (
            (Inspection.Reason.RISK, selection.risk),
            (Inspection.Reason.SAMPLE, selection.sample),
        ):
            for listing_id, _partner in rows:
                area_index = selection.areas.index(area_of[listing_id])
                inspections.append(
                    Inspection(
                        listing_id=listing_id,
                        campaign=campaign,
                        reason=reason,
                        priority=scores.get(listing_id) or 0,
                        inspector=inspectors[area_index % len(inspectors)] if inspectors else None,
                    )
                )
        Inspection.objects.bulk_create(inspections, batch_size=1000)
        audit_record(
            obj=campaign,
            action="campaign_opened",
            actor=actor,
            extra={
                "seed": seed,
                "areas": selection.areas,
                "risk": len(selection.risk),
                "sample": len(selection.sample),
            },
        )
    staff_notify(
        group="inspectors",
        title=Phrase(gettext_lazy("The %(month)s inspection campaign is open"), {"month": f"{month:%Y-%m}"}),
    )
    return campaign


def campaign_reselect(*, campaign: Campaign) -> Selection:
    """Run the stored campaign's selection again from its seed (for audits of how it was chosen)."""
    parameters = {key: value for key, value in campaign.parameters.items() if key != "random_area"}
    return campaign_select(
        month=campaign.month, seed=campaign.seed, parameters=parameters, campaign_id=campaign.pk
    )
