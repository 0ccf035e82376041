"""Celery tasks: ids in, an idempotent service call; periodic sweeps from CELERY_BEAT_SCHEDULE."""

from celery import shared_task

from . import services


@shared_task
def sessions_expire() -> None:
    services.sessions_expire_due()


@shared_task
def sessions_scrub() -> None:
    services.sessions_scrub_due()


@shared_task
def session_scrub(session_id: int) -> None:
    services.session_scrub(session_id=session_id)


@shared_task
def blocks_expire() -> None:
    services.blocks_expire_due()


@shared_task
def unrouted_hints_drop() -> None:
    services.unrouted_hints_drop()


@shared_task
def pool_check() -> None:
    services.pool_check()


@shared_task(autoretry_for=(ConnectionError, TimeoutError), retry_backoff=True, max_retries=5)
def status_text_deliver(interaction_id: int) -> None:
    services.status_text_deliver(interaction_id=interaction_id)


@shared_task(autoretry_for=(ConnectionError, TimeoutError), retry_backoff=True, max_retries=5)
def click_to_call_place(interaction_id: int) -> None:
    services.click_to_call_place(interaction_id=interaction_id)
