"""Learning the risk weights from inspections' outcomes, and using them."""

import random
from datetime import date

import pytest
from django.utils import timezone

from listings.models import Campaign, Inspection, RiskCalibration, RiskScore
from listings.services.calibration import (
    MIN_SAMPLES,
    fake_chance,
    fake_odds,
    logistic_fit,
    prior_odds,
    risk_calibrate,
)
from listings.services.risk import listings_rescore
from listings.services.risk_model import COMPONENTS, PRIOR_WEIGHTS, VERSION
from trustplatform.audit.models import AuditEntry

pytestmark = pytest.mark.django_db


def test_the_fit_recovers_which_signal_predicts_the_outcome():
    """On data where only the first feature decides, its coefficient comes out large and the other's
    near zero, whatever the prior said."""
    rng = random.Random(5)
    xs, ys = [], []
    for _ in range(400):
        signal, noise = rng.random(), rng.random()
        xs.append([signal, noise])
        ys.append(1 if rng.random() < (0.9 if signal > 0.7 else 0.05) else 0)
    intercept, signal, noise = logistic_fit(xs, ys, [0.0, 1.0, 1.0], strength=1.0)
    assert signal > 3 and abs(noise) < 1 and intercept < -2


@pytest.fixture
def inspected(district, make_listing, brokerage):
    """Inspections done in an earlier campaign: fakes had a high let-live component, genuine homes not."""
    campaign = Campaign.objects.create(month=date(2026, 11, 1), seed=1, capacity=60, broker_cap=60)
    listings = district + [make_listing(brokerage, deposit_krw=11_000_000 + n) for n in range(MIN_SAMPLES)]
    rng = random.Random(11)
    for index, listing in enumerate(listings):
        fake = index % 4 == 0
        components = {name: {"value": round(rng.random() * 0.3, 3)} for name in COMPONENTS}
        components["let_live"]["value"] = round(0.7 + rng.random() * 0.3, 3) if fake else 0.05
        Inspection.objects.create(
            listing=listing, campaign=campaign, reason=Inspection.Reason.SAMPLE, status="done",
            outcome="fake" if fake else "genuine", fake_category="gone" if fake else "",
            components=components, recorded_at=timezone.now(),
        )
    return listings


@pytest.fixture
def district(brokerage, make_listing):
    return [make_listing(brokerage, deposit_krw=10_000_000 + 500_000 * n) for n in range(10)]


def test_weights_are_learned_from_done_inspections_and_used_by_the_score(inspected, agent):
    calibration = risk_calibrate(actor=agent)
    assert calibration.samples == len(inspected) and calibration.fakes == len(inspected[::4])
    assert sum(calibration.weights.values()) == pytest.approx(100, abs=0.01)
    # The component that told fakes apart gains weight over its prior; the rest lose it.
    assert calibration.weights["let_live"] > PRIOR_WEIGHTS["let_live"]
    assert calibration.slope > 0
    assert AuditEntry.objects.filter(action="risk_calibrated").exists()
    listings_rescore()
    score = RiskScore.objects.get(listing=inspected[0])
    assert score.version == f"{VERSION}-c{calibration.pk}"
    expected = sum(calibration.weights[name] * score.components[name]["value"] for name in COMPONENTS)
    assert score.score == pytest.approx(expected, abs=0.2)
    # The campaign reads its chances from the calibration now.
    assert fake_odds() == (calibration.intercept, calibration.slope)
    assert fake_chance(90, fake_odds()) > fake_chance(10, fake_odds())


def test_nothing_is_learned_from_too_few_or_nothing_new(inspected):
    first = risk_calibrate()
    assert first is not None
    assert risk_calibrate() is None  # no inspection recorded since
    assert RiskCalibration.objects.count() == 1


def test_too_few_inspections_keep_the_prior(district):
    campaign = Campaign.objects.create(month=date(2026, 11, 1), seed=1, capacity=10, broker_cap=10)
    for listing in district[:5]:
        Inspection.objects.create(listing=listing, campaign=campaign, reason="risk", status="done",
                                  outcome="fake", fake_category="gone",
                                  components={"price": {"value": 1}}, recorded_at=timezone.now())
    assert risk_calibrate() is None
    assert fake_odds() == prior_odds()
    listings_rescore()
    assert RiskScore.objects.get(listing=district[0]).version == VERSION


def test_a_campaign_keeps_each_inspections_components(district, make_listing, brokerage):
    from listings.services.campaigns import campaign_open

    listings_rescore()
    campaign = campaign_open(month=date(2026, 12, 1), seed=3, capacity=5)
    inspection = campaign.inspections.first()
    assert inspection.components == RiskScore.objects.get(listing=inspection.listing).components
    assert set(inspection.components) == set(COMPONENTS)
