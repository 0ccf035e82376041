from django.contrib import admin

from trustplatform.admin_base import ReadOnlyAdmin

from .models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    """Read-only: staff can search the trail but nobody can add, change or delete a row."""

    list_display = ["created_at", "actor_repr", "content_type", "object_repr", "action", "source",
                    "target"]
    list_filter = ["content_type", "action", "created_at"]
    search_fields = ["object_repr", "actor_repr", "object_id", "reason"]
    date_hierarchy = "created_at"
    list_select_related = ["content_type"]
