import math

import pytest
from django.utils import timezone

from listings import services
from listings.models import Listing, RiskScore
from listings.services.risk import listings_rescore
from listings.services.risk_model import PRIOR_WEIGHTS, VERSION
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
    assert set(score.components) == set(PRIOR_WEIGHTS)
    assert score.components["price"]["peers"] == 10
    assert score.components["price"]["group"] == 0  # the finest group: same 동, type, size, floor, age
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
    copier = make_listing(make_brokerage(), address="서울특별시 마포구 와우산로 10")
    services.photo_add(listing=copier, actor=copier.created_by, upload=photo_file(seed=9))
    # Another brokerage's unit in the original's building, with the same picture of the building.
    neighbour = make_listing(make_brokerage(), address="서울 마포구 양화로45", unit="501호")
    services.photo_add(listing=neighbour, actor=neighbour.created_by, upload=photo_file(seed=9))
    listings_rescore()
    assert RiskScore.objects.get(listing=copier).components["photo"] == {"value": 1, "partners": 1}
    # The earlier upload is the original: it is not flagged; nor is a photo of the same building.
    assert RiskScore.objects.get(listing=original).components["photo"]["value"] == 0
    assert RiskScore.objects.get(listing=neighbour).components["photo"]["value"] == 0


def test_a_cropped_copy_is_flagged_through_the_crop_hashes(district, make_brokerage, make_listing):
    """The copier's full hash is far from the original's, but close to the original's crop hash."""
    from listings.models import ListingPhoto, PhotoHash
    from listings.photos import bands

    original = district[0]
    copier = make_listing(make_brokerage(), address="서울특별시 마포구 와우산로 10")
    full, crop = 0x0F0F_1234_5678_9ABC, 0x7A3C_99E1_0B6D_4F21
    kept = ListingPhoto.objects.create(listing=original, partner=original.partner, image="x.jpg", dhash=full,
                                       **{f"band{n}": v for n, v in enumerate(bands(full))})
    PhotoHash.objects.create(photo=kept, listing=original, partner=original.partner, kind=80, dhash=crop,
                             **{f"band{n}": v for n, v in enumerate(bands(crop))})
    copied = crop ^ 0b1000_0001  # the crop, re-encoded: two bits off
    ListingPhoto.objects.create(listing=copier, partner=copier.partner, image="y.jpg", dhash=copied,
                                **{f"band{n}": v for n, v in enumerate(bands(copied))})
    listings_rescore()
    assert RiskScore.objects.get(listing=copier).components["photo"]["value"] == 1
    assert RiskScore.objects.get(listing=original).components["photo"]["value"] == 0


def test_a_picture_many_listings_share_counts_for_nothing(district, make_brokerage, make_listing):
    """A plain wall: more than PHOTO_COMMON copies of one hash are a generic picture, not copying."""
    from listings.models import ListingPhoto, PhotoHash
    from listings.photos import bands
    from listings.services.risk_model import PHOTO_COMMON

    wall = 0x5555_0000_FFFF_1111
    first = ListingPhoto.objects.create(listing=district[0], partner=district[0].partner, image="w.jpg",
                                        dhash=wall, **{f"band{n}": v for n, v in enumerate(bands(wall))})
    # The same hash held by many photos (stored here as crop rows of the first photo).
    PhotoHash.objects.bulk_create(
        PhotoHash(photo=first, listing=district[0], partner=district[0].partner, kind=kind, dhash=wall,
                  **{f"band{n}": v for n, v in enumerate(bands(wall))})
        for kind in range(1, PHOTO_COMMON + 1)
    )
    other = make_listing(make_brokerage(), address="서울특별시 마포구 와우산로 10")
    ListingPhoto.objects.create(listing=other, partner=other.partner, image="v.jpg", dhash=wall,
                                **{f"band{n}": v for n, v in enumerate(bands(wall))})
    listings_rescore()
    assert RiskScore.objects.get(listing=other).components["photo"]["value"] == 0


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


def test_bumping_does_not_make_a_listing_fresh(district, broker):
    """Staleness counts from the last evidence the home is there, not from the broker's bump; bumped far
    more often than the brokerage bumps its other listings, the listing scores higher, not lower."""
    old = timezone.now() - timezone.timedelta(days=120.5)
    Listing.objects.filter(pk=district[3].pk).update(published_at=old, created_at=old)
    listings_rescore()
    before = RiskScore.objects.get(listing=district[3])
    assert before.components["stale"]["value"] == 1
    for _ in range(30):
        services.listing_refresh(listing=district[3], actor=broker)
    listings_rescore()
    after = RiskScore.objects.get(listing=district[3])
    assert after.components["stale"]["value"] == 1
    # The brokerage bumps its other listings never: 30 bumps in 120 days is far beyond its habit.
    assert after.components["bumps"]["value"] == 1
    assert after.components["bumps"]["count"] == 30 and after.components["bumps"]["live_days"] == 120
    assert after.score > before.score


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


def test_callers_told_it_is_gone_raise_the_let_live_signal(district, make_user, broker):
    """A home let but kept live: callers are told it is gone, the broker answers "contracted" yet keeps
    it live. A viewing as listed counts against; answers on other listings do not leak."""
    from listings.models import ListingContact
    from listings.services.contact import contact_broker_answer, contact_outcome_record

    let, shown = district[4], district[5]
    for outcome in ("unavailable", "other_offered", "unavailable"):
        contact = ListingContact.objects.create(listing=let, consumer=make_user())
        contact_outcome_record(contact_id=contact.pk, consumer=contact.consumer, outcome=outcome)
    contact_broker_answer(contact_id=contact.pk, actor=broker, answer="contracted")
    viewer = ListingContact.objects.create(listing=shown, consumer=make_user())
    contact_outcome_record(contact_id=viewer.pk, consumer=viewer.consumer, outcome="viewed")
    listings_rescore()
    let_live = RiskScore.objects.get(listing=let).components["let_live"]
    assert let_live["told_gone"] == 3 and let_live["broker_contracted"] == 1
    assert let_live["value"] == pytest.approx(1 - math.exp(-(1 + 0.8 + 1 + 2) / 1.5), abs=0.001)
    assert RiskScore.objects.get(listing=shown).components["let_live"]["value"] == 0
    assert RiskScore.objects.get(listing=let).score > RiskScore.objects.get(listing=shown).score


def test_a_basement_is_priced_against_basements(brokerage, make_listing):
    """Cheap (semi-)basement villas are compared among themselves, not flagged against upper floors."""
    uppers = [make_listing(brokerage, building_type="villa", floor=3, deposit_krw=10_000_000,
                           monthly_rent_krw=700_000 + 10_000 * n) for n in range(8)]
    basements = [make_listing(brokerage, building_type="villa", floor=0, deposit_krw=5_000_000,
                              monthly_rent_krw=400_000 + 10_000 * n) for n in range(8)]
    listings_rescore()
    basement = RiskScore.objects.get(listing=basements[0]).components["price"]
    assert basement["value"] < 0.05 and basement["peers"] == 8 and basement["group"] == 0
    assert RiskScore.objects.get(listing=uppers[0]).components["price"]["peers"] == 8


def test_a_brokerage_that_bumps_everything_daily_is_its_own_yardstick(district, broker):
    """Bumping is judged against the brokerage's habit: when it bumps all its listings alike, none
    stands out; the one it bumps far more than the rest does."""
    old = timezone.now() - timezone.timedelta(days=60.5)
    Listing.objects.filter(pk__in=[listing.pk for listing in district]).update(
        published_at=old, created_at=old, refresh_count=60
    )
    Listing.objects.filter(pk=district[9].pk).update(refresh_count=240)
    listings_rescore()
    bumps = {score.listing_id: score.components["bumps"] for score in RiskScore.objects.all()}
    assert bumps[district[0].pk]["value"] == 0 and bumps[district[0].pk]["habit"] == 1
    assert bumps[district[9].pk]["value"] == 1 and bumps[district[9].pk]["habit"] == 4


def test_a_rivals_listing_of_the_same_unit_without_the_owners_mandate_counts(district, make_brokerage,
                                                                              make_listing):
    """The address and the unit typed another way are still the same unit; another unit of the building and
    the brokerage's own earlier listings are not."""
    copy = make_listing(make_brokerage(), address="서울 마포구 양화로45 (서교동)", unit="302")
    neighbour = make_listing(make_brokerage(), address="양화로 45", unit="501호")
    listings_rescore()
    assert RiskScore.objects.get(listing=copy).components["mandate"] == {"value": 1, "earlier": 1}
    assert RiskScore.objects.get(listing=neighbour).components["mandate"] == {"value": 0, "earlier": 0}
    assert RiskScore.objects.get(listing=district[-1]).components["mandate"]["value"] == 0
    # The building has had other listings: the address signal stays quiet.
    assert RiskScore.objects.get(listing=copy).components["address"]["others"] == 11
    assert RiskScore.objects.get(listing=copy).components["address"]["value"] == 0
