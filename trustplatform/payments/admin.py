"""Payments, refunds, payouts and provider events: read-only; money moves only through services."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from trustplatform.admin_base import ReadOnlyAdmin, ReadOnlyGenericInline
from trustplatform.pii import mask_account

from .banks import bank_name
from .models import Payment, Payout, PayoutAccount, ProviderEvent, Refund


class PaymentInline(ReadOnlyGenericInline):
    """A subject's payments, on its own admin page (an agreement, a booking)."""

    model = Payment
    ct_field, ct_fk_field = "subject_type", "subject_id"
    fields = [
        "provider_payment_id", "method", "amount_krw", "refunded_krw", "status", "created_at", "paid_at",
    ]


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = [
        "provider_payment_id", "subject_type", "subject_id", "payer", "method", "amount_krw",
        "refunded_krw", "status", "created_at", "paid_at",
    ]
    list_filter = ["status", "method", "provider", "subject_type"]
    search_fields = ["provider_payment_id", "=subject_id", "virtual_account"]
    list_select_related = ["subject_type", "payer"]
    date_hierarchy = "created_at"


@admin.register(Refund)
class RefundAdmin(ReadOnlyAdmin):
    list_display = ["provider_refund_id", "payment", "amount_krw", "status", "reason", "created_at",
                    "settled_at"]
    list_filter = ["status"]
    exclude = ["refund_account"]  # an account number: never shown in full
    readonly_fields = ["refund_account_masked"]
    search_fields = ["provider_refund_id", "key", "payment__provider_payment_id"]
    list_select_related = ["payment"]
    date_hierarchy = "created_at"

    @admin.display(description=_("refund account"))
    def refund_account_masked(self, obj) -> str:
        if not obj.refund_account:
            return "—"
        bank, number, holder = obj.refund_account.split("|", 2)
        return f"{bank_name(bank)} {mask_account(number)} ({holder})"


@admin.register(Payout)
class PayoutAdmin(ReadOnlyAdmin):
    list_display = ["id", "partner", "user", "amount_krw", "account", "status", "failure",
                    "provider_payout_id",
                    "created_at", "settled_at"]
    list_filter = ["status", "provider"]
    search_fields = ["provider_payout_id", "partner__name", "user__email"]
    list_select_related = ["partner", "user", "account"]
    date_hierarchy = "created_at"


@admin.register(PayoutAccount)
class PayoutAccountAdmin(ReadOnlyAdmin):
    """Where payees are paid: the number masked, who registered it, when its payouts may start."""

    list_display = ["__str__", "partner", "user", "verified_at", "payouts_from", "registered_by",
                    "replaced_at"]
    list_filter = ["provider", ("replaced_at", admin.EmptyFieldListFilter)]
    exclude = ["number"]  # never shown in full
    search_fields = ["partner__name", "user__email", "holder"]
    list_select_related = ["partner", "user", "registered_by"]


@admin.register(ProviderEvent)
class ProviderEventAdmin(ReadOnlyAdmin):
    list_display = ["received_at", "provider", "event_id", "event_type", "outcome"]
    list_filter = ["provider", "event_type", "outcome"]
    search_fields = ["event_id"]
    date_hierarchy = "received_at"
