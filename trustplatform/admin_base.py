"""What every app's admin shares: nothing is edited directly; staff act only through services.

Read-only pages and inlines, work-queue list filters, transition buttons that each run a service,
and the small form page (a reason, a confirmation) shown before a service call.
"""

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.contenttypes.admin import GenericTabularInline
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from trustplatform.transitions import TransitionAdmin

FORM_TEMPLATE = "admin/action_form.html"


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


class ReadOnlyFieldsMixin:
    """Every field read-only, nothing added or deleted; the change page stays open for transitions."""

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def get_readonly_fields(self, request, obj=None):
        return self.fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ReadOnlyGenericInline(ReadOnlyInline, GenericTabularInline):
    """A read-only inline of rows that point at their parent through a generic relation."""


class QueueFilter(admin.SimpleListFilter):
    """A list filter that opens on the work queue (`default`) instead of everything."""

    parameter_name = "queue"
    default = ""
    queues: dict = {}  # value -> (label, filter kwargs, a callable(queryset) -> queryset, or None for all)

    def lookups(self, request, model_admin):
        return [(value, label) for value, (label, _filters) in self.queues.items()]

    def value(self):
        return super().value() or self.default

    def choices(self, changelist):
        for value, label in self.lookup_choices:
            yield {
                "selected": self.value() == value,
                "query_string": changelist.get_query_string({self.parameter_name: value}),
                "display": label,
            }

    def queryset(self, request, queryset):
        _label, filters = self.queues.get(self.value(), (None, None))
        if callable(filters):
            return filters(queryset)
        return queryset.filter(**filters) if filters else queryset


class ServiceTransitionAdmin(TransitionAdmin):
    """Buttons for the transitions named in `transition_services` only, each through its service.

    Nothing on these pages is editable, so "change" means acting through the buttons: users holding
    one of `action_permissions` may (the services check the exact permission again). A transition
    without a service is never run from here, even if its name is posted by hand.
    """

    action_permissions: tuple = ()
    transition_labels: dict = {}
    extra_readonly_fields: tuple = ()

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields] + list(self.extra_readonly_fields)

    def can_act(self, request) -> bool:
        return any(request.user.has_perm(permission) for permission in self.action_permissions)

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) or self.can_act(request)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) or self.can_act(request)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def transitions_apply_to(self, obj) -> bool:
        return True

    def is_fsm_transition_visible(self, transition) -> bool:
        return transition.name in self.transition_services

    def get_fsm_label(self, transition) -> str:
        return str(self.transition_labels.get(transition.name, transition.name))

    def _get_fsm_extra_context(self, *, request, obj):
        if obj is None or not self.transitions_apply_to(obj) or not self.has_change_permission(request, obj):
            return
        yield from super()._get_fsm_extra_context(request=request, obj=obj)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "show_save": False,
            "show_save_and_continue": False,
            "show_save_and_add_another": False,
            "show_delete": False,
        }
        return super().change_view(request, object_id, form_url, extra_context)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        # A transition button posts the change form: run the transition, save nothing else.
        if request.method == "POST" and object_id and self.fsm_post_param in request.POST:
            obj = self.get_object(request, unquote(object_id))
            if obj is None or not self.has_change_permission(request, obj):
                raise PermissionDenied
            if request.POST[self.fsm_post_param] not in self.transition_services:
                self.message_user(request, _("This cannot be done from here."), level=messages.ERROR)
                return HttpResponseRedirect(request.path)
            return self.response_change(request, obj)
        return super().changeform_view(request, object_id, form_url, extra_context)

    def fsm_transition_view(self, request, object_id, transition_name, **kwargs):
        if not self.has_change_permission(request) or transition_name not in self.transition_services:
            raise PermissionDenied
        return super().fsm_transition_view(request, object_id, transition_name, **kwargs)

    def _apply_fsm_transition(self, *, obj, transition_name, request, kwargs=None):
        if transition_name not in self.transition_services or not self.transitions_apply_to(obj):
            self.message_user(request, _("This cannot be done from here."), level=messages.ERROR)
            return False
        return super()._apply_fsm_transition(
            obj=obj, transition_name=transition_name, request=request, kwargs=kwargs
        )

    def save_model(self, request, obj, form, change):
        pass  # nothing here is edited directly

    def save_related(self, request, form, formsets, change):
        pass

    def render_form_page(self, request, *, title: str, form, intro: str = "", items=(), submit: str = ""):
        """A small page with one form (a reason, a confirmation) before a service call."""
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": title,
            "intro": intro,
            "items": items,
            "form": form,
            "submit_label": submit or _("Apply"),
        }
        return TemplateResponse(request, FORM_TEMPLATE, context)
