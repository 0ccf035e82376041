"""The nightly rescore and the monthly campaign through a real Celery worker; running them twice changes
nothing the second time."""

import pytest

from listings.models import Campaign, RiskScore
from listings.tasks import campaign_open_monthly, listings_rescore
from tests.worker import wait_until

pytest_plugins = ["tests.worker"]

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_rescore_and_campaign_run_on_the_worker_once(
    celery_worker_process, brokerage, make_listing, inspector
):
    [make_listing(brokerage, deposit_krw=10_000_000 + n * 100_000) for n in range(3)]
    listings_rescore.delay()
    wait_until(
        lambda: RiskScore.objects.count() == 3, timeout=60, what="risk scores", worker=celery_worker_process
    )
    campaign_open_monthly.delay()
    campaign_open_monthly.delay()
    wait_until(lambda: Campaign.objects.exists(), timeout=60, what="a campaign", worker=celery_worker_process)
    assert Campaign.objects.count() == 1
    assert Campaign.objects.get().inspections.count() == 3
