from django.contrib import admin

from .models import Hold, LedgerAccount, Transfer


class ReadOnlyAdmin(admin.ModelAdmin):
    """Money moves only through the ledger services; the admin shows it and never edits it."""

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(LedgerAccount)
class LedgerAccountAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "kind", "balance_krw", "reserved_krw", "allow_negative"]
    list_filter = ["kind", "allow_negative"]
    search_fields = ["code", "name"]


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
