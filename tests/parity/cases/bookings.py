"""Bookings: nights taken (inventory.nights_take), free room types (selectors.available_room_types),
stay search (selectors.search) and the guarantee's candidates (selectors.candidates_find, which reads
free rooms through available_room_types). Stays start five days from today."""

from django.db import transaction

from bookings import selectors
from bookings.models import Booking, Night, Property, RoomType
from bookings.services import inventory
from trustplatform.partners.models import Partner

from .. import builders
from . import attempt, case

HAEUNDAE = (35.1587, 129.1604)
CHECK_IN = 5  # days from today


def lodging(name: str, *, north_m=0.0, east_m=0.0, rating="4.5", reviews=200, star=4, amenities=("wifi",),
            owner: Partner | None = None, active=True) -> Property:
    latitude, longitude = builders.offset_position(HAEUNDAE, north_m=north_m, east_m=east_m)
    return Property.objects.create(
        partner=owner or builders.partner(f"{name} 운영사", kind=Partner.Kind.LODGING),
        name=name,
        address="부산광역시 해운대구 해운대해변로 1",
        city="부산",
        is_urban=True,
        latitude=latitude,
        longitude=longitude,
        star_class=star,
        rating=rating,
        review_count=reviews,
        amenities=list(amenities),
        contact_phone="+821055501234",
        is_active=active,
    )


def room(prop: Property, name: str, *, grade=1, price=100_000, rooms=1, capacity=2, amenities=(), days=20,
         active=True) -> RoomType:
    """A room type with its calendar open `days` nights from today."""
    room_type = RoomType.objects.create(
        property=prop, name=name, grade=grade, price_krw=price, rooms=rooms, capacity=capacity,
        amenities=list(amenities), is_active=active,
    )
    inventory.nights_ensure(room_type=room_type, start=builders.today(), end=builders.day(days))
    return room_type


def nights_set(room_type: RoomType, first: int, last: int, **fields) -> None:
    """Change the nights [first, last) (offsets from today) directly, as sales and channels would."""
    nights = Night.objects.filter(room_type=room_type, date__gte=builders.day(first),
                                  date__lt=builders.day(last))
    nights.update(**fields)


def nights_state(room_type: RoomType) -> list[list]:
    return [
        [(night.date - builders.today()).days, night.rooms, night.sold, night.external, night.stop_sell,
         night.price_krw]
        for night in Night.objects.filter(room_type=room_type).order_by("date")
    ]


def take(room_type: RoomType, nights: int, *, start=CHECK_IN) -> dict:
    def call():
        # As booking_hold and the guarantee call it: inside a transaction that a refusal rolls back.
        with transaction.atomic():
            return inventory.nights_take(
                room_type=room_type, check_in=builders.day(start), check_out=builders.day(start + nights)
            )

    return attempt(call)


# --- inventory.nights_take -------------------------------------------------------------------------


def _refused(answer: dict) -> str | None:
    return answer.get("refused", {}).get("code")


def _sold(answer: dict) -> list[int]:
    return [night[2] for night in answer["nights"]]


@case("bookings.inventory", expect=lambda a: a["take"] == {"ok": 2 * 100_000 + 150_000}
      and _sold(a)[CHECK_IN - 1:CHECK_IN + 4] == [0, 1, 1, 1, 0])
def take_a_free_stay_priced_per_night():
    room_type = room(lodging("해운대 파크"), "디럭스", rooms=2)
    nights_set(room_type, CHECK_IN + 1, CHECK_IN + 2, price_krw=150_000)
    return {"take": take(room_type, 3), "nights": nights_state(room_type)}


@case("bookings.inventory", expect=lambda a: a["first"] == {"ok": 200_000}
      and _refused(a["second"]) == "sold_out"
      and _sold(a)[CHECK_IN:CHECK_IN + 3] == [1, 1, 0])
def take_the_last_room_twice():
    room_type = room(lodging("마지막 방 호텔"), "스탠다드", rooms=1)
    return {"first": take(room_type, 2), "second": take(room_type, 2), "nights": nights_state(room_type)}


# The nights before the stopped one were taken, then given back with the refusal.
@case("bookings.inventory", expect=lambda a: _refused(a["take"]) == "sold_out" and not any(_sold(a)))
def take_refused_by_a_stop_sell_night():
    room_type = room(lodging("판매중지 호텔"), "스탠다드", rooms=3)
    nights_set(room_type, CHECK_IN + 2, CHECK_IN + 3, stop_sell=True)
    return {"take": take(room_type, 3), "nights": nights_state(room_type)}


@case("bookings.inventory", expect=lambda a: _refused(a["take"]) == "sold_out"
      and a["partly"] == {"ok": 100_000})
def take_refused_by_stays_from_other_channels():
    room_type = room(lodging("채널 호텔"), "스탠다드", rooms=2)
    nights_set(room_type, CHECK_IN, CHECK_IN + 1, sold=1, external=1)
    nights_set(room_type, CHECK_IN + 1, CHECK_IN + 2, external=1)
    return {
        "take": take(room_type, 2),
        "partly": take(room_type, 1, start=CHECK_IN + 1),
        "nights": nights_state(room_type),
    }


@case("bookings.inventory", expect=lambda a: a["take"] == {"ok": 4 * 90_000} and len(a["nights"]) == 11)
def take_opens_the_calendar_past_its_horizon():
    room_type = room(lodging("달력 호텔"), "스탠다드", price=90_000, rooms=2, days=8)
    return {"take": take(room_type, 4, start=7), "nights": nights_state(room_type)}


@case("bookings.inventory", expect=lambda a: _refused(a["take"]) == "sold_out" and len(a["nights"]) == 8)
def take_past_the_horizon_refused_by_a_full_night():
    room_type = room(lodging("짧은 달력 호텔"), "스탠다드", rooms=1, days=8)
    nights_set(room_type, 7, 8, sold=1)
    return {"take": take(room_type, 4, start=7), "nights": nights_state(room_type)}


# --- selectors.available_room_types ---------------------------------------------------------------


def _checked_rooms() -> dict[str, RoomType]:
    """Two properties whose room types each pass or fail one rule of the free-room query."""
    hotel = lodging("객실 검사 호텔")
    rooms = {
        "기본": room(hotel, "기본", price=100_000),
        "1인실": room(hotel, "1인실", price=60_000, capacity=1),
        "닫힌 객실": room(hotel, "닫힌 객실", active=False),
        "스위트": room(hotel, "스위트", grade=3, price=300_000, capacity=4, amenities=("spa", "ocean_view")),
        "패밀리": room(hotel, "패밀리", grade=2, price=200_000, rooms=2, capacity=4),
        "정지 객실": room(hotel, "정지 객실"),
        "만실 객실": room(hotel, "만실 객실", rooms=2),
        "외부 객실": room(hotel, "외부 객실", rooms=2),
        "여유 객실": room(hotel, "여유 객실", rooms=2),
        "짧은 달력": room(hotel, "짧은 달력", days=CHECK_IN + 1),
        "제외 객실": room(hotel, "제외 객실", grade=2),
        "이웃 디럭스": room(lodging("이웃 호텔", north_m=300), "이웃 디럭스", grade=2, price=150_000),
    }
    nights_set(rooms["정지 객실"], CHECK_IN + 1, CHECK_IN + 2, stop_sell=True)
    nights_set(rooms["만실 객실"], CHECK_IN, CHECK_IN + 1, sold=2)
    nights_set(rooms["외부 객실"], CHECK_IN + 1, CHECK_IN + 2, sold=1, external=1)
    nights_set(rooms["여유 객실"], CHECK_IN, CHECK_IN + 2, sold=1)
    nights_set(rooms["패밀리"], CHECK_IN + 1, CHECK_IN + 2, price_krw=250_000)
    return rooms


def _free(rooms: dict[str, RoomType], **query) -> list[list]:
    names = {room_type.pk: name for name, room_type in rooms.items()}
    properties = {room_type.property_id: room_type.property.name for room_type in rooms.values()}
    query.setdefault("property_ids", sorted(properties))
    rows = selectors.available_room_types(
        check_in=builders.day(CHECK_IN), check_out=builders.day(CHECK_IN + 2), guests=2, **query
    )
    return sorted(
        [
            properties[row["room_type__property_id"]],
            names[row["room_type_id"]],
            row["room_type__name"],
            row["room_type__grade"],
            row["room_type__capacity"],
            row["room_type__amenities"],
            row["total"],
        ]
        for row in rows
    )


@case("bookings.available", expect=lambda a: [row[1] for row in a]
      == ["기본", "스위트", "여유 객실", "패밀리", "이웃 디럭스"] and a[3][-1] == 450_000)
def free_room_types_pass_every_rule():
    rooms = _checked_rooms()
    return _free(rooms, exclude_room_types=[rooms["제외 객실"].pk])


@case("bookings.available", expect=lambda a: [row[1] for row in a]
      == ["스위트", "제외 객실", "패밀리", "이웃 디럭스"])
def free_room_types_of_a_grade_and_up():
    return _free(_checked_rooms(), min_grade=2)


@case("bookings.available", expect=lambda a: a == {"no exclusions": 6, "no properties": []})
def free_room_types_without_exclusions_or_properties():
    rooms = _checked_rooms()
    return {"no exclusions": len(_free(rooms)), "no properties": _free(rooms, property_ids=[])}


# --- selectors.search -----------------------------------------------------------------------------


def _beach() -> None:
    """Stays around Haeundae: distance, price, rating and amenity ties and edges, and properties that
    must never show (sold out, stopped, inactive, unapproved, too far, too small).

    Distances stay clear of whole metres: each engine rounds its own floating-point distance, so one
    at exactly 300 m may show as 299 on one and 300 on the other."""
    sea = lodging("바다 호텔", north_m=300.5, rating="4.6", amenities=("wifi", "ocean_view", "pool"))
    room(sea, "스탠다드", price=120_000)
    room(sea, "디럭스", grade=2, price=180_000)
    # Two wings at the very same point: equally near, the dearer one created first.
    room(lodging("쌍둥이 동관", east_m=800.5, rating="4.2"), "트윈", price=130_000)
    room(lodging("쌍둥이 서관", east_m=800.5, rating="4.2"), "트윈", price=90_000)
    room(lodging("골목 게스트하우스", north_m=-500.5, rating="3.9", star=2), "도미토리", price=50_000)
    hill = lodging("언덕 리조트", east_m=-1500.5, rating="4.8", star=5, amenities=("wifi", "spa", "parking"))
    room(hill, "오션 스위트", grade=3, price=250_000, capacity=4, amenities=("ocean_view",))
    room(lodging("해변 모텔", north_m=1000.5, rating="4.5", star=2), "더블", price=80_000)
    room(lodging("등대 펜션", north_m=-1200.5, rating="4.0", star=2, amenities=()), "온돌", price=80_000)
    # Within the same metre, the farther one created first and cheaper.
    room(lodging("모퉁이 B", east_m=600.8, rating="4.0"), "더블", price=55_000)
    room(lodging("모퉁이 A", north_m=600.3, rating="4.0"), "더블", price=75_000)
    full = room(lodging("만실 호텔", north_m=200), "스탠다드", rooms=2)
    nights_set(full, CHECK_IN + 1, CHECK_IN + 2, sold=2)
    stopped = room(lodging("정지 호텔", north_m=250), "스탠다드")
    nights_set(stopped, CHECK_IN, CHECK_IN + 1, stop_sell=True)
    room(lodging("휴업 호텔", north_m=100, active=False), "스탠다드")
    pending = builders.partner("심사중 운영사", kind=Partner.Kind.LODGING, status=Partner.Status.APPLIED,
                               decided_days_ago=None)
    room(lodging("심사중 호텔", north_m=150, owner=pending), "스탠다드")
    room(lodging("먼 호텔", north_m=2600), "스탠다드", price=40_000)
    room(lodging("좁은 호텔", north_m=50), "1인실", capacity=1, price=30_000)
    room(lodging("닫힌 객실 호텔", north_m=60), "스탠다드", active=False)


def _search(**query) -> list[dict]:
    _beach()
    query.setdefault("radius_m", 2000)
    limit = query.pop("limit", 100)
    found = selectors.search(
        selectors.SearchQuery(
            lat=HAEUNDAE[0], lng=HAEUNDAE[1], check_in=builders.day(CHECK_IN),
            check_out=builders.day(CHECK_IN + 2), **query,
        ),
        limit=limit,
    )
    return [
        {
            "name": result.name,
            "city": result.city,
            "address": result.address,
            "distance_m": result.distance_m,
            "rating": result.rating,
            "review_count": result.review_count,
            "star_class": result.star_class,
            "amenities": result.amenities,
            "price_total_krw": result.price_total_krw,
            "room_name": result.room_name,
            "rooms_left": result.rooms_left,
            "room_count": result.room_count,
        }
        for result in found
    ]


def _names(answer) -> list[str]:
    return [result["name"] for result in answer]


# Equally near (the twin wings) or within one metre (the corners): the nearer, then the older, first.
@case("bookings.search", expect=lambda a: len(a) == 9 and _names(a)[:6] == [
    "바다 호텔", "골목 게스트하우스", "모퉁이 A", "모퉁이 B", "쌍둥이 동관", "쌍둥이 서관"])
def stay_search_nearest_first():
    return _search(sort="distance")


# Equal prices: the nearer first.
@case("bookings.search", expect=lambda a: _names(a)[:5] == [
    "골목 게스트하우스", "모퉁이 B", "모퉁이 A", "해변 모텔", "등대 펜션"])
def stay_search_cheapest_first():
    return _search(sort="price")


@case("bookings.search", expect=lambda a: _names(a)[:7] == [
    "언덕 리조트", "바다 호텔", "해변 모텔", "쌍둥이 동관", "쌍둥이 서관", "모퉁이 A", "모퉁이 B"])
def stay_search_best_rated_first():
    return _search(sort="rating")


@case("bookings.search", expect=lambda a: [r["price_total_krw"] for r in a]
      == [160_000, 160_000, 180_000, 240_000, 260_000])
def stay_search_within_a_price_band():
    return _search(sort="price", min_price=160_000, max_price=260_000)


@case("bookings.search", expect=lambda a: _names(a) == ["언덕 리조트", "바다 호텔", "해변 모텔"])
def stay_search_from_a_minimum_rating():
    return _search(sort="rating", min_rating=4.5)


@case("bookings.search", expect=lambda a: set(_names(a)) == {"바다 호텔", "언덕 리조트"})
def stay_search_with_must_have_amenities():
    return _search(amenities=["ocean_view", "wifi"])


@case("bookings.search", expect=lambda a: _names(a) == ["언덕 리조트"])
def stay_search_for_a_larger_party():
    return _search(guests=3)


@case("bookings.search", expect=lambda a: _names(a) == ["바다 호텔", "골목 게스트하우스", "모퉁이 A"])
def stay_search_first_page_only():
    return _search(sort="distance", limit=3)


# --- selectors.candidates_find --------------------------------------------------------------------


@case("bookings.available", expect=lambda a: len(a) == 5 and a[0]["room"] == "원래 호텔 · 디럭스")
def guarantee_candidates_best_first():
    """A cancelled stay's replacements: every hard filter, then the score, decide who comes first."""
    original = lodging("원래 호텔", rating="4.5", reviews=200, star=4, amenities=("wifi",))
    cancelled = room(original, "스탠다드", price=100_000)
    room(original, "디럭스", grade=2, price=120_000)
    room(original, "스탠다드 2", price=100_000)
    room(lodging("이웃 호텔", north_m=400, rating="4.6", reviews=100), "스탠다드", price=110_000)
    room(lodging("평점 경계 호텔", north_m=-350, rating="4.4"), "스탠다드", price=100_000)
    room(lodging("평점 낮은 호텔", north_m=300, rating="4.3"), "스탠다드", price=90_000)
    room(lodging("리뷰 적은 호텔", east_m=300, reviews=10), "스탠다드", price=90_000)
    room(lodging("등급 낮은 호텔", east_m=-300, star=3), "스탠다드", price=90_000)
    room(lodging("먼 호텔", north_m=1200), "스탠다드", price=90_000)
    room(lodging("와이파이 없는 호텔", east_m=200, amenities=()), "스탠다드", price=90_000)
    room(lodging("객실 와이파이 호텔", east_m=-200, amenities=()), "스탠다드", price=130_000,
         amenities=("wifi",))
    room(lodging("비싼 호텔", north_m=100), "스탠다드", price=400_000)
    full = room(lodging("만실 이웃 호텔", north_m=-100), "스탠다드")
    nights_set(full, CHECK_IN, CHECK_IN + 1, sold=1)
    booking = Booking(
        property=original, room_type=cancelled, check_in=builders.day(CHECK_IN),
        check_out=builders.day(CHECK_IN + 2), guests=2, price_total_krw=200_000, must_have=["wifi"],
    )
    names = {
        room_type.pk: f"{room_type.property.name} · {room_type.name}"
        for room_type in RoomType.objects.select_related("property")
    }
    return [
        {
            "room": names[found.room_type_id],
            "same_property": found.same_property,
            "grade": found.grade,
            "rating": found.rating,
            "amenities": found.amenities,
            "distance_m": found.distance_m,
            "price_total_krw": found.price_total_krw,
            "extra_cost_krw": found.extra_cost_krw,
            "score": round(found.score, 6),
        }
        for found in selectors.candidates_find(booking=booking, budget_krw=300_000)
    ]
