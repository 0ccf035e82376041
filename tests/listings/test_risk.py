import pytest
from django.utils import timezone

from listings import services
from listings.models import Listing, RiskScore
from listings.services.risk import listings_rescore
from listings.services.risk_model import VERSION
from tests.listings.conftest import photo_file

pytestmark = pytest.mark.django_db


@pytest.fixture
def district(brokerage, make_listing):
    """Ten ordinary monthly rentals in one district and size band."""
    return [
        make_listing(brokerage, deposit_krw=10_000_000 + 500_000 * n, monthly_rent_krw=700_000 + 10_000 * n)
        for n in range(10)
    ]


def test_every_live_listing_gets_a_versioned_explained_score(district):
    assert listings_rescore() == 10
    score = RiskScore.objects.get(listing=district[0])
    assert score.version == VERSION
    assert set(score.components) == {"price", "photo", "reports", "strikes", "verification", "young", "stale"}
    assert score.components["price"]["peers"] == 10
    assert 0 <= score.score <= 100


def test_a_bait_price_far_below_the_area_median_scores_high(district, brokerage, make_listing):
    bait = make_listing(brokerage, deposit_krw=1_000_000, monthly_rent_krw=200_000)
    listings_rescore()
    bait_score = RiskScore.objects.get(listing=bait)
    assert bait_score.components["price"]["value"] == 1
    assert bait_score.components["price"]["z"] < -4
    assert bait_score.score > max(RiskScore.objects.exclude(listing=bait).values_list("score", flat=True))


def test_a_photo_copied_from_another_brokerage_is_flagged(district, make_brokerage, make_listing, broker):
    original = district[0]
    services.photo_add(listing=original, actor=broker, upload=photo_file(seed=9))
    copier = make_listing(make_brokerage())
    services.photo_add(listing=copier, actor=copier.created_by, upload=photo_file(seed=9))
    listings_rescore()
    assert RiskScore.objects.get(listing=copier).components["photo"]["value"] == 1
    # The earlier upload is the original: it is not flagged.
    assert RiskScore.objects.get(listing=original).components["photo"]["value"] == 0


def test_weighted_reports_strikes_and_verification_raise_the_score(
    district, brokerage, make_listing, make_user, agent
):
    reported = district[1]
    listings_rescore()
    before = RiskScore.objects.get(listing=reported).score
    for _ in range(2):
        services.report_file(listing=reported, reporter=make_user(), reason="gone")
    services.fake_confirm(listing=district[2], actor=agent, category="gone")
    listings_rescore()
    after = RiskScore.objects.get(listing=reported)
    assert after.components["reports"]["open"] == 2
    assert after.components["strikes"]["points"] == 1
    assert after.score > before
    assert not RiskScore.objects.filter(listing=district[2]).exists()  # removed: no longer scored


def test_stale_listings_score_higher(district):
    Listing.objects.filter(pk=district[3].pk).update(
        refreshed_at=timezone.now() - timezone.timedelta(days=120)
    )
    listings_rescore()
    assert RiskScore.objects.get(listing=district[3]).components["stale"]["value"] == 1


def test_the_portable_scoring_agrees_with_sql(district, brokerage, make_listing):
    from listings.services.risk_portable import listings_rescore_portable

    make_listing(brokerage, deposit_krw=1_000_000, monthly_rent_krw=200_000)
    listings_rescore()
    sql = dict(RiskScore.objects.values_list("listing_id", "score"))
    listings_rescore_portable()
    portable = dict(RiskScore.objects.values_list("listing_id", "score"))
    assert sql.keys() == portable.keys()
    for listing_id, score in sql.items():
        assert portable[listing_id] == pytest.approx(score, abs=0.05)
