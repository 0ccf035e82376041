from celery import shared_task

from . import services


@shared_task(autoretry_for=(ConnectionError, TimeoutError), retry_backoff=True, max_retries=5)
def message_deliver_task(message_id: int) -> None:
    services.message_deliver(message_id=message_id)


@shared_task
def messages_requeue_stale() -> None:
    for message_id in services.messages_requeue_stale_ids():
        message_deliver_task.delay(message_id)


@shared_task
def notifications_purge() -> None:
    services.notifications_purge()
