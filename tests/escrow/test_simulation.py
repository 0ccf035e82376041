import pytest

from .simulation import simulate

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("seed", range(12))
def test_money_invariants_hold_for_simulated_platform_runs(seed):
    log = simulate(seed=seed, steps=14)
    assert len(log) == 14
