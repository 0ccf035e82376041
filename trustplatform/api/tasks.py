from celery import shared_task


@shared_task
def idempotent_requests_purge() -> None:
    from .idempotency import idempotent_requests_purge as purge

    purge()
