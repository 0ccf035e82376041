import pytest

from listings import demo
from listings.models import BrokerStanding, Campaign, Listing, RiskScore
from trustplatform import demo as core_demo

pytestmark = pytest.mark.django_db


def test_demo_seed_is_idempotent_and_ranks_the_bait_first(staff_in):
    for group in ("agents", "inspectors", "finance"):  # a transactional test may have flushed them
        staff_in(group)
    core_demo.seed()
    demo.seed()
    counts = (Listing.objects.count(), Campaign.objects.count())
    demo.seed()
    assert (Listing.objects.count(), Campaign.objects.count()) == counts
    assert BrokerStanding.objects.get(partner__name="마포 믿음 공인중개사사무소").badge == "held"
    top = RiskScore.objects.order_by("-score").first()
    assert top.listing.title == demo.BAIT_TITLE
    assert top.components["photo"]["value"] == 1


def test_the_demo_flat_for_a_deposit_is_claimed_by_the_demo_landlord(staff_in, consumer):
    from datetime import timedelta

    from django.utils import timezone

    from listings import services

    for group in ("agents", "inspectors", "finance"):
        staff_in(group)
    core_demo.seed()
    demo.seed()
    flat = Listing.objects.get(title=demo.REGISTRY_LISTING)
    assert flat.landlord.memberships.filter(user__email="landlord@demo.ansim.kr").exists()
    agreement = services.deposit_start(
        listing=flat, consumer=consumer, move_in_date=timezone.localdate() + timedelta(days=30)
    )
    assert agreement.payee == flat.landlord and agreement.broker == flat.partner
