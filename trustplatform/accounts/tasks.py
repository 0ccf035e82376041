from celery import shared_task

from . import services


@shared_task
def phone_codes_purge() -> None:
    services.phone_codes_purge()
