"""Reads of the bookings app: search, availability, candidates for the guarantee, scoped lists.

Search and candidate queries are constant in number, whatever the results: a bounding-box
prefilter on (latitude, longitude) (btree index), an exact haversine distance in Python, then one
aggregate over the nights of every room type left, grouped by room type.
"""

import bisect
import math
import statistics
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal

from django.conf import settings
from django.db import connection, connections, router
from django.db.models import Count, F, Prefetch, QuerySet, Sum
from django.utils import timezone

from trustplatform.partners.models import Partner

from .models import (
    Booking,
    CalendarFeed,
    Conflict,
    GuaranteeCase,
    GuestFlag,
    Night,
    Property,
    PropertyPhoto,
    RoomType,
)

EARTH_RADIUS_M = 6_371_000


def haversine_m(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """Great-circle distance in metres."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi, dlmb = phi2 - phi1, math.radians(lng2 - lng1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlmb / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def bounding_box(lat: float, lng: float, radius_m: float) -> tuple[float, float, float, float]:
    dlat = math.degrees(radius_m / EARTH_RADIUS_M)
    dlng = math.degrees(radius_m / (EARTH_RADIUS_M * max(0.01, math.cos(math.radians(lat)))))
    return lat - dlat, lat + dlat, lng - dlng, lng + dlng


def _bookable_properties() -> QuerySet[Property]:
    return Property.objects.filter(is_active=True, partner__status=Partner.Status.APPROVED)


def properties_near(
    *, lat: float, lng: float, radius_m: float, queryset=None
) -> dict[int, tuple[dict, float]]:
    """{property id: (its fields, distance m)} within `radius_m`: index range scan, then exact distance."""
    south, north, west, east = bounding_box(lat, lng, radius_m)
    rows = (
        (queryset if queryset is not None else _bookable_properties())
        .filter(
            latitude__gte=south,
            latitude__lte=north,
            longitude__gte=west,
            longitude__lte=east,
        )
        .values(
            "id",
            "name",
            "city",
            "address",
            "latitude",
            "longitude",
            "rating",
            "review_count",
            "star_class",
            "amenities",
            "is_urban",
        )
    )
    found = {}
    for row in rows:
        distance = haversine_m(lat, lng, row["latitude"], row["longitude"])
        if distance <= radius_m:
            found[row["id"]] = (row, distance)
    return found


AVAILABLE_SQL = """
SELECT rt.id, rt.property_id, rt.name, rt.grade, rt.capacity, rt.amenities, free.total
FROM bookings_roomtype rt
CROSS JOIN LATERAL (
    -- Index lookups on (room_type, date): only the nights of these room types are read.
    SELECT sum(n.price_krw) AS total, count(*) AS nights FROM bookings_night n
    WHERE n.room_type_id = rt.id AND n.date >= %(check_in)s AND n.date < %(check_out)s
      AND NOT n.stop_sell AND n.sold + n.external < n.rooms
) AS free
WHERE rt.property_id = ANY(%(properties)s) AND rt.is_active AND rt.capacity >= %(guests)s
  AND rt.grade >= %(min_grade)s AND NOT rt.id = ANY(%(exclude)s) AND free.nights = %(nights)s
"""


def available_room_types(
    *, property_ids, check_in: date, check_out: date, guests: int, min_grade: int = 0, exclude_room_types=()
) -> list[dict]:
    """Room types with a free room on every night of the stay, with their total price (one query)."""
    nights = (check_out - check_in).days
    keys = (
        "room_type_id",
        "room_type__property_id",
        "room_type__name",
        "room_type__grade",
        "room_type__capacity",
        "room_type__amenities",
        "total",
    )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                AVAILABLE_SQL,
                {
                    "check_in": check_in,
                    "check_out": check_out,
                    "properties": list(property_ids),
                    "guests": guests,
                    "min_grade": min_grade,
                    "exclude": list(exclude_room_types),
                    "nights": nights,
                },
            )
            rows = cursor.fetchall()
        return [dict(zip(keys, (*row[:5], _json_list(row[5]), row[6]), strict=True)) for row in rows]
    rows = (
        Night.objects.filter(
            room_type__property_id__in=list(property_ids),
            room_type__is_active=True,
            room_type__capacity__gte=guests,
            room_type__grade__gte=min_grade,
            date__gte=check_in,
            date__lt=check_out,
            stop_sell=False,
            sold__lt=F("rooms") - F("external"),
        )
        .exclude(room_type_id__in=list(exclude_room_types))
        .values(*keys[:-1])
        .annotate(total=Sum("price_krw"), free_nights=Count("id"))
        .filter(free_nights=nights)
        .order_by()
    )
    return list(rows)


def _json_list(value) -> list:
    import json

    return value if isinstance(value, list) else json.loads(value or "[]")


@dataclass
class SearchResult:
    property_id: int
    name: str
    city: str
    address: str
    distance_m: int
    rating: Decimal
    review_count: int
    star_class: int
    amenities: list
    price_total_krw: int
    room_type_id: int
    room_name: str
    rooms_left: int = 0
    room_count: int = 1


@dataclass
class SearchQuery:
    lat: float
    lng: float
    check_in: date
    check_out: date
    guests: int = 2
    radius_m: int = 0
    min_price: int | None = None
    max_price: int | None = None
    min_rating: float | None = None
    amenities: list = field(default_factory=list)
    sort: str = "distance"


# As SQL_ORDER: by the exact distance (not the whole metres shown), then the property id.
SORTS = {
    "distance": lambda r, distance: (distance, r.property_id),
    "price": lambda r, distance: (r.price_total_krw, distance, r.property_id),
    "rating": lambda r, distance: (-r.rating, distance, r.property_id),
}


def search(query: SearchQuery, *, limit: int = 100) -> list[SearchResult]:
    """Properties with a room for these dates and guests near a place, cheapest room each, sorted.

    On PostgreSQL one statement does it all (bounding box on the index, exact distance, availability
    per room type, cheapest room per property, sort, limit); elsewhere two queries and Python."""
    if connection.vendor == "postgresql":
        return _search_sql(query, limit)
    return _search_python(query)[:limit]


SEARCH_SQL = """
WITH near AS MATERIALIZED (
    SELECT p.id, p.partner_id, p.name, p.city, p.address, p.rating, p.review_count, p.star_class, p.amenities,
           2 * 6371000 * asin(least(1, sqrt(
               power(sin(radians(p.latitude - %(lat)s) / 2), 2)
               + cos(radians(%(lat)s)) * cos(radians(p.latitude))
                 * power(sin(radians(p.longitude - %(lng)s) / 2), 2)
           ))) AS distance
    FROM bookings_property p
    WHERE p.is_active AND p.latitude BETWEEN %(south)s AND %(north)s
      AND p.longitude BETWEEN %(west)s AND %(east)s AND p.rating >= %(min_rating)s
)
SELECT near.id, near.name, near.city, near.address, near.distance, near.rating, near.review_count,
       near.star_class, near.amenities, room.total, room.room_type_id, room.room_name, room.room_count
FROM (
    -- Already in distance order: sorted by distance, the scan stops once the page is full.
    SELECT * FROM near
    WHERE distance <= %(radius)s
      AND EXISTS (SELECT 1 FROM partners_partner pa WHERE pa.id = near.partner_id AND pa.status = 'approved')
    ORDER BY distance, id
) AS near
CROSS JOIN LATERAL (
    -- The cheapest room type free on every night, and how many are.
    SELECT rt.id AS room_type_id, rt.name AS room_name, free.total, count(*) OVER () AS room_count
    FROM bookings_roomtype rt
    CROSS JOIN LATERAL (
        SELECT sum(n.price_krw) AS total, count(*) AS nights FROM bookings_night n
        WHERE n.room_type_id = rt.id AND n.date >= %(check_in)s AND n.date < %(check_out)s
          AND NOT n.stop_sell AND n.sold + n.external < n.rooms
    ) AS free
    WHERE rt.property_id = near.id AND rt.is_active AND rt.capacity >= %(guests)s
      AND (near.amenities || rt.amenities) @> %(amenities)s::jsonb
      AND free.nights = %(nights)s AND free.total BETWEEN %(min_price)s AND %(max_price)s
    ORDER BY free.total, rt.id
    LIMIT 1
) AS room
ORDER BY {order}
LIMIT %(limit)s
"""

SQL_ORDER = {
    "distance": "near.distance, near.id",
    "price": "room.total, near.distance, near.id",
    "rating": "near.rating DESC, near.distance, near.id",
}


def _search_sql(query: SearchQuery, limit: int) -> list[SearchResult]:
    import json

    radius = query.radius_m or settings.BOOKINGS_SEARCH_RADIUS_M
    south, north, west, east = bounding_box(query.lat, query.lng, radius)
    params = {
        "lat": query.lat,
        "lng": query.lng,
        "south": south,
        "north": north,
        "west": west,
        "east": east,
        "radius": radius,
        "guests": query.guests,
        "check_in": query.check_in,
        "check_out": query.check_out,
        "nights": (query.check_out - query.check_in).days,
        "amenities": json.dumps(sorted(query.amenities)),
        "min_rating": query.min_rating or 0,
        "min_price": query.min_price or 0,
        "max_price": query.max_price if query.max_price is not None else 2**62,
        "limit": limit,
    }
    sql = SEARCH_SQL.format(order=SQL_ORDER.get(query.sort, SQL_ORDER["distance"]))
    # Raw SQL asks the router too, so the search reads the replica where the caller allows it.
    with connections[router.db_for_read(Property)].cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return [
        SearchResult(
            property_id=pk,
            name=name,
            city=city,
            address=address,
            distance_m=int(distance),
            rating=rating,
            review_count=reviews,
            star_class=star,
            amenities=amenities if isinstance(amenities, list) else json.loads(amenities or "[]"),
            price_total_krw=int(total),
            room_type_id=room_type_id,
            room_name=room_name,
            room_count=room_count,
        )
        for (
            pk,
            name,
            city,
            address,
            distance,
            rating,
            reviews,
            star,
            amenities,
            total,
            room_type_id,
            room_name,
            room_count,
        ) in rows
    ]


def _search_python(query: SearchQuery) -> list[SearchResult]:
    radius = query.radius_m or settings.BOOKINGS_SEARCH_RADIUS_M
    near = properties_near(lat=query.lat, lng=query.lng, radius_m=radius)
    if query.min_rating is not None:
        near = {pk: v for pk, v in near.items() if float(v[0]["rating"]) >= query.min_rating}
    wanted = set(query.amenities)
    best: dict[int, SearchResult] = {}
    if not near:
        return []
    for row in available_room_types(
        property_ids=near.keys(), check_in=query.check_in, check_out=query.check_out, guests=query.guests
    ):
        prop, distance = near[row["room_type__property_id"]]
        if wanted and not wanted <= set(prop["amenities"] or []) | set(row["room_type__amenities"] or []):
            continue
        total = row["total"]
        if query.min_price is not None and total < query.min_price:
            continue
        if query.max_price is not None and total > query.max_price:
            continue
        current = best.get(prop["id"])
        if current is not None:
            current.room_count += 1
            if (current.price_total_krw, current.room_type_id) <= (total, row["room_type_id"]):
                continue
        result = SearchResult(
            property_id=prop["id"],
            name=prop["name"],
            city=prop["city"],
            address=prop["address"],
            distance_m=int(distance),
            rating=prop["rating"],
            review_count=prop["review_count"],
            star_class=prop["star_class"],
            amenities=prop["amenities"] or [],
            price_total_krw=total,
            room_type_id=row["room_type_id"],
            room_name=row["room_type__name"],
            room_count=current.room_count if current else 1,
        )
        best[prop["id"]] = result
    order = SORTS.get(query.sort, SORTS["distance"])
    return sorted(best.values(), key=lambda result: order(result, near[result.property_id][1]))


def property_availability(
    *, property_obj: Property, check_in: date, check_out: date, guests: int
) -> list[dict]:
    """Every room type of a property with its total price and rooms left for the stay (None: sold out)."""
    room_types = list(property_obj.room_types.filter(is_active=True).order_by("grade", "pk"))
    nights = (check_out - check_in).days
    stats = {}
    for row in Night.objects.filter(room_type__in=room_types, date__gte=check_in, date__lt=check_out).values(
        "room_type_id", "rooms", "sold", "external", "stop_sell", "price_krw"
    ):
        entry = stats.setdefault(row["room_type_id"], {"total": 0, "left": None, "nights": 0})
        free = 0 if row["stop_sell"] else max(0, row["rooms"] - row["sold"] - row["external"])
        entry["total"] += row["price_krw"]
        entry["left"] = free if entry["left"] is None else min(entry["left"], free)
        entry["nights"] += 1
    out = []
    for room_type in room_types:
        entry = stats.get(room_type.pk)
        ok = entry and entry["nights"] == nights and entry["left"] and room_type.capacity >= guests
        out.append(
            {
                "room_type": room_type,
                "price_total_krw": entry["total"] if ok else None,
                "rooms_left": entry["left"] if ok else 0,
            }
        )
    return out


def property_covers(*, property_ids) -> dict[int, PropertyPhoto]:
    """The first photo of each property, for a page of search results."""
    covers: dict[int, PropertyPhoto] = {}
    for photo in PropertyPhoto.objects.filter(property_id__in=list(property_ids)).order_by("position", "pk"):
        covers.setdefault(photo.property_id, photo)
    return covers


def cancellation_terms(policy: str) -> list[dict]:
    """A policy's refund table as bands of days before check-in: from_days, to_days (None: or more),
    percent; read from the same settings the refund is computed with (services.money)."""
    table = settings.BOOKINGS_CANCELLATION_POLICIES[policy]
    terms = []
    for index, (at_least, percent) in enumerate(table):
        to_days = None if index == 0 else table[index - 1][0] - 1
        terms.append({"from_days": at_least, "to_days": to_days, "percent": percent})
    return terms


# --- Guarantee candidates ---------------------------------------------------------------------


@dataclass(frozen=True)
class Candidate:
    room_type_id: int
    property_id: int
    same_property: bool
    grade: int
    rating: float
    amenities: frozenset
    distance_m: int
    price_total_krw: int
    extra_cost_krw: int
    score: float

    @property
    def order(self) -> tuple:
        # Deterministic: best score, then nearer, cheaper, then the lower id.
        return (-round(self.score, 6), self.distance_m, self.extra_cost_krw, self.room_type_id)


def guarantee_radius_m(prop: Property) -> int:
    return settings.BOOKINGS_CITY_RADIUS_M if prop.is_urban else settings.BOOKINGS_OTHER_RADIUS_M


def fund_spent_this_month() -> int:
    start = timezone.localdate().replace(day=1)
    totals = GuaranteeCase.objects.filter(resolved_at__date__gte=start).aggregate(
        extra=Sum("extra_cost_krw"), compensation=Sum("compensation_krw")
    )
    return (totals["extra"] or 0) + (totals["compensation"] or 0)


def candidate_budget_krw(case: GuaranteeCase) -> int:
    monthly_left = settings.BOOKINGS_FUND_MONTHLY_BUDGET_KRW - fund_spent_this_month()
    return max(0, min(case.budget_krw, monthly_left))


def candidates_find(*, booking: Booking, budget_krw: int, exclude_room_types=()) -> list[Candidate]:
    """Rooms passing every hard filter for a cancelled booking, best first (scored, deterministic).

    Hard filters: same dates and guests; grade ≥ the original (other properties: class too); rating
    ≥ original − tolerance with enough reviews; within the radius; the guest's must-have amenities;
    a free room on every night of our live inventory; extra cost within `budget_krw`.
    """
    original_prop = booking.property
    original = booking.room_type
    min_rating = float(original_prop.rating) - settings.BOOKINGS_RATING_TOLERANCE
    must = set(booking.must_have or [])
    near = properties_near(
        lat=original_prop.latitude, lng=original_prop.longitude, radius_m=guarantee_radius_m(original_prop)
    )
    eligible = {}
    for pk, (prop, distance) in near.items():
        same = pk == original_prop.pk
        if not same and (
            float(prop["rating"]) < min_rating - 1e-9
            or prop["review_count"] < settings.BOOKINGS_MIN_REVIEWS
            or prop["star_class"] < original_prop.star_class
        ):
            continue
        eligible[pk] = (prop, distance, same)
    if not eligible:
        return []
    rows = available_room_types(
        property_ids=eligible.keys(),
        check_in=booking.check_in,
        check_out=booking.check_out,
        guests=booking.guests,
        min_grade=original.grade,
        exclude_room_types=[original.pk, *exclude_room_types],
    )
    found = []
    for row in rows:
        prop, distance, same = eligible[row["room_type__property_id"]]
        amenities = frozenset(prop["amenities"] or []) | frozenset(row["room_type__amenities"] or [])
        if not must <= amenities:
            continue
        extra_cost = max(0, row["total"] - booking.price_total_krw)
        if extra_cost > budget_krw:
            continue
        grade = row["room_type__grade"]
        rating = float(prop["rating"])
        score = (
            100.0 * same
            + 10.0 * (grade - original.grade)
            + 5.0 * (rating - float(original_prop.rating))
            + 1.0 * len(amenities)
            - 3.0 * distance / 1000
            - extra_cost / 10_000
        )
        found.append(
            Candidate(
                room_type_id=row["room_type_id"],
                property_id=prop["id"],
                same_property=same,
                grade=grade,
                rating=rating,
                amenities=amenities,
                distance_m=int(distance),
                price_total_krw=row["total"],
                extra_cost_krw=extra_cost,
                score=score,
            )
        )
    return sorted(found, key=lambda c: c.order)


def candidate_passes(*, original: Booking, rebooked: Booking) -> list[str]:
    """The hard filters a rebooking fails (empty: it fits). Used by tests, the bench and the admin."""
    problems = []
    prop, orig_prop = rebooked.property, original.property
    if (rebooked.check_in, rebooked.check_out) != (original.check_in, original.check_out):
        problems.append("dates")
    if rebooked.guests != original.guests or rebooked.room_type.capacity < original.guests:
        problems.append("guests")
    if rebooked.room_type.grade < original.room_type.grade or rebooked.room_type_id == original.room_type_id:
        problems.append("grade")
    if prop.pk != orig_prop.pk:
        if float(prop.rating) < float(orig_prop.rating) - settings.BOOKINGS_RATING_TOLERANCE - 1e-9:
            problems.append("rating")
        if prop.review_count < settings.BOOKINGS_MIN_REVIEWS:
            problems.append("reviews")
        if prop.star_class < orig_prop.star_class:
            problems.append("class")
    if haversine_m(
        prop.latitude, prop.longitude, orig_prop.latitude, orig_prop.longitude
    ) > guarantee_radius_m(orig_prop):
        problems.append("distance")
    if not set(original.must_have or []) <= set(prop.amenities or []) | set(
        rebooked.room_type.amenities or []
    ):
        problems.append("amenities")
    if rebooked.status not in (Booking.Status.CONFIRMED, Booking.Status.CHECKED_IN, Booking.Status.COMPLETED):
        problems.append("not_confirmed")
    return problems


# --- Scoped lists ------------------------------------------------------------------------------


def guest_bookings(*, user) -> QuerySet[Booking]:
    """The guest's stays; rooms the guarantee only held for an offer are shown on the case, not here."""
    return (
        Booking.objects.filter(guest=user)
        .exclude(
            source=Booking.Source.GUARANTEE,
            status__in=[Booking.Status.PENDING_PAYMENT, Booking.Status.EXPIRED],
        )
        .select_related("property", "room_type")
        .prefetch_related(Prefetch("guarantee_cases", queryset=GuaranteeCase.objects.all()))
        .order_by("-check_in", "-pk")
    )


def guest_overlapping_bookings(*, user, room_type, check_in: date, check_out: date) -> QuerySet[Booking]:
    """The guest's open bookings (waiting for payment or confirmed) of this room type whose nights
    overlap the stay: what a second booking from another tab would duplicate."""
    return (
        guest_bookings(user=user)
        .filter(
            room_type=room_type,
            status__in=[Booking.Status.PENDING_PAYMENT, Booking.Status.CONFIRMED],
            check_in__lt=check_out,
            check_out__gt=check_in,
        )
        .exclude(status=Booking.Status.PENDING_PAYMENT, hold_expires_at__lte=timezone.now())
    )


def partner_bookings(*, partner, status: str | None = None) -> QuerySet[Booking]:
    qs = (
        Booking.objects.filter(property__partner=partner)
        .select_related("property", "room_type", "masked_session")
        .prefetch_related("masked_session__participants__proxy_number")
    )
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("check_in", "pk")


def partner_cases(*, partner) -> QuerySet[GuaranteeCase]:
    """Guarantee cases reported against the partner's bookings (the guest or the guarantee line said it
    turned the guest away), newest first; cases it opened by cancelling are not here."""
    return (
        GuaranteeCase.objects.filter(booking__property__partner=partner)
        .exclude(origin=GuaranteeCase.Origin.CANCELLED)
        .select_related("booking__property", "booking__room_type")
        .order_by("-opened_at", "-pk")
    )


def guest_report_record(*, guest) -> dict:
    """What agents weigh a guest's report against: their reports so far, how many were dismissed, and
    whether they stand flagged."""
    reported = GuaranteeCase.objects.filter(booking__guest=guest).exclude(
        origin=GuaranteeCase.Origin.CANCELLED
    )
    return {
        "reports": reported.count(),
        "dismissed": reported.filter(status=GuaranteeCase.Status.DISMISSED).count(),
        "flagged": GuestFlag.objects.filter(guest=guest, cleared_at__isnull=True).exists(),
    }


def partner_properties(*, partner) -> QuerySet[Property]:
    return Property.objects.filter(partner=partner).order_by("name", "pk")


def partner_room_types(*, partner) -> QuerySet[RoomType]:
    return RoomType.objects.filter(property__partner=partner).select_related("property")


def partner_feeds(*, partner) -> QuerySet[CalendarFeed]:
    return CalendarFeed.objects.filter(room_type__property__partner=partner).select_related(
        "room_type__property"
    )


def partner_conflicts(*, partner, open_only: bool = False) -> QuerySet[Conflict]:
    qs = Conflict.objects.filter(booking__property__partner=partner).select_related(
        "booking__room_type", "feed"
    )
    return qs.filter(status=Conflict.Status.OPEN) if open_only else qs


def property_cancellations(*, property_obj: Property) -> QuerySet[Booking]:
    """The owner's cancellation history on a property (newest first), for agents."""
    return (
        Booking.objects.filter(property=property_obj, status=Booking.Status.CANCELLED_BY_PROPERTY)
        .select_related("room_type")
        .order_by("-cancelled_at")
    )


def _week_of(moment, starts: list[date]) -> int:
    """Index of the week (Mondays in `starts`, Korean calendar) a moment falls in; -1 before the first."""
    return bisect.bisect_right(starts, timezone.localdate(moment)) - 1


def guarantee_weeks(*, starts: list[date]) -> list[tuple[int, float | None]]:
    """The staff dashboard, per week from each Monday in `starts`: guarantee cases opened, and the
    median hours from the start of the rehousing to the guest's new booking for cases rebooked that week."""
    since = datetime.combine(starts[0], time.min, tzinfo=timezone.get_current_timezone())
    opened = [0] * len(starts)
    for moment in GuaranteeCase.objects.filter(opened_at__gte=since).values_list("opened_at", flat=True):
        if (index := _week_of(moment, starts)) >= 0:
            opened[index] += 1
    waits: list[list[float]] = [[] for _start in starts]
    rebooked = GuaranteeCase.objects.filter(
        resolved_at__gte=since, rebooked__isnull=False, started_at__isnull=False
    ).values_list("started_at", "resolved_at")
    for started, resolved in rebooked:
        if (index := _week_of(resolved, starts)) >= 0:
            waits[index].append(max(0.0, (resolved - started).total_seconds() / 3600))
    return [
        (count, round(statistics.median(hours), 1) if hours else None)
        for count, hours in zip(opened, waits, strict=True)
    ]
