"""The ledger in the admin: accounts, transfers and holds, read-only, and the reconciliation button."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Sum
from django.db.models.functions import Coalesce
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from trustplatform.admin_base import ReadOnlyAdmin

from .models import Hold, LedgerAccount, Transfer
from .reconciliation import ledger_reconcile_and_report


def reconcile_and_tell(request, admin_view) -> None:
    """Run the reconciliation and say the result; differences also go to finance and the audit trail."""
    problems = ledger_reconcile_and_report()
    if not problems:
        admin_view.message_user(
            request,
            _(
                "Reconciliation OK: %(count)s accounts; every balance equals its transfers and all balances "
                "sum to zero."
            )
            % {"count": LedgerAccount.objects.count()},
            level=messages.SUCCESS,
        )
        return
    listed = "; ".join(str(problem) for problem in problems[:10])
    admin_view.message_user(
        request,
        ngettext(
            "Reconciliation found %(count)s difference: %(list)s",
            "Reconciliation found %(count)s differences: %(list)s",
            len(problems),
        )
        % {"count": len(problems), "list": listed},
        level=messages.ERROR,
    )


@admin.register(LedgerAccount)
class LedgerAccountAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "kind", "balance", "reserved_krw", "allow_negative"]
    list_filter = ["kind", "allow_negative", "queued_credits"]
    search_fields = ["code", "name"]
    change_list_template = "admin/ledger/ledgeraccount/change_list.html"
    actions = ["reconcile"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(
            queued_krw=Coalesce(Sum("pending_credits__amount_krw"), 0)
        )

    @admin.display(description=_("balance (KRW)"), ordering="balance_krw")
    def balance(self, account):
        # Fee revenue's credits are queued and folded each minute: show what the account really holds.
        if account.queued_krw:
            return _("%(balance)s (%(queued)s queued)") % {
                "balance": f"{account.balance_krw + account.queued_krw:,}",
                "queued": f"{account.queued_krw:,}",
            }
        return f"{account.balance_krw:,}"

    def get_urls(self):
        return [
            path(
                "reconcile/", self.admin_site.admin_view(self.reconcile_view), name="ledger_reconcile"
            ),
            *super().get_urls(),
        ]

    def reconcile_view(self, request):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not self.has_view_permission(request):
            raise PermissionDenied
        reconcile_and_tell(request, self)
        return HttpResponseRedirect(reverse("admin:ledger_ledgeraccount_changelist"))

    @admin.action(description=_("Run the ledger reconciliation (checks every account)"), permissions=["view"])
    def reconcile(self, request, queryset):
        reconcile_and_tell(request, self)


@admin.register(Transfer)
class TransferAdmin(ReadOnlyAdmin):
    list_display = ["id", "created_at", "debit_account", "credit_account", "amount_krw", "reason"]
    list_select_related = ["debit_account", "credit_account"]
    search_fields = ["idempotency_key", "reason", "debit_account__code", "credit_account__code"]
    date_hierarchy = "created_at"


@admin.register(Hold)
class HoldAdmin(ReadOnlyAdmin):
    list_display = ["id", "created_at", "debit_account", "credit_account", "amount_krw", "status", "reason"]
    list_filter = ["status"]
    list_select_related = ["debit_account", "credit_account"]
