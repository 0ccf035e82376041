from celery import shared_task

from . import services
from .business_status import BusinessStatusUnavailable


@shared_task(acks_late=True, autoretry_for=(BusinessStatusUnavailable,), retry_backoff=60,
             retry_backoff_max=6 * 3600, max_retries=8)
def business_status_check(partner_id: int) -> str:
    """Ask a partner's business standing again, with backoff while the provider cannot answer."""
    return services.partner_business_status_refresh(partner_id=partner_id)


@shared_task
def business_status_sweep() -> dict:
    """The monthly check of every partner with a business number (beat: partners-business-status-monthly)."""
    return services.partners_business_status_sweep()
