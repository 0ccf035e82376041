"""The risk model both scorers apply (risk.py in PostgreSQL, risk_portable.py in Python for SQLite).

Components, each between 0 and 1, and the prior weight of each (points of a 0-100 score). The weights
in use are the newest learned calibration (calibration.py, from inspections' outcomes) when there is
one, else these priors.

- price: the home's price per m² against comparable live listings, chosen from the finest group with
  at least MIN_GROUP homes (PRICE_LEVELS: 동, deal type, building type, size, floor and age bands first;
  the district and coarser groups after). Robust z by median and MAD; where it starts to count is
  learned per deal type and building type from the lower tail of their z (a class whose honest prices
  spread wide needs a deeper discount before it counts).
- photo: a photo within PHOTO_NEAR_BITS of an earlier photo (full hash, or a crop hash of it) of
  another brokerage, not of the same building and not the same owner's co-listing; a picture that
  many listings share (a 32-bit band pair held by more than PHOTO_COMMON photos) counts for nothing,
  and one matched by several brokerages counts less (2 / brokerages).
- let_live: how enquiries turned out in the last LET_LIVE_DAYS: callers told it is already let or
  offered another home, enquiries that never got a viewing, the broker's own "contracted" answer while
  the listing stays live, a registry change since publishing; viewings count against.
- reports, strikes, verification, young: as before (weighted open reports; active strike points;
  level held; a brokerage approved recently).
- broker: the brokerage's share of enquiries with let-but-live answers across its listings, against
  the market's, shrunk toward it for brokerages with few answers; tenure earns nothing.
- bumps: bumped far more often than the brokerage bumps its other live listings (a home already let is
  bumped to keep the calls coming; brokerages differ in habit, so each is its own yardstick).
- stale: days since the last evidence the home is there (publishing, a viewing), not since a bump.
- mandate: another brokerage listed the same unit (building and 동/호) earlier and still does, and
  nothing shows the owner gave this one the home (no owner link on the platform, no owner-confirmed
  verification held). An owner who gives a home to two brokerages links or confirms it; a brokerage
  copying a rival's listing cannot.
- address: the platform has never seen another listing, past or present, at this building, for a
  building type where that is rare (an apartment complex or officetel with no other listing and no
  closed deal is usually an address no building has). Counts nothing where a lone address is common
  (more than ALONE_COMMON of the type's listings), fully where it is rarer than ALONE_RARE; learned
  from the market's own listings each night.
"""

VERSION = "v3"
PRIOR_WEIGHTS = {
    "price": 18,
    "photo": 12,
    "let_live": 20,
    "reports": 12,
    "broker": 5,
    "bumps": 11,
    "strikes": 5,
    "verification": 5,
    "young": 2,
    "stale": 2,
    "mandate": 4,
    "address": 4,
}
COMPONENTS = tuple(PRIOR_WEIGHTS)

SIZE_BANDS = (20, 33, 60, 85, 135)  # m²: studio, small, medium, 85 (국민주택규모), large, very large
FLOOR_BANDS = (1, 2, 5, 15)  # (semi-)basement (≤0), ground, low, middle, high
AGE_BANDS = (5, 15, 30)  # years: new, recent, older, old; unknown is its own band
# Finest first: the first group with MIN_GROUP comparable homes is the one a listing is priced against.
PRICE_LEVELS = (
    ("dong_code", "deal_type", "building_type", "size_band", "floor_band", "age_band"),
    ("dong_code", "deal_type", "building_type", "floor_band"),
    ("sigungu_code", "deal_type", "building_type", "size_band", "floor_band", "age_band"),
    ("sigungu_code", "deal_type", "building_type", "floor_band"),
    ("sigungu_code", "deal_type", "building_type"),
    ("sigungu_code", "deal_type", "size_band"),
)
MIN_GROUP = 8  # fewer comparable listings than this: the next, coarser group
MAD_FLOOR = 0.02  # ln units: a group of identical prices still has some spread
PRICE_TAIL = 0.05  # the lower-tail share of z that sets each class's threshold
PRICE_THRESHOLD_BOUNDS = (1.5, 3.0)  # |z| where the price starts to count, at least and at most
# 월세 as a deposit: rent × 12 / the yearly conversion rate (전월세 전환율); see settings.
VERIFICATION_RISK = {0: 1.0, 1: 0.6, 2: 0.4, 3: 0.15, 4: 0.0}

PHOTO_COMMON = 50  # a band pair held by more photos than this is a generic picture (walls, bathrooms)
BAND_PAIRS = ((0, 1), (0, 2), (0, 3), (1, 2), (1, 3), (2, 3))

LET_LIVE_DAYS = 60
# Evidence points of each answer; 1 - exp(-points / LET_LIVE_SCALE) is the component.
LET_LIVE_POINTS = {
    "unavailable": 1.0,
    "other_offered": 0.8,
    "no_viewing": 0.4,
    "contracted": 2.0,  # the broker's own answer
    "registry": 2.0,
    "viewed": -1.0,
}
LET_LIVE_SCALE = 1.5
BROKER_PRIOR_ANSWERS = 20  # shrinks a brokerage's rate toward the market's
# Bumps a day against the brokerage's median over its live listings (the market's with fewer than
# BUMPS_MIN_LISTINGS): counts from BUMPS_FROM times its habit, fully at BUMPS_FROM + BUMPS_RAMP times,
# for a listing live BUMPS_AFTER_DAYS and bumped BUMPS_MIN times.
BUMPS_FROM, BUMPS_RAMP = 1.5, 2.5
BUMPS_AFTER_DAYS, BUMPS_MIN = 14, 5
BUMPS_MIN_LISTINGS = 5
BUMPS_RATE_FLOOR = 0.02  # bumps a day: a brokerage that hardly ever bumps is not a zero yardstick

# A lone address (no other listing ever at the building) among a building type's listings: counts
# nothing at ALONE_COMMON of them, fully at ALONE_RARE (on a log scale between).
ALONE_COMMON, ALONE_RARE = 0.05, 0.0025


def weights_in_use() -> tuple[dict, str]:
    """The weights the nightly score applies and the version it records (with the calibration)."""
    from ..models import RiskCalibration

    calibration = RiskCalibration.objects.order_by("-fitted_at", "-id").first()
    if calibration is None:
        return dict(PRIOR_WEIGHTS), VERSION
    # A component added after the calibration was fitted keeps its prior weight until the next fit.
    weights = {name: float(calibration.weights.get(name, PRIOR_WEIGHTS[name])) for name in COMPONENTS}
    return weights, f"{VERSION}-c{calibration.pk}"
