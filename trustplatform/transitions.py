"""Run a lifecycle transition the house way, from services and from the admin's FSM buttons."""

from django.contrib import admin, messages
from django.db import transaction
from django.http import HttpResponseRedirect
from django.utils.translation import gettext as _
from django_fsm import ConcurrentTransition, can_proceed, has_transition_perm
from django_fsm.admin import FSMAdminMixin

from trustplatform.errors import Conflict, DomainError, Forbidden


def transition_run(*, instance, name: str, actor=None, reason: str = "", check_perm: bool = False,
                   locked: bool = False, **kwargs):
    """Lock the row, re-check the transition under the lock, apply it and save, in one transaction.

    Takes SELECT ... FOR UPDATE on the instance's row, unless `locked`: the caller already holds that
    lock in its transaction and `instance` is the row as read under it (a hot path saves the re-read).
    The post_transition receiver writes the audit row inside the same transaction, so a rolled-back
    change leaves no audit row behind. Returns the locked, saved instance.
    """
    if locked:
        if not transaction.get_connection().in_atomic_block:
            raise RuntimeError("transition_run(locked=True) runs inside the transaction holding the lock")
        return _transition_apply(instance, name=name, actor=actor, reason=reason, check_perm=check_perm,
                                 **kwargs)
    model = type(instance)
    with transaction.atomic():
        row = model._default_manager.select_for_update().get(pk=instance.pk)
        return _transition_apply(row, name=name, actor=actor, reason=reason, check_perm=check_perm, **kwargs)


def _transition_apply(locked, *, name: str, actor, reason: str, check_perm: bool, **kwargs):
    method = getattr(locked, name)
    if not can_proceed(method):
        raise Conflict(
            _("This cannot be done now: it is %(status)s.") % {"status": locked.get_status_display()},
            code="invalid_transition",
        )
    if check_perm and actor is not None and not has_transition_perm(method, actor):
        raise Forbidden(_("You are not allowed to do this."), code="transition_forbidden")
    try:
        method(by=actor, reason=reason, **kwargs)
        locked.save()
    except ConcurrentTransition as exc:
        raise Conflict(_("Someone else changed this at the same time; reload and try again."),
                       code="concurrent_change") from exc
    return locked


class TransitionAdmin(FSMAdminMixin, admin.ModelAdmin):
    """Admin whose FSM buttons go through the app's services (lock, audit, side effects).

    `transition_services` maps a transition name to `service(instance=, actor=, **form data)`. Only
    those transitions get a button, and only those run, even if another name is posted by hand.
    """

    fsm_fields = ["status"]
    transition_services: dict = {}
    # The project's own templates: translated labels, no empty help text printed as "None".
    change_form_template = "admin/fsm_change_form.html"
    fsm_transition_form_template = "admin/fsm_transition_form.html"

    @staticmethod
    def get_fsm_block_label(fsm_field_name: str) -> str:
        return _("Actions")

    def get_help_text(self, transition) -> str:
        return transition.custom.get("help_text") or ""

    def _get_fsm_extra_context(self, *, request, obj):
        # Buttons only for those who may change the object: a viewer sees the page, not the actions.
        if obj is None or not self.has_change_permission(request, obj):
            return
        yield from super()._get_fsm_extra_context(request=request, obj=obj)

    def is_fsm_transition_visible(self, transition) -> bool:
        return transition.name in self.transition_services and super().is_fsm_transition_visible(transition)

    def response_change(self, request, obj):
        name = request.POST.get(self.fsm_post_param)
        if name and name not in self.transition_services:
            # A hand-made or stale form: refuse with a message instead of failing on an unknown name.
            self.message_user(request, _("This change cannot be made here."), level=messages.ERROR)
            return HttpResponseRedirect(request.path)
        return super().response_change(request, obj)

    def _apply_fsm_transition(self, *, obj, transition_name, request, kwargs=None):
        service = self.transition_services.get(transition_name)
        if service is None:
            self.message_user(request, _("This change cannot be made here."), level=messages.ERROR)
            return False
        try:
            service(instance=obj, actor=request.user, **dict(kwargs or {}))
        except DomainError as exc:
            self.message_user(request, exc.detail, level=messages.ERROR)
            return False
        label = self.get_fsm_label(self._get_fsm_transition_by_name(obj=obj, transition_name=transition_name))
        self.message_user(request, f"{label} ✓", level=messages.SUCCESS)
        return True
