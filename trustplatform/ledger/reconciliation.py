"""The nightly proof that the ledger adds up; a difference is audited and sent to finance."""

from django.urls import reverse
from django.utils.translation import gettext_lazy

from trustplatform.audit.services import audit_record
from trustplatform.notifications.services import Phrase, staff_notify

from .models import LedgerAccount
from .selectors import ledger_reconcile


def ledger_reconcile_and_report() -> list:
    """Run the reconciliation; any difference is audited and sent to finance staff."""
    problems = ledger_reconcile()
    if problems:
        anchor = LedgerAccount.objects.order_by("pk").first()
        details = "\n".join(str(problem) for problem in problems)
        if anchor is not None:
            audit_record(
                obj=anchor,
                action="ledger_reconcile_failed",
                reason=details[:5000],
                extra={"problems": len(problems)},
            )
        staff_notify(
            group="finance",
            title=Phrase(
                gettext_lazy("Ledger reconciliation found %(count)s differences"),
                {"count": len(problems)},
            ),
            body=details[:5000],
            url=reverse("admin:ledger_ledgeraccount_changelist"),
        )
    return problems
