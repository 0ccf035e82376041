"""Payments in and out and provider events, all read-only."""

from django.contrib import admin

from escrow.models import Payment, Payout, ProviderEvent
from trustplatform.admin_base import ReadOnlyAdmin


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = [
        "provider_payment_id",
        "agreement",
        "method",
        "amount_krw",
        "status",
        "created_at",
        "paid_at",
    ]
    list_filter = ["status", "method", "provider"]
    search_fields = ["provider_payment_id", "=agreement__id", "virtual_account"]
    list_select_related = ["agreement"]
    date_hierarchy = "created_at"


@admin.register(Payout)
class PayoutAdmin(ReadOnlyAdmin):
    list_display = ["id", "partner", "amount_krw", "status", "provider_payout_id", "created_at", "settled_at"]
    list_filter = ["status", "provider"]
    search_fields = ["provider_payout_id", "partner__name"]
    list_select_related = ["partner"]
    date_hierarchy = "created_at"


@admin.register(ProviderEvent)
class ProviderEventAdmin(ReadOnlyAdmin):
    list_display = ["received_at", "provider", "event_id", "event_type", "outcome"]
    list_filter = ["provider", "event_type", "outcome"]
    search_fields = ["event_id"]
    date_hierarchy = "received_at"
