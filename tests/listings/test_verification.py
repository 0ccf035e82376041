from datetime import timedelta

import pytest
from django.utils import timezone

from listings import services
from listings.errors import ListingError
from listings.models import Listing, Verification
from tests.factories import SandboxRegistryRecordFactory
from trustplatform.notifications.models import OutboundMessage

pytestmark = pytest.mark.django_db


def test_registry_check_needs_owner_and_unit_to_match(listing, broker):
    SandboxRegistryRecordFactory(address="서울특별시 마포구 양화로 45, 302호", owner_name="홍길동")
    wrong = services.verification_request(listing=listing, actor=broker, level=3, owner_name="김철수")
    assert wrong.status == Verification.Status.FAILED
    right = services.verification_request(listing=listing, actor=broker, level=3, owner_name="홍 길동")
    assert right.status == Verification.Status.CONFIRMED
    listing.refresh_from_db()
    assert listing.status == Listing.Status.VERIFIED
    assert listing.verification_level == 3


def test_registry_check_fails_when_the_unit_is_not_registered(make_listing, brokerage, broker):
    SandboxRegistryRecordFactory(address="서울특별시 마포구 양화로 45, 302호", owner_name="홍길동")
    other_unit = make_listing(brokerage, unit="502호")
    verification = services.verification_request(
        listing=other_unit, actor=broker, level=3, owner_name="홍길동"
    )
    assert verification.status == Verification.Status.FAILED
    assert verification.details["unit_found"] is False


def test_owner_link_is_texted_and_confirms(listing, broker):
    verification = services.verification_request(
        listing=listing, actor=broker, level=2, owner_phone="010-2222-3333"
    )
    message = OutboundMessage.objects.get(idempotency_key=f"listings:owner-link:{verification.pk}")
    # The owner answers with the token the text carries (a fresh one would carry another timestamp
    # whenever the second turns between the two).
    token = message.body.rsplit("/homes/verify/", 1)[1].strip().rstrip("/")
    assert token.split(":")[0] == services.owner_link_token(verification).split(":")[0]
    assert verification.owner_phone_hint and "3333" in verification.owner_phone_hint
    services.owner_link_answer(token=token, confirmed=True)
    listing.refresh_from_db()
    assert listing.verification_level == 2 and listing.status == Listing.Status.VERIFIED


def test_a_forged_link_is_refused(listing, broker):
    with pytest.raises(ListingError) as refused:
        services.owner_link_answer(token="forged:token", confirmed=True)
    assert refused.value.code == "link_invalid"


def test_the_strongest_level_is_shown_and_expired_levels_lapse(listing, broker, agent):
    phone = services.verification_request(listing=listing, actor=broker, level=1, owner_phone="01022223333")
    services.phone_check_record(instance=phone, actor=agent, confirmed=True)
    link = services.verification_request(listing=listing, actor=broker, level=2, owner_phone="01022223333")
    services.owner_link_answer(token=services.owner_link_token(link), confirmed=True)
    listing.refresh_from_db()
    assert listing.verification_level == 2
    Verification.objects.filter(pk=link.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    Listing.objects.filter(pk=listing.pk).update(
        verification_expires_at=timezone.now() - timedelta(seconds=1)
    )
    services.levels_expire_due()
    listing.refresh_from_db()
    assert listing.verification_level == 1
    Verification.objects.filter(pk=phone.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    Listing.objects.filter(pk=listing.pk).update(
        verification_expires_at=timezone.now() - timedelta(seconds=1)
    )
    services.levels_expire_due()
    listing.refresh_from_db()
    assert listing.verification_level == 0 and listing.status == Listing.Status.PUBLISHED


def test_one_pending_request_per_level(listing, broker):
    services.verification_request(listing=listing, actor=broker, level=1, owner_phone="01022223333")
    with pytest.raises(ListingError) as refused:
        services.verification_request(listing=listing, actor=broker, level=1, owner_phone="01022223333")
    assert refused.value.code == "already_requested"


def test_moving_the_listing_voids_its_verifications(listing, broker):
    SandboxRegistryRecordFactory(address="서울특별시 마포구 양화로 45, 302호", owner_name="홍길동")
    services.verification_request(listing=listing, actor=broker, level=3, owner_name="홍길동")
    services.listing_update(listing=listing, actor=broker, data={"unit": "402호"})
    listing.refresh_from_db()
    assert listing.verification_level == 0 and listing.status == Listing.Status.PUBLISHED


def test_on_site_genuine_gives_the_strongest_level_and_rejects_reports(listing, inspector, consumer):
    report = services.report_file(listing=listing, reporter=consumer, reason="not_exist")
    inspection = services.inspection_queue_open(listing=listing, actor=inspector)
    services.inspection_record(
        inspection=inspection,
        actor=inspector,
        outcome="genuine",
        latitude="37.5563",
        longitude="126.9220",
        accuracy_m="12",
    )
    listing.refresh_from_db()
    report.refresh_from_db()
    assert listing.verification_level == 4
    assert report.status == "rejected" and not report.false_report
    inspection.refresh_from_db()
    assert str(inspection.latitude) == "37.556300"


def test_a_registry_check_that_finds_a_new_owner_or_lease_marks_the_listing(listing, broker):
    """Checked again after publishing: the same owner and rights change nothing; a sale (new owner) or a
    lease registered marks the listing, which its risk score counts. The owner is kept only as a hash."""
    address = "서울특별시 마포구 양화로 45, 302호"
    SandboxRegistryRecordFactory(address=address, owner_name="홍길동")
    first = services.verification_request(listing=listing, actor=broker, level=3, owner_name="홍길동")
    assert "홍길동" not in str(first.details) and first.details["owner_key"]
    services.verification_request(listing=listing, actor=broker, level=3, owner_name="홍길동")
    listing.refresh_from_db()
    assert listing.registry_changed_at is None
    SandboxRegistryRecordFactory(address=address, owner_name="홍길동", liens=["임차권등기"])
    services.verification_request(listing=listing, actor=broker, level=3, owner_name="홍길동")
    listing.refresh_from_db()
    assert listing.registry_changed_at is not None
    from listings.services.risk import listings_rescore

    listings_rescore()
    assert listing.risk.components["let_live"]["registry_changed"] is True
