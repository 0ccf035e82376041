"""The money simulation on PortOne with its faults (see payments_simulation.py); the benchmark runs a
thousand seeds (`payments.simulation_seeds`)."""

import pytest

from .payments_simulation import simulate_with_provider

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("seed", range(8))
def test_the_ledger_agrees_with_portone_through_its_faults(seed, portone):
    simulation = simulate_with_provider(seed=seed, fake=portone, steps=14)
    assert len(simulation.log) == 14
    assert simulation.stats["card payments"] + simulation.stats["virtual-account payments"] > 0


def test_the_simulation_meets_each_fault_it_claims(portone):
    """Over a few seeds every kind of fault the simulation claims to inject happens at least once."""
    seen = set()
    for seed in range(100, 112):
        seen |= {
            what for what, count in simulate_with_provider(seed=seed, fake=portone).stats.items() if count
        }
    for what in (
        "virtual-account payments",
        "payments not kept (paid twice), given back",
        "refunds refused, kept as the payer's credit",
        "payouts bounced",
        "work lost after its commit",
        "webhooks refused while PortOne could not be asked",
        "webhooks that changed nothing (repeats, late, out of order)",
        "fault armed: lost on POST /payments/",
        "fault armed: lost on POST /platform/transfers/manual",
    ):
        assert what in seen, what
