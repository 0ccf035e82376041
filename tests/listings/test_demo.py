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
