from celery import shared_task


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=8)
def sandbox_webhook_deliver(body: str, headers: dict) -> None:
    """The sandbox PSP calling our webhook over HTTP, as a real PSP would, a moment after the event;
    retried with backoff while the site cannot be reached."""
    from .providers import webhook_post

    webhook_post(body=body.encode(), headers=headers)


@shared_task(acks_late=True)
def provider_event_apply_task(event_pk: int) -> str:
    """Apply a provider event the webhook stored while its inline slots were all taken, once the burst it
    came in has passed (or it has waited long enough)."""
    from .services import provider_event_apply, provider_event_hold_back

    provider_event_hold_back(event_pk=event_pk)
    return provider_event_apply(event_pk=event_pk)


@shared_task(acks_late=True)
def provider_events_sweep() -> int:
    """Apply queued provider events whose task was lost (beat, every minute)."""
    from .services import provider_events_apply_waiting

    return provider_events_apply_waiting()


@shared_task(acks_late=True)
def refund_send_later(refund_id: int) -> str:
    """Ask the provider again for a refund it could not be reached for."""
    from .services import refund_send

    return refund_send(refund_id=refund_id)


@shared_task(acks_late=True)
def payout_send_later(payout_id: int) -> str:
    """Ask the provider again for a payout it could not be reached for."""
    from .payouts import payout_send

    return payout_send(payout_id=payout_id)


@shared_task(acks_late=True)
def unwanted_payment_return_later(**kwargs) -> str:
    """Ask the provider again to give back a payment that could not be kept."""
    from .services import unwanted_payment_return

    return unwanted_payment_return(**kwargs)


@shared_task(acks_late=True)
def payouts_sync() -> dict:
    """Ask the provider about every payout still on its way (beat, every ten minutes)."""
    from .payouts import payouts_sync as sync

    return sync()


@shared_task(acks_late=True)
def refunds_sync() -> dict:
    """Send the refunds whose sending was lost and ask about those never confirmed (beat, every ten
    minutes)."""
    from .services import refunds_sync as sync

    return sync()


@shared_task(acks_late=True)
def payments_reconcile_nightly() -> int:
    """Compare the provider's payments, cancellations and payouts with ours; finance hears of every
    difference. Returns how many were found."""
    from .reconciliation import payments_reconcile

    return len(payments_reconcile(notify=True))
