"""Learning the risk weights from what inspectors found.

Every campaign inspection keeps the risk components its listing had when it was queued. Once enough
are done (fake or genuine; "could not access" teaches nothing), a logistic regression of the outcome on
the components is fitted, pulled toward the prior weights so a few dozen inspections cannot swing the
model far. The random slice of each campaign matters most: it is the only place low-scored listings are
inspected, so it tells the model what it misses. The learned weights replace the prior ones in the
nightly score (rescaled to 100 points), and a second, one-variable fit turns a score into the chance a
listing is fake, which the campaign uses to choose its areas.
"""

import math

from django.db import transaction

from trustplatform.audit.services import audit_record

from ..models import Inspection, RiskCalibration
from .risk_model import COMPONENTS, PRIOR_WEIGHTS

MIN_SAMPLES = 30
MIN_FAKES = 5
PRIOR_STRENGTH = 20.0  # the L2 pull toward the prior coefficients
PRIOR_LOGIT_PER_POINT = 0.08  # the prior's log-odds per score point
PRIOR_INTERCEPT = -5.5  # the prior's log-odds at a score of zero


def prior_odds() -> tuple[float, float]:
    """(intercept, slope) of the chance of a fake from the score before anything is learned."""
    return PRIOR_INTERCEPT, PRIOR_LOGIT_PER_POINT


def _sigmoid(value: float) -> float:
    if value >= 0:
        return 1 / (1 + math.exp(-value))
    exp = math.exp(value)
    return exp / (1 + exp)


def _solve(matrix: list[list[float]], vector: list[float]) -> list[float]:
    """Gaussian elimination with partial pivoting (the systems here are 2×2 to 11×11)."""
    size = len(vector)
    rows = [row[:] + [vector[i]] for i, row in enumerate(matrix)]
    for col in range(size):
        pivot = max(range(col, size), key=lambda r: abs(rows[r][col]))
        rows[col], rows[pivot] = rows[pivot], rows[col]
        if abs(rows[col][col]) < 1e-12:
            raise ValueError("singular system")
        for r in range(col + 1, size):
            factor = rows[r][col] / rows[col][col]
            for c in range(col, size + 1):
                rows[r][c] -= factor * rows[col][c]
    solution = [0.0] * size
    for r in range(size - 1, -1, -1):
        solution[r] = (rows[r][size] - sum(rows[r][c] * solution[c] for c in range(r + 1, size))) / rows[r][r]
    return solution


def _objective(beta, xs, ys, prior, strength) -> float:
    """The penalised log-likelihood the fit maximises."""
    total = -strength / 2 * sum((b - p) ** 2 for b, p in zip(beta, prior, strict=True))
    for x, y in zip(xs, ys, strict=True):
        z = beta[0] + sum(b * v for b, v in zip(beta[1:], x, strict=True))
        # log(sigmoid(z)) and log(1 - sigmoid(z)), stable for large |z|
        total += -math.log1p(math.exp(-z)) if z > 0 else z - math.log1p(math.exp(z))
        if not y:
            total -= z
    return total


def logistic_fit(xs: list[list[float]], ys: list[int], prior: list[float], strength: float) -> list[float]:
    """Coefficients (intercept first) maximising the log-likelihood less strength/2·|β − prior|², by
    Newton's method with step halving (separable data would otherwise overshoot)."""
    beta = prior[:]
    size = len(prior)
    current = _objective(beta, xs, ys, prior, strength)
    for _ in range(100):
        gradient = [-strength * (beta[k] - prior[k]) for k in range(size)]
        hessian = [[strength if i == j else 0.0 for j in range(size)] for i in range(size)]
        for x, y in zip(xs, ys, strict=True):
            row = [1.0, *x]
            p = _sigmoid(sum(b * v for b, v in zip(beta, row, strict=True)))
            for i in range(size):
                gradient[i] += (y - p) * row[i]
                weight = p * (1 - p) * row[i]
                for j in range(size):
                    hessian[i][j] += weight * row[j]
        step = _solve(hessian, gradient)
        scale = 1.0
        while scale > 1e-6:
            trial = [b + scale * s for b, s in zip(beta, step, strict=True)]
            value = _objective(trial, xs, ys, prior, strength)
            if value >= current:
                break
            scale /= 2
        else:
            break
        beta, improved, current = trial, value - current, value
        if improved < 1e-9:
            break
    return beta


def _examples() -> tuple[list[list[float]], list[int]]:
    xs, ys = [], []
    done = Inspection.objects.filter(
        status=Inspection.Status.DONE, outcome__in=[Inspection.Outcome.FAKE, Inspection.Outcome.GENUINE]
    ).exclude(components={})
    for components, outcome in done.values_list("components", "outcome").iterator():
        xs.append([float((components.get(name) or {}).get("value") or 0) for name in COMPONENTS])
        ys.append(1 if outcome == Inspection.Outcome.FAKE else 0)
    return xs, ys


def risk_calibrate(*, actor=None) -> RiskCalibration | None:
    """Fit the weights and the score-to-chance curve from every done inspection; None (nothing stored)
    when no inspection was recorded since the last fit, or while there are fewer than MIN_SAMPLES
    inspections or MIN_FAKES fakes among them."""
    latest = RiskCalibration.objects.order_by("-fitted_at", "-id").first()
    if latest is not None and not Inspection.objects.filter(recorded_at__gt=latest.fitted_at).exists():
        return None  # nothing new since the last fit
    xs, ys = _examples()
    if len(ys) < MIN_SAMPLES or sum(ys) < MIN_FAKES or sum(ys) == len(ys):
        return None
    prior = [PRIOR_INTERCEPT] + [PRIOR_WEIGHTS[name] * PRIOR_LOGIT_PER_POINT for name in COMPONENTS]
    beta = logistic_fit(xs, ys, prior, PRIOR_STRENGTH)
    positive = {name: max(value, 0.0) for name, value in zip(COMPONENTS, beta[1:], strict=True)}
    total = sum(positive.values())
    if total <= 0:
        return None
    weights = {name: round(100 * value / total, 3) for name, value in positive.items()}
    scores = [[sum(weights[name] * x[k] for k, name in enumerate(COMPONENTS))] for x in xs]
    intercept, slope = logistic_fit(scores, ys, list(prior_odds()), 1.0)
    with transaction.atomic():
        calibration = RiskCalibration.objects.create(
            weights=weights, intercept=intercept, slope=slope, samples=len(ys), fakes=sum(ys)
        )
        audit_record(
            obj=calibration,
            action="risk_calibrated",
            actor=actor,
            extra={"samples": len(ys), "fakes": sum(ys), "weights": weights},
        )
    return calibration


def fake_odds() -> tuple[float, float]:
    """(intercept, slope) in use: the newest calibration's, else the prior's."""
    calibration = RiskCalibration.objects.order_by("-fitted_at", "-id").first()
    if calibration is None:
        return prior_odds()
    return calibration.intercept, calibration.slope


def fake_chance(score: float, odds: tuple[float, float]) -> float:
    intercept, slope = odds
    return _sigmoid(intercept + slope * score)
