import importlib
import io
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group, Permission
from django.utils import timezone
from PIL import Image, ImageDraw

from listings import services
from listings.models import Listing, Verification
from listings.services.verification import registry_address
from tests.factories import SandboxRegistryRecordFactory, UserFactory
from tests.listings.factories import BrokerageFactory, LandlordFactory
from trustplatform.ledger.services import ledger_transfer, platform_account

STAFF_GROUPS = importlib.import_module("listings.migrations.0002_guards_and_staff_permissions").GROUPS

MAPO_SEOGYO = "1144012000"


def listing_data(**overrides) -> dict:
    data = {
        "title": "서교동 투룸",
        "address": "서울특별시 마포구 양화로 45",
        "unit": "302호",
        "dong_code": MAPO_SEOGYO,
        "deal_type": "monthly",
        "deposit_krw": 10_000_000,
        "monthly_rent_krw": 700_000,
        "size_m2": "33.06",
        "floor": 3,
        "rooms": 2,
        "description": "역세권",
    }
    data.update(overrides)
    return data


def photo_file(seed: int = 0, size=(320, 240), fmt="JPEG", name="photo.jpg"):
    """A picture whose content (and so its dHash) depends on the seed."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    image = Image.new("RGB", size, (250, 250, 250))
    draw = ImageDraw.Draw(image)
    rng = __import__("random").Random(seed)
    for _ in range(12):
        x, y = rng.randrange(size[0]), rng.randrange(size[1])
        draw.rectangle(
            [x, y, x + rng.randrange(20, 120), y + rng.randrange(20, 90)],
            fill=tuple(rng.randrange(256) for _ in range(3)),
        )
    buffer = io.BytesIO()
    image.save(buffer, format=fmt)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=f"image/{fmt.lower()}")


@pytest.fixture
def brokerage(db):
    """An approved brokerage with its owner (a verified phone, so safe numbers work)."""
    return BrokerageFactory(
        name="마포 믿음 공인중개사사무소",
        owner__phone="+821055550001",
        owner__phone_verified_at=timezone.now(),
    )


@pytest.fixture
def broker(brokerage):
    return brokerage.memberships.get().user


@pytest.fixture
def make_brokerage(db):
    return BrokerageFactory


@pytest.fixture
def make_listing(db):
    def make(partner, *, publish=True, **overrides) -> Listing:
        actor = partner.memberships.first().user
        return services.listing_create(
            partner=partner, actor=actor, data=listing_data(**overrides), publish=publish
        )

    return make


@pytest.fixture
def listing(brokerage, make_listing):
    return make_listing(brokerage)


# The owner of the test listings' flat, as the registry and the landlord partner name her.
OWNER_NAME = "정하은"


@pytest.fixture
def make_landlord(db):
    return LandlordFactory


@pytest.fixture
def owner_on_record(db):
    """The registry names `owner` for the listing's unit, and the broker's registry check recorded it."""

    def record(listing, owner: str = OWNER_NAME):
        SandboxRegistryRecordFactory(address=registry_address(listing), owner_name=owner, liens=[])
        return services.verification_request(
            listing=listing,
            actor=listing.partner.memberships.first().user,
            level=Verification.Level.REGISTRY,
            owner_name=owner,
        )

    return record


@pytest.fixture
def landlord(listing, make_landlord, owner_on_record):
    """The owner's landlord partner, which claimed `listing` after the registry check named her."""
    owner_on_record(listing)
    partner = make_landlord(name="정하은 임대", representative=OWNER_NAME)
    services.listing_landlord_claim(landlord=partner, actor=partner.owner, listing_id=listing.pk)
    listing.refresh_from_db()
    return partner


@pytest.fixture
def staff_in(db):
    def make(group: str, **kwargs):
        # Transactional tests flush the groups the migration made: make them again, with their permissions.
        staff_group, _created = Group.objects.get_or_create(name=group)
        for dotted in STAFF_GROUPS.get(group, []):
            app_label, codename = dotted.split(".")
            staff_group.permissions.add(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )
        user = UserFactory(is_staff=True, **kwargs)
        user.groups.add(staff_group)
        return user

    return make


@pytest.fixture
def inspector(staff_in):
    return staff_in("inspectors", full_name="점검원 박")


@pytest.fixture
def agent(staff_in):
    return staff_in("agents", full_name="상담원 이")


@pytest.fixture
def guarantee_fund(db):
    ledger_transfer(
        debit=platform_account("platform-capital"),
        credit=platform_account("platform-guarantee-fund"),
        amount_krw=10_000_000,
        key="test:guarantee-fund",
        reason="test fund",
    )
    return platform_account("platform-guarantee-fund")


@pytest.fixture
def badge_holder(brokerage, agent):
    standing = services.common.standing_get(brokerage)
    return services.badge_grant(instance=standing, actor=agent, reason="6개월 무사고")


def days_ago(days: int):
    return timezone.now() - timedelta(days=days)
