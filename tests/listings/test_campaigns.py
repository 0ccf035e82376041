from collections import Counter
from datetime import date

import pytest

from listings.models import Campaign, Inspection, Listing, RiskScore
from listings.services.campaigns import areas_rank, campaign_open, campaign_reselect, campaign_select
from listings.services.risk import listings_rescore

pytestmark = pytest.mark.django_db

AREAS = [
    "1144012000",
    "1144012200",
    "1144012300",
    "1168010100",
    "1171010100",
    "1165010800",
    "1162010100",
    "1156013200",
]
AREA_INSPECTIONS = 6
PARAMETERS = {
    "capacity": 20,
    "top_areas": 2,
    "sample_percent": 10,
    "broker_cap_percent": 25,
    "cooldown_months": 2,
    "inspect_minutes": 40,
    "travel_minutes": 90,
    "area_inspections": AREA_INSPECTIONS,
}


@pytest.fixture
def city(make_brokerage, make_listing, brokerage):
    """Eight areas, four brokerages, deals closed mostly in the first two areas; one dominant brokerage."""
    brokers = [brokerage] + [make_brokerage() for _ in range(3)]
    for index, area in enumerate(AREAS):
        for number in range(12):
            broker = brokers[0] if number < 4 else brokers[1 + number % 3]
            make_listing(broker, dong_code=area, deposit_krw=10_000_000 + number * 1_000_000 + index)
    for area, closed in ((AREAS[0], 3), (AREAS[1], 2)):
        for listing in Listing.objects.filter(dong_code=area)[:closed]:
            from listings.services import listing_close

            listing_close(listing=listing, actor=listing.created_by, reason="deal_closed")
    listings_rescore()
    return brokers


def test_selection_is_reproducible_from_the_seed(city):
    first = campaign_select(month=date(2026, 12, 1), seed=42, parameters=PARAMETERS)
    again = campaign_select(month=date(2026, 12, 1), seed=42, parameters=PARAMETERS)
    assert first == again
    others = [
        campaign_select(month=date(2026, 12, 1), seed=seed, parameters=PARAMETERS) for seed in range(1, 8)
    ]
    assert any(other.sample != first.sample or other.random_area != first.random_area for other in others)


def _scores(by_area: dict[str, list[float]]) -> None:
    """Set the stored risk scores of each area's listings, riskiest first (the rest score 5)."""
    RiskScore.objects.update(score=5)
    for area, scores in by_area.items():
        ids = Listing.objects.filter(dong_code=area).order_by("pk").values_list("pk", flat=True)
        for pk, score in zip(ids, scores, strict=False):
            RiskScore.objects.filter(listing_id=pk).update(score=score)


def test_areas_go_by_expected_fakes_per_inspector_hour(city):
    """Three very risky homes in one area beat six fairly risky ones in another and a dozen middling
    ones in a third, and the area with the most closed deals (AREAS[0]) counts for nothing: what
    counts is the fakes expected per inspector-hour, sweeping each area to the same depth."""
    _scores({AREAS[5]: [90, 85, 80], AREAS[6]: [40] * 12, AREAS[2]: [60] * 6})
    ranked = areas_rank(month=date(2026, 12, 1), parameters=PARAMETERS)
    order = [code for code, _value, _count in ranked]
    assert order[:3] == [AREAS[5], AREAS[2], AREAS[6]]
    value, count = ranked[0][1], ranked[0][2]
    assert count == AREA_INSPECTIONS  # swept to the depth: its three risky homes and three more
    assert value > ranked[1][1] > ranked[2][1] > ranked[3][1]
    selection = campaign_select(month=date(2026, 12, 1), seed=7, parameters=PARAMETERS)
    # 18 inspections by risk at a depth of 6 would take three areas; at most two, plus one at random.
    assert selection.areas[:2] == [AREAS[5], AREAS[2]] and len(selection.areas) == 3


def test_selection_respects_capacity_broker_cap_and_sample(city):
    selection = campaign_select(month=date(2026, 12, 1), seed=7, parameters=PARAMETERS)
    assert selection.random_area not in selection.areas[:2] and len(selection.areas) == 3
    assert len(selection.listing_ids) <= 20
    assert len(selection.sample) >= 2  # its share, and what the risk part could not fill
    partner_of = dict(Listing.objects.values_list("id", "partner_id"))
    per_broker = Counter(partner_of[pk] for pk in selection.listing_ids)
    assert max(per_broker.values()) <= 5  # 25 % of 20
    assert len(set(selection.listing_ids)) == len(selection.listing_ids)


def test_open_campaign_stores_seed_and_reselects_the_same(city, inspector):
    campaign = campaign_open(month=date(2026, 12, 1), seed=99, capacity=20)
    assert campaign.seed == 99 and campaign.broker_cap == max(
        1, 20 * campaign.parameters["broker_cap_percent"] // 100
    )
    stored = set(campaign.inspections.values_list("listing_id", flat=True))
    assert stored and len(stored) <= 20
    assert set(campaign_reselect(campaign=campaign).listing_ids) == stored
    assert set(campaign.inspections.values_list("inspector", flat=True)) == {inspector.pk}
    assert campaign_open(month=date(2026, 12, 15)).pk == campaign.pk  # once a month


def test_recently_swept_areas_are_skipped(city):
    first = campaign_open(month=date(2026, 12, 1), seed=1, capacity=20)
    following = campaign_select(month=date(2027, 1, 1), seed=1, parameters=PARAMETERS)
    assert not set(following.areas) & set(first.selected_areas)
    assert not set(following.listing_ids) & set(first.inspections.values_list("listing_id", flat=True))


def test_risk_ranked_part_takes_the_highest_scores(city):
    _scores({AREAS[5]: [90, 85, 80], AREAS[2]: [60, 59, 58, 57, 56, 55]})
    selection = campaign_select(month=date(2026, 12, 1), seed=3, parameters=PARAMETERS)
    scores = dict(Listing.objects.values_list("id", "risk__score"))
    area_of = dict(Listing.objects.values_list("id", "dong_code"))
    for area in selection.areas[:2]:
        in_area = [scores[pk] for pk, _partner in selection.risk if area_of[pk] == area]
        assert in_area == sorted(in_area, reverse=True)
        # A riskier listing left out belongs to a brokerage already at the cap (5 of 20).
        taken = Counter(partner for _pk, partner in selection.risk + selection.sample)
        for pk, partner in Listing.objects.filter(dong_code=area).values_list("pk", "partner"):
            if pk not in selection.listing_ids and scores[pk] > min(in_area):
                assert taken[partner] == 5
    assert Campaign.objects.count() == 0 and Inspection.objects.count() == 0  # selecting writes nothing
