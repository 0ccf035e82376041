from celery import shared_task


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=8)
def sandbox_webhook_deliver(body: str, headers: dict) -> None:
    """The sandbox PSP calling our webhook over HTTP, as a real PSP would, a moment after the event;
    retried with backoff while the site cannot be reached."""
    from .providers import webhook_post

    webhook_post(body=body.encode(), headers=headers)


@shared_task(acks_late=True)
def refund_send_later(refund_id: int) -> str:
    """Ask the provider again for a refund it could not be reached for."""
    from .services import refund_send

    return refund_send(refund_id=refund_id)
