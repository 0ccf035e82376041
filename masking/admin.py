"""Staff console for safe numbers: the pool and its utilisation, sessions, interactions, blocks.

No page shows a real number: participants appear with masked hints, encrypted columns are never
listed, and lifecycles move only through the FSM buttons (routed through the services).
"""

from django import forms
from django.conf import settings
from django.contrib import admin
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from trustplatform.admin_base import ReadOnlyAdmin
from trustplatform.admin_dashboards import ChartData, Series, chart_by_week, dashboard_chart, week_starts
from trustplatform.errors import DomainError
from trustplatform.transitions import TransitionAdmin

from . import selectors, services
from .models import Block, Interaction, MaskedSession, Participant, ProxyNumber


class ProxyNumberAddForm(forms.ModelForm):
    class Meta:
        model = ProxyNumber
        fields = ["e164", "note"]

    def clean_e164(self):
        from trustplatform import pii

        from .numbers import number_normalize

        try:
            return number_normalize(self.cleaned_data["e164"])
        except pii.InvalidPhoneNumber as exc:
            raise forms.ValidationError(str(exc)) from exc


@admin.register(ProxyNumber)
class ProxyNumberAdmin(TransitionAdmin):
    list_display = ["display", "e164", "status", "holders_now", "note", "created_at"]
    list_filter = ["status"]
    search_fields = ["e164", "note"]
    readonly_fields = ["e164", "created_at", "retired_at"]
    fields = ["e164", "note", "created_at", "retired_at"]
    transition_services = {"retire": services.proxy_number_retire,
                           "reactivate": services.proxy_number_reactivate}

    @admin.display(description=_("number"), ordering="e164")
    def display(self, number) -> str:
        return number.display

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = ProxyNumberAddForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        return ["created_at", "retired_at"] if obj is None else self.readonly_fields

    def get_fields(self, request, obj=None):
        return ["e164", "note"] if obj is None else self.fields

    def save_model(self, request, obj, form, change):
        if change:
            ProxyNumber.objects.filter(pk=obj.pk).update(note=obj.note)
            return
        try:
            created = services.proxy_number_add(number=obj.e164, note=obj.note, actor=request.user)
        except DomainError as exc:
            raise forms.ValidationError(exc.detail) from exc
        obj.pk = created.pk

    def get_queryset(self, request):
        now = timezone.now()
        return super().get_queryset(request).annotate(holders=Count("participants", filter=Q(
            participants__held_from__lte=now, participants__holds_until__gt=now)))

    @admin.display(description=_("held by now"), ordering="holders")
    def holders_now(self, obj):
        return obj.holders

    def changelist_view(self, request, extra_context=None):
        usage = selectors.pool_usage()
        context = {"usage": {**usage.__dict__, "percent": usage.percent,
                             "alert": usage.percent > settings.MASKING_POOL_ALERT_PERCENT}}
        return super().changelist_view(request, {**(extra_context or {}), **context})

    def has_delete_permission(self, request, obj=None):
        return False  # retired, never deleted: old sessions still point at it


class ParticipantInline(admin.TabularInline):
    model = Participant
    fields = ["side", "label", "phone_hint", "proxy_number", "held_from", "holds_until"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class InteractionInline(admin.TabularInline):
    model = Interaction
    fk_name = "session"
    fields = ["created_at", "kind", "inbound", "caller_hint", "outcome"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    ordering = ["-created_at"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(MaskedSession)
class MaskedSessionAdmin(TransitionAdmin):
    list_display = ["__str__", "partner", "subject_id", "mode", "status", "close_reason", "opens_at",
                    "expires_at"]
    list_filter = ["status", "mode", "close_reason"]
    search_fields = ["subject_id", "partner__name", "=id"]
    list_select_related = ["partner"]
    date_hierarchy = "created_at"
    fields = ["partner", "subject_type", "subject_id", "mode", "close_reason", "opens_at", "expires_at",
              "ended_at", "scrubbed_at", "created_at", "created_by"]
    readonly_fields = fields
    inlines = [ParticipantInline, InteractionInline]
    transition_services = {
        "revoke": services.session_revoke,
        "complete": lambda instance, actor, **kwargs: services.session_complete(session=instance, actor=actor,
                                                                                 **kwargs),
    }

    def has_add_permission(self, request):
        return False  # sessions are opened by the apps and the API, with real numbers staff never see


@dashboard_chart(
    key="safe-number-pool",
    title=_("Safe-number pool use"),
    permissions=("masking.view_proxynumber",),
    group=_("Safe numbers"),
    order=40,
)
def _pool_chart() -> ChartData:
    starts = week_starts(weeks=12)
    opened = selectors.sessions_weeks(starts=starts)
    usage = selectors.pool_usage()
    summary = _(
        "%(pool)s active numbers; the busiest person holds %(need)s now (%(percent)s%% of the pool). "
        "%(open)s sessions open, %(cooling)s cooling off; %(week)s opened this week."
    ) % {
        "pool": usage.pool_size,
        "need": usage.need,
        "percent": f"{usage.percent:.0f}",
        "open": usage.open_sessions,
        "cooling": usage.cooling_sessions,
        "week": opened[-1],
    }
    series = [Series(label=_("sessions opened"), values=opened)]
    return chart_by_week(starts=starts, series=series, summary=summary)


@admin.register(Interaction)
class InteractionAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "kind", "inbound", "provider", "session", "caller_hint", "outcome"]
    list_filter = ["kind", "outcome", "inbound", "provider"]
    search_fields = ["sid", "=session__id"]
    date_hierarchy = "created_at"
    fields = ["provider", "sid", "kind", "inbound", "session", "caller_hint", "outcome", "created_by",
              "created_at", "updated_at"]
    readonly_fields = fields


@admin.register(Block)
class BlockAdmin(ReadOnlyAdmin):
    list_display = ["blocked_label", "blocked_hint", "session", "created_by", "created_at"]
    fields = ["blocked_label", "blocked_hint", "session", "created_by", "created_at"]
    readonly_fields = fields
