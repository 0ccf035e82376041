from celery import shared_task

from . import reconciliation


@shared_task
def ledger_reconcile_nightly() -> None:
    reconciliation.ledger_reconcile_and_report()
