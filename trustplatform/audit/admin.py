from django.contrib import admin
from django.core.exceptions import FieldDoesNotExist
from django.utils.translation import gettext_lazy as _

from trustplatform.admin_base import ReadOnlyAdmin

from .models import AuditEntry


def _state_words(entry: AuditEntry, code: str) -> str:
    """A state code of the audited object ("escalated") as the words its model gives it ("With an agent")."""
    if not code:
        return ""
    model = entry.content_type.model_class()
    try:
        field = model._meta.get_field(entry.field or "status") if model else None
    except FieldDoesNotExist:
        field = None
    return str(dict(getattr(field, "flatchoices", None) or ()).get(code, code))


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    """Read-only: staff can search the trail but nobody can add, change or delete a row."""

    list_display = ["created_at", "actor_repr", "content_type", "object_repr", "action", "source_words",
                    "target_words"]
    list_filter = ["content_type", "action", "created_at"]
    search_fields = ["object_repr", "actor_repr", "object_id", "reason"]
    date_hierarchy = "created_at"
    list_select_related = ["content_type"]

    def get_readonly_fields(self, request, obj=None):
        words = {"source": "source_words", "target": "target_words"}
        return [words.get(name, name) for name in super().get_readonly_fields(request, obj)]

    @admin.display(description=_("from"), ordering="source")
    def source_words(self, entry) -> str:
        return _state_words(entry, entry.source)

    @admin.display(description=_("to"), ordering="target")
    def target_words(self, entry) -> str:
        return _state_words(entry, entry.target)
