"""Staff see notices, the texts and mails sent for them with their delivery, and the providers' delivery
reports. Read-only; a text's recipient and body are never shown (a body may hold a verification code)."""

from django.contrib import admin
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from trustplatform.admin_base import ReadOnlyAdmin, ReadOnlyInline

from .kinds import kind_words
from .models import DeliveryReport, Notification, OutboundMessage

# The text providers' codes, by the names they go by (the code of a test backend is empty).
SENDER_NAMES = {"solapi": "SOLAPI", "": "—"}


@admin.display(description=_("provider"))
def _sender_shown(row) -> str:
    return SENDER_NAMES.get(row.provider, row.provider)


class SenderFilter(admin.SimpleListFilter):
    title = _("provider")
    parameter_name = "provider"

    def lookups(self, request, model_admin):
        codes = model_admin.model.objects.order_by("provider").values_list("provider", flat=True).distinct()
        return [(code, SENDER_NAMES.get(code, code)) for code in codes if code]

    def queryset(self, request, queryset):
        return queryset.filter(provider=self.value()) if self.value() else queryset


_MESSAGE_FIELDS = ["channel", "kind_shown", "recipient_hint", "status", "delivery_shown", "sent_as",
                   "fell_back", "sender_shown", "provider_message_id", "provider_group_id", "delivery_code",
                   "attempts", "redeliveries", "last_error", "created_at", "sent_at", "delivered_at"]


@admin.display(description=_("delivery"))
def _delivery_shown(message: OutboundMessage):
    return message.delivery_label


@admin.display(description=_("kind"), ordering="kind")
def _kind_shown(message: OutboundMessage):
    return kind_words(message.kind)


class TextInline(ReadOnlyInline):
    model = OutboundMessage
    fields = ["channel", "recipient_hint", "sent_as", "delivery_shown", "provider_message_id", "sent_at"]
    verbose_name = _("text or mail sent for this notice")
    verbose_name_plural = _("texts and mails sent for this notice")
    delivery_shown = staticmethod(_delivery_shown)


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "user", "title", "read_at", "text_delivery"]
    list_filter = ["created_at"]
    search_fields = ["title", "user__email"]
    list_select_related = ["user"]
    inlines = [TextInline]
    exclude = ["url"]

    def get_readonly_fields(self, request, obj=None):
        return [("link" if name == "url" else name) for name in super().get_readonly_fields(request, obj)]

    @admin.display(description=_("link"))
    def link(self, notification: Notification):
        # The page the notice points to, opened from here rather than read as a path.
        if not notification.url:
            return "—"
        return format_html('<a href="{}">{}</a>', notification.url, pgettext_lazy("link", "Open"))

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("texts")

    @admin.display(description=_("text"))
    def text_delivery(self, notification: Notification):
        text = notification.text
        return text.delivery_label if text else "—"


class ReportInline(ReadOnlyInline):
    model = DeliveryReport
    fields = ["received_at", "event_id", "status_code", "outcome"]


@admin.register(OutboundMessage)
class OutboundMessageAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "channel", "kind_shown", "recipient_hint", "sent_as", "delivery_shown",
                    "attempts"]
    list_filter = ["channel", "status", "delivery", "sent_as", "fell_back", SenderFilter]
    search_fields = ["kind", "provider_message_id", "provider_group_id"]
    date_hierarchy = "created_at"
    fields = _MESSAGE_FIELDS
    inlines = [ReportInline]
    delivery_shown = staticmethod(_delivery_shown)
    kind_shown = staticmethod(_kind_shown)
    sender_shown = staticmethod(_sender_shown)

    def get_readonly_fields(self, request, obj=None):
        return _MESSAGE_FIELDS


@admin.register(DeliveryReport)
class DeliveryReportAdmin(ReadOnlyAdmin):
    list_display = ["received_at", "sender_shown", "event_id", "status_code", "outcome", "message"]
    list_filter = [SenderFilter, "outcome"]
    search_fields = ["event_id"]
    date_hierarchy = "received_at"
    sender_shown = staticmethod(_sender_shown)
