"""Issue 13, item 4: a broker verifies their own listing.

The owner-text-link level (and the staff phone call) went to whatever number the broker typed, their
own included, and the text carried the broker's words (the address, the office's name) from the
platform's sender. Numbers held by any member of the brokerage are refused, the registry's contact for
the owner is preferred when it gives one, and the text says only what the platform writes.
"""

import pytest
from django.utils import timezone

from listings import services
from listings.errors import ListingError
from listings.models import Verification
from listings.services.verification import registry_address
from tests.factories import MembershipFactory, SandboxRegistryRecordFactory, UserFactory
from tests.listings.factories import BrokerageFactory
from trustplatform import pii
from trustplatform.notifications.models import OutboundMessage
from trustplatform.partners.models import Membership

pytestmark = pytest.mark.django_db

BROKER_PHONE = "+821055550001"
COLLEAGUE_PHONE = "+821055550002"
OWNER_PHONE = "+821022223333"
REGISTRY_OWNER_PHONE = "+821077778888"


def person(phone: str, **extra):
    """A user holding `phone`, as sign-up and verification leave them (blind index and hint)."""
    return UserFactory(
        phone=phone,
        phone_index=pii.blind_index(phone),
        phone_hint=pii.mask_phone(phone),
        phone_verified_at=timezone.now(),
        **extra,
    )


def listing_of(brokerage, **overrides):
    data = {
        "title": "서교동 투룸",
        "address": "서울특별시 마포구 양화로 45",
        "unit": "302호",
        "dong_code": "1144012000",
        "deal_type": "monthly",
        "deposit_krw": 10_000_000,
        "monthly_rent_krw": 700_000,
        "size_m2": "33.06",
        "floor": 3,
        "rooms": 2,
        "description": "역세권",
        **overrides,
    }
    return services.listing_create(partner=brokerage, actor=brokerage.owner, data=data, publish=True)


@pytest.fixture
def brokerage():
    return BrokerageFactory(name="마포 믿음 공인중개사사무소", owner=person(BROKER_PHONE))


def owner_link(listing, phone: str, level=Verification.Level.OWNER_LINK):
    broker = listing.partner.memberships.get(role=Membership.Role.OWNER).user
    return services.verification_request(listing=listing, actor=broker, level=level, owner_phone=phone)


def texts_for(verification) -> list[OutboundMessage]:
    return list(OutboundMessage.objects.filter(idempotency_key=f"listings:owner-link:{verification.pk}"))


@pytest.mark.parametrize("level", [Verification.Level.OWNER_LINK, Verification.Level.PHONE])
@pytest.mark.parametrize("whose", ["own", "colleague", "colleague_typed_loosely"])
def test_a_number_held_by_a_member_of_the_brokerage_is_refused(brokerage, level, whose):
    MembershipFactory(user=person(COLLEAGUE_PHONE), partner=brokerage, role=Membership.Role.STAFF)
    listing = listing_of(brokerage)
    typed = {"own": BROKER_PHONE, "colleague": COLLEAGUE_PHONE, "colleague_typed_loosely": "010 5555 0002"}
    with pytest.raises(ListingError) as refused:
        owner_link(listing, typed[whose], level=level)
    assert refused.value.code == "owner_phone_is_member"
    assert "owner_phone" in refused.value.fields
    assert not Verification.objects.filter(listing=listing).exists()
    assert not OutboundMessage.objects.filter(idempotency_key__startswith="listings:owner-link").exists()


def test_the_api_refuses_the_brokers_own_number(brokerage):
    from rest_framework.test import APIClient

    listing = listing_of(brokerage)
    client = APIClient()
    client.force_authenticate(brokerage.owner)
    response = client.post(
        f"/api/v1/listings/partner/listings/{listing.pk}/verifications/",
        {"level": 2, "owner_phone": "010-5555-0001"},
        format="json",
        HTTP_X_PARTNER_ID=str(brokerage.pk),
    )
    assert response.status_code == 400, response.content
    assert response.json()["code"] == "owner_phone_is_member"
    assert not OutboundMessage.objects.filter(idempotency_key__startswith="listings:owner-link").exists()


def test_a_number_of_another_brokerages_member_is_not_refused_for_that_reason(brokerage):
    other = BrokerageFactory(owner=person(OWNER_PHONE))
    verification = owner_link(listing_of(brokerage), OWNER_PHONE)
    assert verification.status == Verification.Status.REQUESTED and other.pk


def test_the_text_goes_to_the_owner_contact_the_registry_gives(brokerage):
    listing = listing_of(brokerage)
    SandboxRegistryRecordFactory(
        address=registry_address(listing), owner_name="정하은", owner_phone=REGISTRY_OWNER_PHONE
    )
    verification = owner_link(listing, OWNER_PHONE)  # the broker's choice of "owner"
    [text] = texts_for(verification)
    assert text.recipient == REGISTRY_OWNER_PHONE
    verification.refresh_from_db()
    assert verification.owner_phone == REGISTRY_OWNER_PHONE
    assert verification.details.get("owner_contact") == "registry"
    # The broker learns nothing of the registry's number, not even a masked hint.
    assert verification.owner_phone_hint == ""


def test_the_registry_contact_lets_the_broker_leave_the_number_out(brokerage):
    listing = listing_of(brokerage)
    SandboxRegistryRecordFactory(
        address=registry_address(listing), owner_name="정하은", owner_phone=REGISTRY_OWNER_PHONE
    )
    verification = owner_link(listing, "")
    assert [text.recipient for text in texts_for(verification)] == [REGISTRY_OWNER_PHONE]


def test_a_registry_contact_held_by_a_member_is_refused_too(brokerage):
    listing = listing_of(brokerage)
    SandboxRegistryRecordFactory(
        address=registry_address(listing), owner_name="정하은", owner_phone=BROKER_PHONE
    )
    with pytest.raises(ListingError) as refused:
        owner_link(listing, OWNER_PHONE)
    assert refused.value.code == "owner_phone_is_member"


def test_without_a_registry_contact_the_typed_number_is_used(brokerage):
    listing = listing_of(brokerage)
    SandboxRegistryRecordFactory(address=registry_address(listing), owner_name="정하은")
    verification = owner_link(listing, "010-2222-3333")
    assert [text.recipient for text in texts_for(verification)] == [OWNER_PHONE]
    assert verification.details.get("owner_contact") == "broker"


def test_the_owner_link_text_carries_no_words_the_broker_wrote(brokerage):
    brokerage.name = "계좌 333-22-1111 로 가계약금 입금"
    brokerage.save(update_fields=["name"])
    listing = listing_of(
        brokerage,
        address="서울특별시 마포구 양화로 45 http://evil.example/pay",
        title="급매 http://evil.example",
        description="http://evil.example",
    )
    verification = owner_link(listing, OWNER_PHONE)
    [text] = texts_for(verification)
    assert "evil.example" not in text.body
    assert "333-22-1111" not in text.body and "입금" not in text.body
    assert "양화로" not in text.body
    # What is left is the platform's own sentence and the link to the page that shows the details.
    # (the token's signed payload: its timestamp is the second the text was sent)
    assert f"/homes/verify/{services.owner_link_token(verification).split(':')[0]}:" in text.body
