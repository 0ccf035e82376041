"""Agreements: read-only, with what is held and why, and the one staff action, a refund."""

from django.contrib import admin
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from escrow import selectors
from escrow.models import Condition, Dispute, EscrowAgreement, Milestone
from escrow.services import release
from trustplatform.admin_base import ReadOnlyInline, ServiceTransitionAdmin, stored_words_register
from trustplatform.ledger.reasons import reason_shown
from trustplatform.payments.admin import PaymentInline

from .forms import ReasonForm

stored_words_register(EscrowAgreement, "terms", {"notes": _("Notes")})


def _refund(*, instance, actor, reason: str):
    return release.agreement_refund(agreement=instance, actor=actor, reason=reason)


class ConditionInline(ReadOnlyInline):
    model = Condition
    fields = ["label", "kind", "confirmer", "due_date", "status", "decided_at", "note"]
    show_change_link = True


class MilestoneInline(ReadOnlyInline):
    model = Milestone
    fields = ["sequence", "kind", "amount_krw", "status", "approve_by", "release_after", "released_at"]


class DisputeInline(ReadOnlyInline):
    model = Dispute
    fields = ["opened_at", "status", "outcome", "payee_amount_krw", "payer_amount_krw", "decided_at"]
    show_change_link = True


def held_amounts_html(agreement) -> str:
    held = selectors.agreement_held_amounts(agreement=agreement)
    if not held:
        return "—"
    rows = (
        (
            f"₩{item.amount_krw:,}",
            item.label,
            ", ".join(str(w) for w in item.waits_for) or "—",
            item.next_step,
        )
        for item in held
    )
    return format_html("<ul>{}</ul>", format_html_join("", "<li><b>{}</b> {} — {} → {}</li>", rows))


@admin.register(EscrowAgreement)
class EscrowAgreementAdmin(ServiceTransitionAdmin):
    list_display = ["id", "title", "template", "payer", "payee", "amount_krw", "status", "created_at"]
    list_filter = ["status", "template"]
    search_fields = ["=id", "title", "payer__email", "payer_email", "payee__name", "broker__name",
                     "property_address"]
    list_select_related = ["payer", "payee"]
    date_hierarchy = "created_at"
    extra_readonly_fields = ("held_now", "money_history")
    fields = [
        "title",
        "template",
        "status",
        "amount_krw",
        "payer",
        "payer_email",
        "payee",
        "broker",
        "property_address",
        "held_now",
        "money_history",
        "terms",
        "terms_hash",
        "payer_accepted_hash",
        "payee_accepted_hash",
        "created_by",
        "created_at",
        "proposed_at",
        "fund_by",
        "agreed_at",
        "funded_at",
        "closed_at",
    ]
    inlines = [ConditionInline, MilestoneInline, PaymentInline, DisputeInline]
    transition_services = {"refund": _refund}
    transition_labels = {"refund": _("Refund to the payer")}
    fsm_forms = {"refund": ReasonForm}

    @admin.display(description=_("held now, and why"))
    def held_now(self, obj) -> str:
        return held_amounts_html(obj)

    @admin.display(description=_("money moved"))
    def money_history(self, obj) -> str:
        transfers = selectors.agreement_money_history(agreement=obj)
        if not transfers:
            return "—"
        rows = (
            (
                f"{t.created_at:%Y-%m-%d %H:%M}",
                f"₩{t.amount_krw:,}",
                t.debit_account.display_name,
                t.credit_account.display_name,
                reason_shown(t.reason),
            )
            for t in transfers
        )
        return format_html("<ul>{}</ul>", format_html_join("", "<li>{} <b>{}</b> {} → {} ({})</li>", rows))
