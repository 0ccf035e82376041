"""The monthly inspection campaign: which areas, which listings, reproducible from a stored seed.

Areas (법정동) are chosen by the fakes inspectors can expect to find per hour there: each listing's risk
score becomes the chance it is fake (calibration.py: learned from earlier inspections, or the prior),
and sweeping an area's LISTINGS_CAMPAIGN_AREA_INSPECTIONS riskiest listings is worth their summed
chances over the hours it takes (LISTINGS_CAMPAIGN_TRAVEL_MINUTES to get there and move about,
LISTINGS_CAMPAIGN_INSPECT_MINUTES per home). A swept area is swept that deep, so the campaign finds a
real share of its fakes rather than a handful everywhere; as many of the best areas as capacity allows
at that depth are taken (at most LISTINGS_CAMPAIGN_TOP_AREAS), and capacity left over goes to the next
riskiest listings in them. Areas swept in the last LISTINGS_CAMPAIGN_COOLDOWN_MONTHS are skipped.
One more area is drawn at random, and a random sample (LISTINGS_CAMPAIGN_SAMPLE_PERCENT of capacity)
from all the swept areas measures what the ranking misses: its outcomes feed the next calibration.
No brokerage takes more than LISTINGS_CAMPAIGN_BROKER_CAP_PERCENT of the campaign.
"""

import random
import secrets
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import F, Window
from django.db.models.functions import Coalesce, RowNumber
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from trustplatform.audit.services import audit_record
from trustplatform.notifications.services import Phrase, staff_notify

from ..errors import ListingError
from ..models import LIVE_STATUSES, Campaign, Inspection, Listing
from .calibration import fake_chance, fake_odds

# The riskiest listings of each area read for the choice: more than any area's best run here.
AREA_DEPTH = 300


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
        "cooldown_months": settings.LISTINGS_CAMPAIGN_COOLDOWN_MONTHS,
        "inspect_minutes": settings.LISTINGS_CAMPAIGN_INSPECT_MINUTES,
        "travel_minutes": settings.LISTINGS_CAMPAIGN_TRAVEL_MINUTES,
        "area_inspections": settings.LISTINGS_CAMPAIGN_AREA_INSPECTIONS,
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


def _eligible(campaign_id: int | None):
    """Live listings with no inspection queued elsewhere."""
    queued = Inspection.objects.filter(status=Inspection.Status.QUEUED)
    if campaign_id is not None:
        queued = queued.exclude(campaign_id=campaign_id)
    return Listing.objects.filter(status__in=LIVE_STATUSES).exclude(pk__in=queued.values("listing_id"))


def _riskiest_by_area(*, skipped: set[str], campaign_id: int | None) -> dict[str, list]:
    """Each area's AREA_DEPTH riskiest eligible listings as (id, partner, score), riskiest first (ties
    by id); one window query, on either engine."""
    ranked = (
        _eligible(campaign_id)
        .exclude(dong_code__in=skipped)
        .annotate(
            risk_score=Coalesce(F("risk__score"), 0.0),
            place=Window(
                RowNumber(),
                partition_by=[F("dong_code")],
                order_by=[F("risk__score").desc(nulls_last=True), F("id").asc()],
            ),
        )
        .filter(place__lte=AREA_DEPTH)
        .values_list("dong_code", "id", "partner_id", "risk_score")
    )
    areas = defaultdict(list)
    for code, pk, partner, score in ranked:
        areas[code].append((pk, partner, score))
    for rows in areas.values():
        rows.sort(key=lambda row: (-row[2], row[0]))
    return areas


def _run_value(chances: list[float], parameters: dict, depth: int) -> tuple[float, int]:
    """(expected fakes found per inspector-hour, listings) of sweeping the area's `depth` riskiest."""
    count = min(depth, len(chances))
    hours = (parameters["travel_minutes"] + count * parameters["inspect_minutes"]) / 60
    return (sum(chances[:count]) / hours if count else 0.0), count


def _depth(parameters: dict) -> tuple[int, int]:
    """(inspections by risk, inspections per swept area)."""
    capacity = parameters["capacity"]
    risk_room = max(capacity - round(capacity * parameters["sample_percent"] / 100), 1)
    return risk_room, max(1, min(parameters["area_inspections"], risk_room))


def areas_rank(*, month: date, parameters: dict, campaign_id: int | None = None) -> list[tuple]:
    """Areas with eligible live listings, best first: (code, expected fakes found per inspector-hour
    when its riskiest listings are swept, how many that takes); recently swept areas left out."""
    skipped = _recently_swept(month, parameters["cooldown_months"])
    odds = fake_odds()
    _room, depth = _depth(parameters)
    ranked = []
    for code, rows in _riskiest_by_area(skipped=skipped, campaign_id=campaign_id).items():
        chances = [fake_chance(score, odds) for _pk, _partner, score in rows]
        value, count = _run_value(chances, parameters, depth)
        ranked.append((code, round(value, 6), count))
    ranked.sort(key=lambda item: (-item[1], item[0]))
    return ranked


def _area_rows(code: str, campaign_id: int | None) -> list[tuple[int, int, float]]:
    rows = [
        (pk, partner, score or 0.0)
        for pk, partner, score in _eligible(campaign_id)
        .filter(dong_code=code)
        .values_list("id", "partner_id", "risk__score")
    ]
    rows.sort(key=lambda row: (-row[2], row[0]))
    return rows


def campaign_select(*, month: date, seed: int, parameters: dict, campaign_id: int | None = None) -> Selection:
    """Choose the areas and listings; the same data, month, seed and parameters give the same result."""
    rng = random.Random(seed)
    ranked = areas_rank(month=month, parameters=parameters, campaign_id=campaign_id)
    risk_room, depth = _depth(parameters)
    # Enough areas for the risk part at the sweep depth, at most top_areas.
    taken_areas = min(parameters["top_areas"], -(-risk_room // depth))
    chosen = ranked[:taken_areas]
    rest = sorted(code for code, _value, _count in ranked[taken_areas:])
    random_area = rng.choice(rest) if rest else None
    areas = [code for code, _value, _count in chosen] + ([random_area] if random_area else [])
    capacity = parameters["capacity"]
    sample_size = round(capacity * parameters["sample_percent"] / 100)
    broker_cap = max(1, capacity * parameters["broker_cap_percent"] // 100)
    selection = Selection(areas=areas, random_area=random_area)
    per_broker: dict[int, int] = {}
    taken = set()
    rows_of = {code: _area_rows(code, campaign_id) for code in areas}

    def take(pk: int, partner: int, into: list) -> bool:
        if pk in taken or per_broker.get(partner, 0) >= broker_cap:
            return False
        into.append((pk, partner))
        per_broker[partner] = per_broker.get(partner, 0) + 1
        taken.add(pk)
        return True

    risk_room = capacity - sample_size
    # Each chosen area's riskiest listings to the sweep depth, best area first.
    for code, _value, count in chosen:
        for pk, partner, _score in rows_of[code][:count]:
            if len(selection.risk) >= risk_room:
                break
            take(pk, partner, selection.risk)
    # Room left: the riskiest remaining listings of the chosen areas (no new travel).
    leftovers = sorted(
        (row for code, _value, _count in chosen for row in rows_of[code] if row[0] not in taken),
        key=lambda row: (-row[2], row[0]),
    )
    for pk, partner, _score in leftovers:
        if len(selection.risk) >= risk_room:
            break
        take(pk, partner, selection.risk)
    remaining = sorted(
        (pk, partner) for code in areas for pk, partner, _score in rows_of[code] if pk not in taken
    )
    rng.shuffle(remaining)
    for pk, partner in remaining:
        if len(selection.sample) >= capacity - len(selection.risk):
            break
        take(pk, partner, selection.sample)
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
    scores = {
        pk: (score, components)
        for pk, score, components in Listing.objects.filter(pk__in=selection.listing_ids).values_list(
            "id", "risk__score", "risk__components"
        )
    }
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
                        priority=scores.get(listing_id, (0, None))[0] or 0,
                        components=scores.get(listing_id, (0, None))[1] or {},
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
