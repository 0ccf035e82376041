"""The four-eyes steps every large escrow decision shares in the admin (disputes and guarantee claims):
the second-approval column, the record of who decided, approved and moved the money, the finance
user's "Approve decision…" link and the page that approves the exact decision, bound to its hash."""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from trustplatform.admin_base import four_eyes_record, transition_done_by
from trustplatform.pages import page_action


def second_approval(decision):
    """The approval of the decision's current hash by someone other than the decider, or None."""
    if not decision.decision_hash:
        return None
    return (
        decision.approvals.filter(decision_hash=decision.decision_hash)
        .exclude(approver=decision.decided_by_id)
        .select_related("approver")
        .first()
    )


class FourEyesAdminMixin:
    """For a ServiceTransitionAdmin of a decision that has `decision_hash`, `decided_by`, `decided_at`
    and `approvals`; the subclass names its state, permission and service calls."""

    decided_status: str = ""  # the status in which a decision waits for its second approval
    approve_permission: str = ""
    money_transition: str = ""  # the transition that moves the money
    money_step_label = _("Paid")
    approval_form = None

    def needs_second_approval(self, obj) -> bool:
        raise NotImplementedError

    def countersign(self, obj, *, actor, decision_hash: str):
        raise NotImplementedError

    def approval_intro(self, obj) -> str:
        raise NotImplementedError

    def money_moved(self, obj):
        """(who, when) of the step that moved the money."""
        return transition_done_by(obj, self.money_transition)

    def _approve_url_name(self) -> str:
        return f"{self.model._meta.app_label}_{self.model._meta.model_name}_approve"

    def get_urls(self):
        return [
            path(
                "<int:object_id>/approve/",
                self.admin_site.admin_view(self.approve_view),
                name=self._approve_url_name(),
            ),
            *super().get_urls(),
        ]

    @admin.display(description=_("second approval"))
    def approval_state(self, obj) -> str:
        if not obj.decision_hash:
            return "—"
        approval = second_approval(obj)
        if approval is not None:
            # Kept after the money moved: the page always says who gave the second approval.
            return format_html("✓ {}", approval.approver)
        if not self.needs_second_approval(obj):
            return _("not needed")
        if obj.status != self.decided_status:
            return "—"
        return _("waiting for a second (finance) approval")

    @admin.display(description=_("four-eyes record"))
    def four_eyes(self, obj) -> str:
        if not obj.decision_hash:
            return "—"
        approval = second_approval(obj)
        moved_by, moved_at = self.money_moved(obj)
        if approval is not None:
            second = (_("Second approval"), approval.approver, approval.approved_at)
        elif self.needs_second_approval(obj):
            second = (_("Second approval"), None, None)
        else:
            second = (_("Second approval"), _("not needed"), None)
        decided = (_("Decided"), obj.decided_by, obj.decided_at)
        return four_eyes_record([decided, second, (self.money_step_label, moved_by, moved_at)])

    def get_extra_tools(self, request, obj) -> list:
        # The approval button only for finance staff other than the decider, while it is needed.
        if (
            obj.status == self.decided_status
            and self.needs_second_approval(obj)
            and second_approval(obj) is None
            and request.user.has_perm(self.approve_permission)
            and request.user.pk != obj.decided_by_id
        ):
            return [(_("Approve decision…"), reverse(f"admin:{self._approve_url_name()}", args=[obj.pk]))]
        return []

    def approve_view(self, request, object_id: int):
        """A finance user approves the exact decision shown here, bound to its hash."""
        obj = self.get_queryset(request).filter(pk=object_id).first()
        if obj is None:
            raise Http404
        if not self.has_change_permission(request, obj):
            raise PermissionDenied
        form = self.approval_form(request.POST or None, initial={"decision_hash": obj.decision_hash})
        if request.method == "POST" and form.is_valid():
            decision_hash = form.cleaned_data["decision_hash"]
            page_action(
                request,
                lambda: self.countersign(obj, actor=request.user, decision_hash=decision_hash),
                _("Decision approved."),
            )
            opts = self.model._meta
            change_url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
            return HttpResponseRedirect(change_url)
        return self.render_form_page(
            request,
            title=_("Approve the decision on %(decision)s") % {"decision": obj},
            form=form,
            intro=self.approval_intro(obj),
            submit=_("Approve this decision"),
        )

