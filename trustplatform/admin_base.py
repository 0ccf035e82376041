"""What every app's admin shares: nothing is edited directly; staff act only through services.

Read-only pages and inlines, work-queue list filters, transition buttons that each run a service
(shown only to those who may press them), the small form page (a reason, a confirmation) shown
before a service call, and every moment shown in Korean time as the rest of the site shows it.
"""

import datetime as dt
import re

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin import utils as admin_utils
from django.contrib.admin.templatetags import admin_list
from django.contrib.admin.utils import unquote
from django.contrib.contenttypes.admin import GenericTabularInline
from django.core.exceptions import PermissionDenied
from django.db.models import JSONField
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.templatetags.static import static
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from trustplatform.admin_field_names import THIRD_PARTY_APP_NAMES
from trustplatform.transitions import TransitionAdmin
from trustplatform.ui import korean

FORM_TEMPLATE = "admin/action_form.html"
_ISO_MOMENT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")


# The codes a JSON field holds (a risk part, an amenity, a fact's name) -> the words staff read, per
# (model label, field name); each app's admin registers its own, the stored codes stay as they are.
STORED_WORDS: dict[tuple[str, str], dict] = {}


def stored_words_register(model, field_name: str, words: dict) -> None:
    STORED_WORDS.setdefault((model._meta.label, field_name), {}).update(words)


def stored_word(value, words: dict | None = None) -> str:
    """A stored scalar as staff read it: a known code in words, yes/no for a boolean, a moment in
    Korean time, else as stored."""
    if isinstance(value, bool):
        return gettext("Yes") if value else gettext("No")
    if value is None:
        return "—"
    if isinstance(value, str):
        if value in (words or {}):
            return str(words[value])
        if _ISO_MOMENT.match(value):
            return korean.moment(dt.datetime.fromisoformat(value), with_year=True)
        return value
    return str(value)


def readable_json(value, words: dict | None = None) -> str:
    """A JSON value as "name: value" lines in words (`words`: code -> label), instead of JSON text."""
    if isinstance(value, dict):
        if not value:
            return "—"
        return format_html(
            '<ul class="json-facts">{}</ul>',
            format_html_join("", "<li>{}: {}</li>", (
                (stored_word(key, words), readable_json(item, words)) for key, item in value.items()
            )),
        )
    if isinstance(value, (list, tuple)):
        if not value:
            return "—"
        return format_html_join(", ", "{}", ((readable_json(item, words),) for item in value))
    return stored_word(value, words)


def _boolean_icon(value):
    # Django's icon says "True"/"False" in its alt text; screen readers read it aloud.
    name = {True: "yes", False: "no", None: "unknown"}[value]
    alt = {True: gettext("Yes"), False: gettext("No"), None: gettext("Unknown")}[value]
    return format_html('<img src="{}" alt="{}">', static(f"admin/img/icon-{name}.svg"), alt)


def _admin_moments_in_korean_time() -> None:
    """List columns and read-only fields show moments as "2026년 12월 10일 (목) 15:00" in Korea's time
    (and dates as "2026년 12월 10일 (목)"), like every other page, whatever the field or callable; and
    amounts in won as "190,000원"."""
    if getattr(admin_utils.display_for_field, "korean_time", False):
        return
    field_display, value_display = admin_utils.display_for_field, admin_utils.display_for_value

    def shown(value):
        if isinstance(value, dt.datetime):
            return korean.moment(value, with_year=True)
        if isinstance(value, dt.date):
            return korean.day(value, with_year=True)
        return None

    def display_for_field(value, field, empty_value_display, *args, **kwargs):
        if value is not None and not getattr(field, "flatchoices", None):
            if isinstance(field, JSONField) and value not in ({}, []):
                model = getattr(field, "model", None)
                words = STORED_WORDS.get((model._meta.label, field.name), {}) if model else {}
                return readable_json(value, words)
            text = shown(value)
            if text is not None:
                return text
            # Amounts in won ("amount_krw") read as money: "190,000원".
            if getattr(field, "name", "").endswith("_krw") and isinstance(value, int):
                return korean.won(value)
        return field_display(value, field, empty_value_display, *args, **kwargs)

    def display_for_value(value, empty_value_display, *args, **kwargs):
        boolean = args[0] if args else kwargs.get("boolean", False)
        if isinstance(value, bool) and not boolean:
            return stored_word(value)
        text = shown(value) if value is not None else None
        return text if text is not None else value_display(value, empty_value_display, *args, **kwargs)

    display_for_field.korean_time = True
    admin_list._boolean_icon = _boolean_icon
    # The admin's modules hold their own references to these two functions.
    for module in (admin_utils, helpers, admin_list):
        if hasattr(module, "display_for_field"):
            module.display_for_field = display_for_field
        if hasattr(module, "display_for_value"):
            module.display_for_value = display_for_value


_admin_moments_in_korean_time()


def _field_names_translated() -> None:
    """Columns, filters and read-only labels of fields declared without a verbose name ("decided at")
    are looked up in the translations too, instead of showing the English field name to Korean staff.

    Only the label the admin shows changes (`verbose_name`); what migrations compare is left alone."""
    from django.apps import apps
    from django.utils.functional import Promise

    if not apps.models_ready:
        return
    # Apps from packages that name themselves in English only.
    for label, name in THIRD_PARTY_APP_NAMES.items():
        if label in apps.app_configs:
            apps.get_app_config(label).verbose_name = _(name)
    for model in apps.get_models():
        name = model._meta.verbose_name
        if isinstance(name, str) and not isinstance(name, Promise):
            model._meta.verbose_name = _(name)
            # Django makes the plural from the English name ("TOTP devices"): look that up too.
            plural = model._meta.original_attrs.get("verbose_name_plural", f"{name}s")
            if not isinstance(plural, Promise):
                model._meta.verbose_name_plural = _(str(plural))
        for field in model._meta.get_fields():
            name = getattr(field, "verbose_name", None)
            if isinstance(name, str) and not isinstance(name, Promise) and not field.auto_created:
                field.verbose_name = _(name)


_field_names_translated()


def four_eyes_record(steps) -> str:
    """Who did each step of a money decision and when, kept on the page after the money moved:
    `steps` are (step, person or text or None, moment or None)."""
    rows = (
        (step, who if who is not None else "—", korean.moment(at, with_year=True) if at else "")
        for step, who, at in steps
    )
    return format_html(
        '<ul class="four-eyes" data-four-eyes>{}</ul>',
        format_html_join("", "<li><strong>{}</strong>: {} <span>{}</span></li>", rows),
    )


def transition_done_by(obj, name: str):
    """(who, when) of the latest `name` transition of `obj`, from the audit trail; (None, None) if none."""
    from django.contrib.contenttypes.models import ContentType

    from trustplatform.audit.models import AuditEntry

    entry = (
        AuditEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(type(obj)), object_id=str(obj.pk), action=name
        )
        .select_related("actor")
        .order_by("-created_at", "-id")
        .first()
    )
    if entry is None:
        return None, None
    return (entry.actor or entry.actor_repr), entry.created_at


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


class AssignedFilter(admin.SimpleListFilter):
    """A work queue's "Mine" and "Nobody yet": `assignee_field` names who the row is given to."""

    title = _("agent")
    parameter_name = "agent"
    assignee_field = "assignee"

    def lookups(self, request, model_admin):
        return [("me", _("Mine")), ("nobody", _("Nobody yet"))]

    def queryset(self, request, queryset):
        if self.value() == "me":
            return queryset.filter(**{self.assignee_field: request.user})
        if self.value() == "nobody":
            return queryset.filter(**{f"{self.assignee_field}__isnull": True})
        return queryset


class ServiceTransitionAdmin(TransitionAdmin):
    """Buttons for the transitions named in `transition_services` only, each through its service.

    Nothing on these pages is editable, so "change" means acting through the buttons: users holding
    one of `action_permissions` may (the services check the exact permission again). A transition
    without a service is never run from here, even if its name is posted by hand.
    """

    action_permissions: tuple = ()
    transition_labels: dict = {}
    extra_readonly_fields: tuple = ()
    # Who may press which button: a transition name -> a permission, or a callable(request, obj) -> bool.
    # A button the person may not use is not shown; posted by hand, its service refuses it with its reason.
    transition_permissions: dict = {}

    def may_run(self, request, obj, name: str) -> bool:
        rule = self.transition_permissions.get(name)
        if rule is None:
            return True
        if callable(rule):
            return bool(rule(request, obj))
        return request.user.has_perm(rule)

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
        for block in super()._get_fsm_extra_context(request=request, obj=obj):
            block.available_transitions = [
                transition for transition in block.available_transitions
                if self.may_run(request, obj, transition.name)
            ]
            if block.available_transitions:
                yield block

    def get_extra_tools(self, request, obj) -> list:
        """(label, url) links beside History for what this person may do besides the buttons."""
        return []

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, unquote(object_id))
        extra_context = {
            **(extra_context or {}),
            "extra_tools": self.get_extra_tools(request, obj) if obj is not None else [],
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
