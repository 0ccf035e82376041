"""Listings demo data on top of the core demo people (trustplatform/demo.py). Safe to run again.

- 마포 믿음 공인중개사사무소 holds the 안심중개사 badge, with listings in 마포구 (photos, one checked
  against the sandbox registry, one confirmed by the owner's text link);
- the registry-checked flat belongs to 정하은 of 성수 하우스 임대 (landlord@demo.ansim.kr), who claimed
  it as its landlord: a deposit started from it is paid to her, with 마포 믿음 as the broker;
- 연남 바로 부동산, a young brokerage, advertises a bait-priced flat with a photo copied from 마포 믿음,
  reported by 이준호 — it ranks first for inspection;
- an earlier listing of 연남 바로 부동산 was confirmed fake on site (a strike) and its appeal waits for
  agent@demo.ansim.kr in the admin;
- every flat states its building type and year built, which prices are compared by;
- 김민지 (consumer@demo.ansim.kr) reached 마포 믿음 about a flat she then saw as listed (the broker
  answered "still available"), and the bait's broker, who offered her another flat instead; 이준호
  reached 마포 믿음 about another flat, not answered yet by either side;
- risk scores computed, and this month's campaign opened with a fixed seed for inspector@demo.ansim.kr.
"""

from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from trustplatform import pii
from trustplatform.accounts.models import User
from trustplatform.demo import DEMO_PASSWORD
from trustplatform.errors import DomainError
from trustplatform.partners.models import Membership, Partner
from trustplatform.registries.models import SandboxRegistryRecord

from . import services
from .models import BrokerStanding, Listing, ListingContact, Report, Strike, Verification
from .services.campaigns import campaign_open
from .services.common import standing_get
from .services.contact import contact_broker_answer, contact_outcome_record
from .services.landlord import landlord_is_owner, owner_name_on_record
from .services.risk import listings_rescore

SECOND_BROKER = ("연남 바로 부동산", "1138600917", "broker2@demo.ansim.kr", "배지호", "+821055500077")

MAPO_LISTINGS = [
    # title, dong, deal, deposit, rent, price, size, floor, rooms, photo seed
    ("서교동 역세권 투룸", "1144012000", "monthly", 20_000_000, 950_000, 0, "39.60", 3, 2, 11),
    ("합정역 5분 원룸", "1144012200", "monthly", 10_000_000, 650_000, 0, "23.14", 2, 1, 12),
    ("연남동 채광 좋은 쓰리룸 전세", "1144012400", "jeonse", 420_000_000, 0, 0, "72.73", 4, 3, 13),
    ("망원동 한강 조망 투룸", "1144012300", "monthly", 30_000_000, 1_100_000, 0, "46.28", 5, 2, 14),
    ("공덕역 신축 오피스텔", "1144010200", "monthly", 10_000_000, 850_000, 0, "26.45", 12, 1, 15),
    ("상암동 아파트 매매", "1144012700", "sale", 0, 0, 1_150_000_000, "84.97", 9, 3, 16),
    ("서교동 복층 원룸", "1144012000", "monthly", 5_000_000, 700_000, 0, "29.75", 4, 1, 17),
    ("연남동 전세 투룸", "1144012400", "jeonse", 280_000_000, 0, 0, "49.58", 2, 2, 18),
]
# 관리비 a month and what it covers, as Mapo flats of these kinds charge; the sale states none (None).
FEES = {
    "서교동 역세권 투룸": (100_000, ["water", "internet", "tv"]),
    "합정역 5분 원룸": (70_000, ["water", "internet", "cleaning"]),
    "연남동 채광 좋은 쓰리룸 전세": (150_000, ["water", "cleaning", "parking"]),
    "망원동 한강 조망 투룸": (120_000, ["water", "internet", "tv", "parking"]),
    "공덕역 신축 오피스텔": (150_000, ["water", "heating", "internet", "cleaning"]),
    "상암동 아파트 매매": (None, []),
    "서교동 복층 원룸": (0, []),
    "연남동 전세 투룸": (50_000, ["water"]),
    # The bait hides part of the rent in the fee (관리비 쪼개기), as such listings do.
    "연남동 급매 투룸 (보증금 100)": (250_000, ["water", "internet", "tv", "cleaning"]),
    "망원동 풀옵션 원룸": (80_000, ["water", "internet"]),
}
# Building type and year built (준공), as such flats in 마포구 are.
BUILDINGS = {
    "서교동 역세권 투룸": ("villa", 2015),
    "합정역 5분 원룸": ("villa", 2012),
    "연남동 채광 좋은 쓰리룸 전세": ("apartment", 2004),
    "망원동 한강 조망 투룸": ("villa", 2018),
    "공덕역 신축 오피스텔": ("officetel", 2023),
    "상암동 아파트 매매": ("apartment", 2003),
    "서교동 복층 원룸": ("officetel", 2019),
    "연남동 전세 투룸": ("villa", 2008),
    "연남동 급매 투룸 (보증금 100)": ("villa", 2010),
    "망원동 풀옵션 원룸": ("house", 1998),
}
REGISTRY_LISTING = "서교동 역세권 투룸"
REGISTRY_ADDRESS = "서울특별시 마포구 양화로 72"
# The registered owner of that flat: the demo landlord's representative, so she can claim it.
REGISTRY_OWNER = "정하은"
BAIT_TITLE = "연남동 급매 투룸 (보증금 100)"
CLOSED = (Listing.Status.REMOVED, Listing.Status.ARCHIVED)
GONE_TITLE = "망원동 풀옵션 원룸"


# Rendered by scripts/demo_photos.py: two photos per flat, none shared between brokerages except the
# bait's, which copies a 마포 믿음 flat on purpose (the duplicate-photo check must find it).
PHOTOS = Path(__file__).resolve().parent / "demo_photos"


def _photos(seed: int) -> list[SimpleUploadedFile]:
    # 마포 믿음's flats (seeds 11-18) show home-01…08 and home-09…16; the young brokerage's own flat 17, 18.
    pair = (17, 18) if seed == 21 else (seed - 10, seed - 2)
    return [
        SimpleUploadedFile(
            f"home-{n:02d}.jpg", (PHOTOS / f"home-{n:02d}.jpg").read_bytes(), content_type="image/jpeg"
        )
        for n in pair
    ]


def _listing(partner: Partner, owner: User, spec: tuple, *, address: str, unit: str) -> Listing:
    title, dong, deal, deposit, rent, price, size, floor, rooms, seed = spec
    fee, fee_items = FEES.get(title, (None, []))
    building_type, built_year = BUILDINGS.get(title, ("", None))
    listing = Listing.objects.filter(partner=partner, title=title).first()
    if listing is not None:
        # A demo made before listings stated their building: state it now, as the broker would.
        if not listing.building_type and building_type and listing.status not in CLOSED:
            listing = services.listing_update(
                listing=listing, actor=owner, data={"building_type": building_type, "built_year": built_year}
            )
        return listing
    listing = services.listing_create(
        partner=partner,
        actor=owner,
        publish=True,
        data={
            "title": title,
            "address": address,
            "unit": unit,
            "dong_code": dong,
            "deal_type": deal,
            "deposit_krw": deposit,
            "monthly_rent_krw": rent,
            "price_krw": price,
            "size_m2": size,
            "floor": floor,
            "rooms": rooms,
            "maintenance_fee_krw": fee,
            "maintenance_includes": fee_items,
            "building_type": building_type,
            "built_year": built_year,
            "description": "주차 1대 가능. 실매물입니다.",
        },
    )
    for upload in _photos(seed):
        services.photo_add(listing=listing, actor=owner, upload=upload)
    return listing


def _landlord_claim(listing: Listing) -> None:
    """The demo landlord claims the flat she owns, through the same service as her portal page."""
    user = User.objects.get(email="landlord@demo.ansim.kr")
    landlord = Partner.objects.get(memberships__user=user, kind=Partner.Kind.LANDLORD)
    listing.refresh_from_db()
    # A demo made before landlords recorded another owner for the flat: leave it unclaimed.
    owner_named = landlord_is_owner(landlord=landlord, owner_name=owner_name_on_record(listing))
    if listing.landlord_id is None and listing.is_live and owner_named:
        services.listing_landlord_claim(landlord=landlord, actor=user, listing_id=listing.pk)


def _enquiry(listing: Listing, email: str, *, outcome: str = "", broker_answer: str = "") -> None:
    """A demo person reached the broker about a listing (a safe number from the demo pool), and the
    answers given since. Skipped when the pool is not there (the listings demo seeded alone)."""
    consumer = User.objects.get(email=email)
    if ListingContact.objects.filter(listing=listing, consumer=consumer).exists() or not listing.is_live:
        return
    try:
        contact = services.contact_open(listing=listing, consumer=consumer).contact
    except DomainError:
        return
    if outcome:
        contact_outcome_record(contact_id=contact.pk, consumer=consumer, outcome=outcome)
    if broker_answer:
        actor = listing.partner.memberships.order_by("pk").first().user
        contact_broker_answer(contact_id=contact.pk, actor=actor, answer=broker_answer)


def _second_brokerage() -> tuple[Partner, User]:
    name, brn, email, owner_name, phone = SECOND_BROKER
    owner, _created = User.objects.get_or_create(email=email, defaults={"full_name": owner_name})
    owner.set_password(DEMO_PASSWORD)
    owner.phone, owner.phone_index, owner.phone_hint = phone, pii.blind_index(phone), pii.mask_phone(phone)
    owner.phone_verified_at = owner.phone_verified_at or timezone.now()
    owner.save()
    partner = Partner.objects.filter(registration_number=brn).exclude(status=Partner.Status.REJECTED).first()
    if partner is None:
        partner = Partner.objects.create(
            name=name,
            kind=Partner.Kind.BROKERAGE,
            registration_number=brn,
            representative=owner_name,
            contact_email=email,
            address="서울특별시 마포구 동교로 210",
            applied_by=owner,
            status=Partner.Status.APPROVED,
            decided_at=timezone.now(),
        )
    Membership.objects.get_or_create(user=owner, partner=partner, defaults={"role": Membership.Role.OWNER})
    return partner, owner


def _confirmed_fake_with_appeal(partner: Partner, owner: User) -> None:
    """An earlier fake of the young brokerage, confirmed on site, with the broker's appeal pending."""
    fake = _listing(
        partner,
        owner,
        (GONE_TITLE, "1144012300", "monthly", 5_000_000, 450_000, 0, "33.00", 2, 1, 21),
        address="서울특별시 마포구 망원로 12",
        unit="201호",
    )
    if Strike.objects.filter(listing=fake).exists():
        return
    inspector = User.objects.get(email="inspector@demo.ansim.kr")
    inspection = services.inspection_queue_open(listing=fake, actor=inspector)
    services.inspection_record(
        inspection=inspection,
        actor=inspector,
        outcome="fake",
        fake_category="gone",
        note="3주 전 계약 완료된 집. 관리인 확인.",
        latitude="37.556100",
        longitude="126.901900",
        accuracy_m=15,
    )
    strike = Strike.objects.get(listing=fake)
    services.appeal_file(
        strike=strike, actor=owner, statement="계약 당일 내리려 했으나 시스템 오류로 남아 있었습니다."
    )


def seed() -> list[tuple[str, str]]:
    broker = User.objects.get(email="broker@demo.ansim.kr")
    mapo = Partner.objects.get(memberships__user=broker, kind=Partner.Kind.BROKERAGE)
    agent = User.objects.get(email="agent@demo.ansim.kr")
    standing = standing_get(mapo)
    if standing.badge == BrokerStanding.Badge.NONE:
        services.badge_grant(instance=standing, actor=agent, reason="6개월 동안 허위매물 신고 없음")
    listings = [
        _listing(
            mapo, broker, spec, address=f"서울특별시 마포구 양화로 {45 + 9 * n}", unit=f"{2 + n}0{n + 1}호"
        )
        for n, spec in enumerate(MAPO_LISTINGS)
    ]
    registry_listing = next(item for item in listings if item.title == REGISTRY_LISTING)
    if not registry_listing.verifications.filter(status=Verification.Status.CONFIRMED).exists():
        Listing.objects.filter(pk=registry_listing.pk).update(address=REGISTRY_ADDRESS, unit="301호")
        registry_listing.refresh_from_db()
        SandboxRegistryRecord.objects.update_or_create(
            address=f"{REGISTRY_ADDRESS}, 301호", defaults={"owner_name": REGISTRY_OWNER, "liens": []}
        )
        services.verification_request(
            listing=registry_listing,
            actor=broker,
            level=Verification.Level.REGISTRY,
            owner_name=REGISTRY_OWNER,
        )
    _landlord_claim(registry_listing)
    linked = listings[1]
    if not linked.verifications.exists():
        verification = services.verification_request(
            listing=linked, actor=broker, level=Verification.Level.OWNER_LINK, owner_phone="010-3030-4040"
        )
        services.owner_link_answer(token=services.owner_link_token(verification), confirmed=True)

    young, young_owner = _second_brokerage()
    bait = _listing(
        young,
        young_owner,
        (BAIT_TITLE, "1144012400", "monthly", 1_000_000, 300_000, 0, "46.00", 3, 2, 13),
        address="서울특별시 마포구 동교로 210",
        unit="",
    )
    reporter = User.objects.get(email="consumer2@demo.ansim.kr")
    if bait.is_live and not Report.objects.filter(listing=bait, reporter=reporter).exists():
        services.report_file(
            listing=bait,
            reporter=reporter,
            reason="not_exist",
            details="방문 약속을 잡으려 하니 이미 나갔다며 다른 집을 권했습니다.",
            visited=True,
        )
    _confirmed_fake_with_appeal(young, young_owner)
    _enquiry(linked, "consumer@demo.ansim.kr", outcome="viewed", broker_answer="available")
    _enquiry(bait, "consumer@demo.ansim.kr", outcome="other_offered")
    _enquiry(listings[-1], "consumer2@demo.ansim.kr")
    listings_rescore()
    campaign_open(month=timezone.localdate().replace(day=1), seed=2026, capacity=10)
    return [("partner owner (brokerage, young)", SECOND_BROKER[2])]
