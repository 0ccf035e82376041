"""The ledger in the admin: accounts, transfers and holds, read-only, and the reconciliation button;
the guarantee fund's page, where finance tops the fund up from the operating account."""

from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Sum
from django.db.models.functions import Coalesce
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from trustplatform.admin_base import QueueFilter, ReadOnlyAdmin, ServiceTransitionAdmin, four_eyes_record
from trustplatform.admin_dashboards import ChartData, Series, chart_by_month, dashboard_chart, month_starts
from trustplatform.pages import refusal_shown
from trustplatform.ui import korean

from . import treasury
from .forms import CapitalForm, ReasonForm, SweepForm, TopUpRequestForm
from .models import FundTopUp, GuaranteeFundAlert, Hold, LedgerAccount, Transfer
from .reasons import reason_shown
from .reconciliation import ledger_reconcile_and_report
from .selectors import guarantee_fund_months, guarantee_fund_status


def account_name(account: LedgerAccount) -> str:
    """An account's name as staff read it (see LedgerAccount.display_name)."""
    return account.display_name


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
    list_display = ["code_shown", "display_name", "kind", "balance", "reserved_krw", "allow_negative"]
    list_filter = ["kind", "allow_negative", "queued_credits"]
    exclude = ["name"]  # shown in the reader's language (display_name)
    search_fields = ["code", "name"]
    change_list_template = "admin/ledger/ledgeraccount/change_list.html"
    actions = ["reconcile"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("partner").annotate(
            queued_krw=Coalesce(Sum("pending_credits__amount_krw"), 0)
        )

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        return ["display_name" if name == "name" else name for name in fields]

    @admin.display(description=_("code"), ordering="code")
    def code_shown(self, account):
        # A stable machine name ("platform-fee-revenue"), marked as code rather than words.
        return format_html('<code translate="no">{}</code>', account.code)

    @admin.display(description=_("name"), ordering="name")
    def display_name(self, account):
        return account_name(account)

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


class AccountColumns:
    """Debit and credit columns named in the reader's language."""

    @admin.display(description=_("debit account"), ordering="debit_account__code")
    def debit(self, obj):
        return account_name(obj.debit_account)

    @admin.display(description=_("credit account"), ordering="credit_account__code")
    def credit(self, obj):
        return account_name(obj.credit_account)

    @admin.display(description=_("amount"), ordering="amount_krw")
    def amount(self, obj):
        return korean.won(obj.amount_krw)

    @admin.display(description=_("reason"), ordering="reason")
    def reason_words(self, obj):
        return reason_shown(obj.reason)

    @admin.display(description=_("idempotency key"))
    def key_code(self, obj):
        # A machine key ("payment:663:booking"), shown as code for matching with logs, not as words.
        return format_html('<code translate="no">{}</code>', obj.idempotency_key)

    def get_readonly_fields(self, request, obj=None):
        shown = {"reason": "reason_words", "idempotency_key": "key_code"}
        return [shown.get(name, name) for name in super().get_readonly_fields(request, obj)]


@admin.register(Transfer)
class TransferAdmin(AccountColumns, ReadOnlyAdmin):
    list_display = ["id", "created_at", "debit", "credit", "amount", "reason_words"]
    exclude = ["reason", "idempotency_key"]
    list_select_related = ["debit_account__partner", "credit_account__partner"]
    search_fields = ["idempotency_key", "reason", "debit_account__code", "credit_account__code"]
    date_hierarchy = "created_at"


@admin.register(Hold)
class HoldAdmin(AccountColumns, ReadOnlyAdmin):
    list_display = ["id", "created_at", "debit", "credit", "amount", "status", "reason_words"]
    exclude = ["reason", "idempotency_key"]
    list_filter = ["status"]
    list_select_related = ["debit_account__partner", "credit_account__partner"]


def won(amount_krw: int) -> str:
    return korean.won(amount_krw)


def _may_approve(request, topup) -> bool:
    # Four eyes: the person who asked for the money never approves it.
    return request.user.has_perm("ledger.approve_fundtopup") and topup.requested_by_id != request.user.pk


def _may_reject(request, topup) -> bool:
    return request.user.has_perm("ledger.approve_fundtopup") or topup.requested_by_id == request.user.pk


def _may_execute(request, topup) -> bool:
    if not request.user.has_perm("ledger.request_fundtopup"):
        return False
    return topup.status == FundTopUp.Status.APPROVED or not treasury.fund_topup_needs_approval(topup)


def _approve(*, instance, actor, **kwargs):
    return treasury.fund_topup_approve(topup=instance, actor=actor)


def _reject(*, instance, actor, reason: str):
    return treasury.fund_topup_reject(topup=instance, actor=actor, reason=reason)


def _execute(*, instance, actor, **kwargs):
    return treasury.fund_topup_execute(topup=instance, actor=actor)


class TopUpQueue(QueueFilter):
    title = _("queue")
    default = "open"
    queues = {
        "open": (
            _("Requested or approved"),
            {"status__in": [FundTopUp.Status.REQUESTED, FundTopUp.Status.APPROVED]},
        ),
        "all": (_("All top-ups"), None),
    }


@admin.register(FundTopUp)
class FundTopUpAdmin(ServiceTransitionAdmin):
    """The guarantee fund's page: its state above, the top-ups below, each moved by a button."""

    list_display = [
        "__str__", "status", "amount", "second_approval", "requested_by", "requested_at", "executed_at"
    ]
    list_filter = [TopUpQueue, "status"]
    list_select_related = ["requested_by", "approved_by"]
    search_fields = ["=id", "reason"]
    fields = [
        "amount",
        "reason",
        "status",
        "four_eyes",
        "second_approval",
        "requested_by",
        "requested_at",
        "approved_by",
        "approved_at",
        "executed_by",
        "executed_at",
        "transfer",
        "rejected_by",
        "rejected_at",
        "rejection_reason",
    ]
    extra_readonly_fields = ("amount", "second_approval", "four_eyes")
    change_list_template = "admin/ledger/fundtopup/change_list.html"
    action_permissions = ("ledger.request_fundtopup", "ledger.approve_fundtopup")
    transition_services = {"approve": _approve, "reject": _reject, "execute": _execute}
    transition_permissions = {"approve": _may_approve, "reject": _may_reject, "execute": _may_execute}
    transition_labels = {
        "approve": _("Approve (second finance person)"),
        "reject": _("Reject…"),
        "execute": _("Execute (moves the money)"),
    }
    fsm_forms = {"reject": ReasonForm}

    @admin.display(description=_("amount"), ordering="amount_krw")
    def amount(self, obj) -> str:
        return won(obj.amount_krw)

    @admin.display(description=_("second approval"))
    def second_approval(self, obj) -> str:
        if obj.approved_by_id:
            return format_html("✓ {}", obj.approved_by)
        if not treasury.fund_topup_needs_approval(obj):
            return _("not needed")
        return _("needed") if obj.status == FundTopUp.Status.REQUESTED else "—"

    @admin.display(description=_("four-eyes record"))
    def four_eyes(self, obj) -> str:
        return four_eyes_record(
            [
                (_("Requested"), obj.requested_by, obj.requested_at),
                (_("Second approval"), obj.approved_by, obj.approved_at)
                if obj.approved_by_id or treasury.fund_topup_needs_approval(obj)
                else (_("Second approval"), _("not needed"), None),
                (_("Executed"), obj.executed_by, obj.executed_at),
                *([(_("Rejected"), obj.rejected_by, obj.rejected_at)] if obj.rejected_by_id else []),
            ]
        )

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("request/", view(self.request_view), name="ledger_fundtopup_request"),
            path("capital/", view(self.capital_view), name="ledger_capital_record"),
            path("sweep/", view(self.sweep_view), name="ledger_fees_sweep"),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        status = guarantee_fund_status()
        fund = {
            "balance": won(status.balance_krw),
            "month_use": won(status.month_use_krw),
            "budget": won(status.budget_krw),
            "budget_left": won(status.budget_left_krw),
            "over_budget": status.over_budget,
            "floor": won(status.floor_krw),
            "below_floor": status.below_floor,
            "operating": won(status.operating_krw),
            "month_start": status.month_start,
            "four_eyes": won(settings.GUARANTEE_FUND_FOUR_EYES_KRW),
            "can_request": request.user.has_perm("ledger.request_fundtopup"),
            "can_fund_operating": request.user.has_perm("ledger.fund_operating_account"),
        }
        return super().changelist_view(request, {**(extra_context or {}), "fund": fund})

    def _form_page(self, request, *, permission: str, form_class, title, intro, submit, call, done):
        """A finance form before a treasury service: shown, checked, then the service or its refusal."""
        if not request.user.has_perm(permission):
            raise PermissionDenied
        form = form_class(request.POST or None)
        if request.method == "POST" and form.is_valid():
            with refusal_shown(form=form):
                result = call(form.cleaned_data)
                self.message_user(request, done(result), level=messages.SUCCESS)
                return HttpResponseRedirect(reverse("admin:ledger_fundtopup_changelist"))
        return self.render_form_page(request, title=title, form=form, intro=intro, submit=submit)

    def request_view(self, request):
        threshold = won(settings.GUARANTEE_FUND_FOUR_EYES_KRW)
        return self._form_page(
            request,
            permission="ledger.request_fundtopup",
            form_class=TopUpRequestForm,
            title=_("Request a guarantee fund top-up"),
            intro=_(
                "The amount moves from the operating account (%(operating)s now) into the guarantee fund "
                "when the top-up is executed. Above %(threshold)s a second finance person approves it first."
            )
            % {"operating": won(guarantee_fund_status().operating_krw), "threshold": threshold},
            submit=_("Request"),
            call=lambda data: treasury.fund_topup_request(
                actor=request.user, amount_krw=data["amount_krw"], reason=data["reason"]
            ),
            done=lambda topup: _("%(topup)s requested.") % {"topup": topup},
        )

    def capital_view(self, request):
        return self._form_page(
            request,
            permission="ledger.fund_operating_account",
            form_class=CapitalForm,
            title=_("Record capital paid in"),
            intro=_(
                "Money the company paid into the platform's bank account, credited to the operating account."
            ),
            submit=_("Record"),
            call=lambda data: treasury.capital_record(
                actor=request.user,
                amount_krw=data["amount_krw"],
                reference=data["reference"],
                reason=data["reason"],
            ),
            done=lambda transfer: _("%(amount)s recorded in the operating account.")
            % {"amount": won(transfer.amount_krw)},
        )

    def sweep_view(self, request):
        return self._form_page(
            request,
            permission="ledger.fund_operating_account",
            form_class=SweepForm,
            title=_("Sweep fee revenue into the operating account"),
            intro=_("Fee revenue earned by the platform moves into its operating account."),
            submit=_("Sweep"),
            call=lambda data: treasury.fees_sweep(
                actor=request.user, key=data["key"], reason=data["reason"], amount_krw=data["amount_krw"]
            ),
            done=lambda transfer: _("%(amount)s swept into the operating account.")
            % {"amount": won(transfer.amount_krw)},
        )


@admin.register(GuaranteeFundAlert)
class GuaranteeFundAlertAdmin(ReadOnlyAdmin):
    list_display = ["day", "balance_krw", "floor_krw", "created_at"]


@dashboard_chart(
    key="guarantee-fund",
    title=_("Guarantee fund balance and monthly burn"),
    permissions=("ledger.view_fundtopup", "ledger.view_ledgeraccount"),
    group=_("Money"),
    order=20,
)
def _fund_chart() -> ChartData:
    starts = month_starts(months=12)
    rows = guarantee_fund_months(starts=starts)
    balances = [balance for balance, _burn in rows]
    burns = [burn for _balance, burn in rows]
    status = guarantee_fund_status()
    summary = _(
        "The guarantee fund holds %(balance)s; it paid out %(burn)s this month and %(year)s in the last "
        "12 months (floor %(floor)s)."
    ) % {
        "balance": korean.won(status.balance_krw),
        "burn": korean.won(burns[-1]),
        "year": korean.won(sum(burns)),
        "floor": korean.won(status.floor_krw),
    }
    return chart_by_month(
        starts=starts,
        series=[
            Series(label=_("paid out that month"), values=burns, unit="won"),
            Series(label=_("balance at the month's end"), values=balances, kind="line", unit="won"),
        ],
        summary=summary,
    )
