"""Bookings demo on top of the core people and guarantee fund (trustplatform/demo.py) and masking's pool.

Lodging partners and properties around Haeundae and Gwangalli beaches (Busan), each with room types
and 120 nights of calendar; 김민지 holds a confirmed stay with a safe number, and a stay the property
cancelled that the guarantee rebooked into a better room; 이준호 has a cancelled stay with two offers to
choose from; a guest at a remote pension nothing could replace waits in the agents' queue; and an
Airbnb calendar collides with one of our bookings. Everything goes through the services. Safe to rerun.
"""

from datetime import timedelta
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from trustplatform import pii
from trustplatform.accounts.models import User
from trustplatform.demo import DEMO_PASSWORD
from trustplatform.partners.models import Membership, Partner
from trustplatform.payments.providers import SandboxProvider
from trustplatform.payments.services import provider_event_receive

from . import demo_stays
from .models import Booking, CalendarFeed, GuaranteeCandidate, Property, RoomType
from .services import channels, common, guarantee, inventory, payments, stays

NIGHTS_AHEAD = 120
# Rendered by scripts/demo_photos.py; each property shows three of them.
PHOTOS = sorted((Path(__file__).resolve().parent / "demo_photos").glob("room-*.jpg"))
PHOTOS_EACH = 3


def brn_make(nine: int) -> str:
    head = f"{nine:09d}"
    numbers = [int(ch) for ch in head]
    total = (
        sum(n * w for n, w in zip(numbers, (1, 3, 7, 1, 3, 7, 1, 3, 5), strict=True)) + numbers[8] * 5 // 10
    )
    return head + str((10 - total % 10) % 10)


# (business, owner email, owner name, nine digits of the registration number)
PARTNERS = [
    ("광안리 바다호텔", "gwangalli@demo.ansim.kr", "조은비", 617_81_2345),
    ("마린시티 부티크 스테이", "marine@demo.ansim.kr", "백승호", 617_86_7788),
    ("기장 솔바람 펜션", "gijang@demo.ansim.kr", "문가영", 621_12_3456),
]

# (partner index or None for the core's 해운대 오션뷰 호텔, name, lat, lng, class, the mean rating its demo
#  guests give and how many reviews they write (demo_stays: past stays, reviewed), urban, amenities,
#  [(room, grade, capacity, price, rooms, room amenities)])
# No demo property has the BOOKINGS_MIN_REVIEWS another hotel needs to take in a guest the guarantee
# moves, so the demo's guarantee upgrades within the same hotel (each reviewed stay is a booking paid and
# completed through the services).
PROPERTIES = [
    (
        None,
        "해운대 오션뷰 호텔",
        35.1588,
        129.1603,
        4,
        "4.6",
        4,
        True,
        ["wifi", "ocean_view", "pool", "breakfast"],
        [
            ("스탠다드 더블", 2, 2, 150_000, 12, []),
            ("디럭스 오션뷰", 3, 2, 190_000, 8, ["ocean_view"]),
            ("패밀리 스위트", 4, 4, 320_000, 3, ["family", "kitchen"]),
        ],
    ),
    (
        None,
        "해운대 오션뷰 레지던스",
        35.1612,
        129.1636,
        4,
        "4.5",
        3,
        True,
        ["wifi", "kitchen", "parking"],
        [
            ("스튜디오", 2, 2, 130_000, 10, ["kitchen"]),
            ("투룸 레지던스", 3, 4, 210_000, 4, ["kitchen", "family"]),
        ],
    ),
    (
        0,
        "광안리 선셋 게스트하우스",
        35.1548,
        129.1172,
        2,
        "4.2",
        2,
        True,
        ["wifi", "ocean_view"],
        [("도미토리 4인", 1, 1, 35_000, 8, []), ("오션뷰 더블", 2, 2, 95_000, 4, ["ocean_view"])],
    ),
    (
        0,
        "서면 센트럴 호텔",
        35.1575,
        129.0598,
        3,
        "4.3",
        3,
        True,
        ["wifi", "gym", "breakfast"],
        [("비즈니스 싱글", 1, 1, 80_000, 20, []), ("이그제큐티브 트윈", 3, 2, 140_000, 8, [])],
    ),
    (
        1,
        "해운대 마린 레지던스",
        35.1579,
        129.1578,
        4,
        "4.6",
        3,
        True,
        ["wifi", "kitchen", "parking", "ocean_view"],
        [
            ("원룸 레지던스", 2, 2, 140_000, 6, ["kitchen"]),
            ("오션 스위트", 4, 4, 260_000, 2, ["kitchen", "ocean_view"]),
        ],
    ),
    (
        None,
        "해운대 오션뷰 호텔 별관",
        35.1594,
        129.1618,
        3,
        "4.4",
        2,
        True,
        ["wifi", "parking"],
        [("스탠다드 트윈", 2, 2, 120_000, 10, []), ("디럭스 패밀리", 3, 4, 200_000, 4, ["family"])],
    ),
    (
        0,
        "광안리 바다호텔",
        35.1535,
        129.1189,
        4,
        "4.4",
        4,
        True,
        ["wifi", "ocean_view", "parking"],
        [("시티뷰 트윈", 2, 2, 120_000, 10, []), ("광안대교뷰 디럭스", 3, 2, 170_000, 6, ["ocean_view"])],
    ),
    (
        1,
        "마린시티 부티크 스테이",
        35.1571,
        129.1450,
        5,
        "4.8",
        3,
        True,
        ["wifi", "spa", "gym", "ocean_view"],
        [
            ("부티크 더블", 3, 2, 210_000, 6, []),
            ("펜트하우스 스위트", 5, 4, 420_000, 1, ["ocean_view", "kitchen"]),
        ],
    ),
    (
        1,
        "해운대 달맞이 호텔",
        35.1601,
        129.1662,
        4,
        "4.7",
        4,
        True,
        ["wifi", "ocean_view", "breakfast"],
        [("슈페리어 더블", 2, 2, 160_000, 8, []), ("프리미어 오션", 4, 3, 230_000, 4, ["ocean_view"])],
    ),
    (
        2,
        "기장 솔바람 펜션",
        35.2445,
        129.2220,
        3,
        "4.3",
        2,
        False,
        ["parking", "pet_friendly"],
        [("독채 펜션", 2, 4, 180_000, 1, ["kitchen", "family"])],
    ),
]


def _user(email: str, name: str, phone: str) -> User:
    user, created = User.objects.get_or_create(email=email, defaults={"full_name": name})
    if created:
        user.set_password(DEMO_PASSWORD)
        user.phone, user.phone_index, user.phone_hint = phone, pii.blind_index(phone), pii.mask_phone(phone)
        user.phone_verified_at = timezone.now()
        user.save()
    return user


def _partners() -> list[Partner]:
    partners = []
    for index, (name, email, owner_name, nine) in enumerate(PARTNERS):
        owner = _user(email, owner_name, f"+82104440{index:04d}")
        brn = brn_make(nine)
        partner = (Partner.objects.filter(registration_number=brn)
                   .exclude(status=Partner.Status.REJECTED).first())
        if partner is None:
            partner = Partner.objects.create(
                name=name,
                kind=Partner.Kind.LODGING,
                registration_number=brn,
                representative=owner_name,
                contact_email=email,
                address="부산광역시",
                applied_by=owner,
                status=Partner.Status.APPROVED,
            )
        Membership.objects.get_or_create(
            user=owner, partner=partner, defaults={"role": Membership.Role.OWNER}
        )
        partners.append(partner)
    return partners


def _properties(core: Partner, partners: list[Partner]) -> dict[str, Property]:
    today = timezone.localdate()
    made = {}
    for index, (which, name, lat, lng, star, _rating, _reviews, urban, amenities, rooms) in enumerate(
        PROPERTIES
    ):
        partner = core if which is None else partners[which]
        phone = f"+82515550{index:04d}"
        prop, _created = Property.objects.get_or_create(
            partner=partner,
            name=name,
            defaults={
                "address": f"부산광역시 {'해운대구' if lng > 129.14 else '수영구'}",
                "city": "부산",
                "is_urban": urban,
                "latitude": lat,
                "longitude": lng,
                "star_class": star,
                "amenities": amenities,
                "contact_phone": phone,
                "description": "안심 예약제 참여 숙소: 숙소가 취소하면 더 좋은 방으로 바로 옮겨 드립니다.",
            },
        )
        for room_name, grade, capacity, price, count, room_amenities in rooms:
            room_type, _created = RoomType.objects.get_or_create(
                property=prop,
                name=room_name,
                defaults={
                    "grade": grade,
                    "capacity": capacity,
                    "price_krw": price,
                    "rooms": count,
                    "amenities": room_amenities,
                    "beds": "퀸 1" if capacity <= 2 else "퀸 1 · 싱글 2",
                },
            )
            inventory.nights_ensure(
                room_type=room_type, start=today, end=today + timedelta(days=NIGHTS_AHEAD)
            )
        made[name] = prop
    return made


def _photos(props: dict[str, Property], owners: dict[str, User]) -> None:
    """Three room photos per property, through the service an owner's upload goes through."""
    for index, (name, prop) in enumerate(props.items()):
        if prop.photos.exists():
            continue
        for n in range(PHOTOS_EACH):
            path = PHOTOS[(index * PHOTOS_EACH + n) % len(PHOTOS)]
            upload = SimpleUploadedFile(path.name, path.read_bytes(), content_type="image/jpeg")
            inventory.property_photo_add(
                property=prop, upload=upload, actor=owners[name], caption=f"{name} 객실 {n + 1}"
            )


def _paid(*, guest: User, room_type: RoomType, days_ahead: int, nights: int, must_have=()) -> Booking:
    check_in = timezone.localdate() + timedelta(days=days_ahead)
    existing = Booking.objects.filter(guest=guest, room_type=room_type, check_in=check_in).first()
    if existing is not None:
        return existing
    booking = stays.booking_hold(
        guest=guest,
        room_type=room_type,
        check_in=check_in,
        check_out=check_in + timedelta(days=nights),
        guests=2,
        must_have=list(must_have),
    )
    payment = payments.payment_start(booking=booking, actor=guest)
    provider = SandboxProvider()
    body, headers = provider.pay(provider_payment_id=payment.provider_payment_id)
    provider_event_receive(
        provider=provider.name, event=provider.parse_webhook(body=body, headers=headers)
    )
    booking.refresh_from_db()
    common.safe_number_open(booking=booking)
    return booking


def _cancelled_and_searched(booking: Booking, owner: User, reason: str) -> None:
    if booking.status != Booking.Status.CONFIRMED:
        return
    case = stays.booking_cancel_by_property(booking=booking, actor=owner, reason=reason)
    guarantee.case_search(case_id=case.pk)  # the demo does not wait for the worker


def _room(props, prop_name: str, room_name: str) -> RoomType:
    return props[prop_name].room_types.get(name=room_name)


def seed() -> list[tuple[str, str]]:
    core_owner = User.objects.get(email="lodging@demo.ansim.kr")
    core = Partner.objects.get(memberships__user=core_owner, kind=Partner.Kind.LODGING)
    partners = _partners()
    props = _properties(core, partners)
    minji = User.objects.get(email="consumer@demo.ansim.kr")
    junho = User.objects.get(email="consumer2@demo.ansim.kr")
    owners = {
        name: core_owner if which is None else partners[which].memberships.get().user
        for which, name, *_rest in PROPERTIES
    }
    _photos(props, owners)
    # Ratings come from reviews of real (past) stays, made before the guarantee below reads them.
    demo_stays.seed(
        props=props,
        ratings={name: (rating, reviews) for _w, name, _a, _o, _s, rating, reviews, *_rest in PROPERTIES},
        owners=owners,
        minji=minji,
        junho=junho,
    )

    _paid(guest=minji, room_type=_room(props, "해운대 오션뷰 호텔", "디럭스 오션뷰"), days_ahead=14, nights=2)
    rebooked = _paid(
        guest=minji,
        room_type=_room(props, "해운대 오션뷰 호텔", "스탠다드 더블"),
        days_ahead=1,
        nights=1,
        must_have=["wifi"],
    )
    _cancelled_and_searched(rebooked, core_owner, "객실 누수로 판매 불가")
    offered = rebooked.guarantee_cases.get().candidates.filter(status=GuaranteeCandidate.Status.OFFERED)
    best = offered.order_by("rank").first()
    if best is not None:  # 김민지 took the first offer: her case shows the rebooking
        guarantee.offer_accept(token=best.accept_token, actor=minji)
    offered = _paid(
        guest=junho, room_type=_room(props, "광안리 바다호텔", "시티뷰 트윈"), days_ahead=10, nights=2
    )
    _cancelled_and_searched(offered, partners[0].memberships.get().user, "단체 예약과 중복")
    remote = _paid(
        guest=junho,
        room_type=_room(props, "기장 솔바람 펜션", "독채 펜션"),
        days_ahead=20,
        nights=1,
        must_have=["pet_friendly"],
    )
    _cancelled_and_searched(remote, partners[2].memberships.get().user, "개인 사정")

    # Airbnb's calendar has a stay on the night of a confirmed booking of ours: a conflict to resolve.
    collided = _paid(
        guest=junho,
        room_type=_room(props, "마린시티 부티크 스테이", "펜트하우스 스위트"),
        days_ahead=30,
        nights=2,
    )
    feed, _created = CalendarFeed.objects.get_or_create(
        room_type=collided.room_type,
        url="https://www.airbnb.co.kr/calendar/ical/demo-penthouse.ics",
        defaults={"name": "Airbnb"},
    )
    channels.feed_apply(
        feed_id=feed.pk,
        stays=[
            channels.Stay(
                uid="airbnb-HMX42",
                start=collided.check_in + timedelta(days=1),
                end=collided.check_out + timedelta(days=1),
                summary="Reserved",
            )
        ],
    )
    return [(f"partner owner (lodging: {name})", email) for name, email, _n, _b in PARTNERS]
