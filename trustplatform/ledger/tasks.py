from celery import shared_task

from . import reconciliation


@shared_task
def ledger_reconcile_nightly() -> None:
    reconciliation.ledger_reconcile_and_report()


@shared_task
def ledger_credits_fold() -> None:
    """Fold queued credits into the stored balances (fee revenue), so they never lag long."""
    from .models import LedgerAccount
    from .services import credits_fold

    busy = LedgerAccount.objects.filter(queued_credits=True, pending_credits__isnull=False).distinct()
    for account in busy:
        credits_fold(account=account)


@shared_task
def guarantee_fund_check_daily() -> None:
    """Tell finance when the guarantee fund is below its floor (at most once a day)."""
    from .treasury import guarantee_fund_check

    guarantee_fund_check()
