from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from trustplatform.admin_base import ReadOnlyAdmin

from .models import AuditEntry
from .words import action_words, actor_words, field_words, state_words


class ActionFilter(admin.SimpleListFilter):
    """The actions found in the trail, in words."""

    title = _("action")
    parameter_name = "action"

    def lookups(self, request, model_admin):
        codes = AuditEntry.objects.order_by("action").values_list("action", flat=True).distinct()
        return sorted(((code, action_words(None, code)) for code in codes), key=lambda item: item[1])

    def queryset(self, request, queryset):
        return queryset.filter(action=self.value()) if self.value() else queryset


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    """Read-only: staff can search the trail but nobody can add, change or delete a row."""

    list_display = ["created_at", "actor_words", "content_type", "object_repr", "action_words",
                    "source_words", "target_words"]
    list_filter = ["content_type", ActionFilter, "created_at"]
    search_fields = ["object_repr", "actor_repr", "object_id", "reason"]
    date_hierarchy = "created_at"
    list_select_related = ["content_type"]

    def get_readonly_fields(self, request, obj=None):
        # Each code is shown in words; the stored columns stay searchable and sortable.
        words = {"actor_repr": "actor_words", "action": "action_words", "field": "field_words",
                 "source": "source_words", "target": "target_words"}
        return [words.get(name, name) for name in super().get_readonly_fields(request, obj)]

    def get_exclude(self, request, obj=None):
        return ["actor_repr", "action", "field", "source", "target"]

    @admin.display(description=_("actor name"), ordering="actor_repr")
    def actor_words(self, entry) -> str:
        return actor_words(entry.actor_repr)

    @admin.display(description=_("action"), ordering="action")
    def action_words(self, entry) -> str:
        return action_words(entry.content_type.model_class(), entry.action)

    @admin.display(description=_("field"), ordering="field")
    def field_words(self, entry) -> str:
        return field_words(entry.content_type.model_class(), entry.field)

    @admin.display(description=_("from"), ordering="source")
    def source_words(self, entry) -> str:
        return state_words(entry.content_type.model_class(), entry.field, entry.source)

    @admin.display(description=_("to"), ordering="target")
    def target_words(self, entry) -> str:
        return state_words(entry.content_type.model_class(), entry.field, entry.target)
