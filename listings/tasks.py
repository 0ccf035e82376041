from celery import shared_task

from .services import campaigns, reports, risk, standing, verification


@shared_task
def listings_rescore() -> int:
    return risk.listings_rescore()


@shared_task
def campaign_open_monthly() -> int:
    return campaigns.campaign_open().pk


@shared_task
def listings_sweep() -> None:
    """Hourly: unanswered reports go to staff, lapsed verification levels drop, old strikes expire."""
    reports.reports_review_due()
    verification.levels_expire_due()
    standing.strikes_expire_due()
