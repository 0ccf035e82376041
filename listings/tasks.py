from celery import shared_task

from .services import badges, calibration, campaigns, contact, reports, risk, standing, verification


# Set-based over every live listing: about a minute per million here, so it gets its own time limit.
@shared_task(soft_time_limit=1800, time_limit=1900)
def listings_rescore() -> int:
    """Nightly: learn the weights again when inspections were recorded since the last fit, then score."""
    calibration.risk_calibrate()
    return risk.listings_rescore()


@shared_task(soft_time_limit=600, time_limit=660)
def campaign_open_monthly() -> int:
    return campaigns.campaign_open().pk


@shared_task
def listings_sweep() -> None:
    """Hourly: unanswered reports go to staff, lapsed verification levels drop, old strikes expire, and
    consumers are asked once how their enquiries went."""
    reports.reports_review_due()
    contact.contact_outcomes_ask()
    verification.levels_expire_due()
    standing.strikes_expire_due()


# One grouped read of every brokerage's numbers, then one short transaction per badge that changes.
@shared_task(soft_time_limit=1200, time_limit=1300)
def badges_evaluate() -> dict:
    """Nightly: the 안심중개사 badge rule, granting and revoking where the badge disagrees with it."""
    run = badges.badges_evaluate()
    return {"granted": run.granted, "revoked": run.revoked}
