"""Disputes: an agent decides, a second finance user approves large decisions (bound to the
decision's hash), an agent executes. Each step is an escrow.services.disputes call."""

from django.conf import settings
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, F, OuterRef
from django.http import Http404, HttpResponseRedirect
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from escrow.models import Dispute, DisputeApproval
from escrow.services import disputes
from trustplatform.admin_base import QueueFilter, ServiceTransitionAdmin
from trustplatform.pages import page_action

from .evidence import DisputeEvidenceInline
from .forms import DisputeApproveForm, DisputeDecideForm


def _decide(*, instance, actor, outcome: str, payee_amount_krw: int, payer_amount_krw: int, note: str):
    return disputes.dispute_decide(
        dispute=instance,
        actor=actor,
        outcome=outcome,
        payee_amount_krw=payee_amount_krw,
        payer_amount_krw=payer_amount_krw,
        note=note,
    )


def _execute(*, instance, actor, **kwargs):
    return disputes.dispute_execute(dispute=instance, actor=actor)


def _valid_approval():
    return DisputeApproval.objects.filter(
        dispute=OuterRef("pk"), decision_hash=OuterRef("decision_hash")
    ).exclude(approver=OuterRef("decided_by"))


def _waiting_for_approval(queryset):
    return (
        queryset.filter(status=Dispute.Status.DECIDED)
        .annotate(total=F("payee_amount_krw") + F("payer_amount_krw"))
        .filter(total__gte=settings.ESCROW_FOUR_EYES_THRESHOLD_KRW)
        .filter(~Exists(_valid_approval()))
    )


class DisputeQueue(QueueFilter):
    title = _("queue")
    default = "live"
    queues = {
        "live": (_("Open or decided"), {"status__in": [Dispute.Status.OPEN, Dispute.Status.DECIDED]}),
        "approval": (_("Waiting for a second (finance) approval"), _waiting_for_approval),
        "all": (_("All disputes"), None),
    }


@admin.register(Dispute)
class DisputeAdmin(ServiceTransitionAdmin):
    list_display = [
        "__str__",
        "status",
        "outcome",
        "payee_amount_krw",
        "payer_amount_krw",
        "approval_state",
        "opened_at",
    ]
    list_filter = [DisputeQueue, "status", "outcome"]
    search_fields = ["=id", "=agreement__id", "agreement__title", "reasons"]
    fields = [
        "agreement",
        "opened_by",
        "opened_at",
        "reasons",
        "status",
        "decision",
        "approval_state",
        "executed_at",
    ]
    extra_readonly_fields = ("decision", "approval_state")
    inlines = [DisputeEvidenceInline]
    action_permissions = ("escrow.decide_dispute", "escrow.approve_dispute")
    transition_services = {"decide": _decide, "execute": _execute}
    transition_labels = {"decide": _("Decide"), "execute": _("Execute the decision (moves the money)")}
    fsm_forms = {"decide": DisputeDecideForm}

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("agreement", "decided_by")

    def get_urls(self):
        return [
            path(
                "<int:dispute_id>/approve/",
                self.admin_site.admin_view(self.approve_view),
                name="escrow_dispute_approve",
            ),
            *super().get_urls(),
        ]

    @admin.display(description=_("decision"))
    def decision(self, obj) -> str:
        if not obj.decision_hash:
            return "—"
        return format_html(
            "{}: ₩{} to the payee, ₩{} back to the payer — {}<br>{} {}<br>{} <code>{}</code>",
            obj.get_outcome_display(),
            f"{obj.payee_amount_krw:,}",
            f"{obj.payer_amount_krw:,}",
            obj.decision_note,
            _("Decided by"),
            obj.decided_by,
            _("Decision hash"),
            obj.decision_hash,
        )

    @admin.display(description=_("second approval"))
    def approval_state(self, obj) -> str:
        if obj.status != Dispute.Status.DECIDED:
            return "—"
        if not disputes.dispute_needs_second_approval(obj):
            return _("not needed")
        approval = (
            obj.approvals.filter(decision_hash=obj.decision_hash).exclude(approver=obj.decided_by_id).first()
        )
        if approval is not None:
            return format_html("✓ {}", approval.approver)
        url = reverse("admin:escrow_dispute_approve", args=[obj.pk])
        return format_html('<a class="button" href="{}">{}</a>', url, _("Approve decision…"))

    def approve_view(self, request, dispute_id: int):
        """A finance user approves the exact decision shown here, bound to its hash."""
        dispute = self.get_queryset(request).filter(pk=dispute_id).first()
        if dispute is None:
            raise Http404
        if not self.has_change_permission(request, dispute):
            raise PermissionDenied
        form = DisputeApproveForm(request.POST or None, initial={"decision_hash": dispute.decision_hash})
        if request.method == "POST" and form.is_valid():
            page_action(
                request,
                lambda: disputes.dispute_approve(
                    dispute=dispute, actor=request.user, decision_hash=form.cleaned_data["decision_hash"]
                ),
                _("Decision approved."),
            )
            return HttpResponseRedirect(reverse("admin:escrow_dispute_change", args=[dispute.pk]))
        intro = _(
            "Outcome: %(outcome)s\nTo the payee: ₩%(payee)s\nBack to the payer: ₩%(payer)s\n"
            "Decided by %(by)s: %(note)s\n\nYou approve this exact decision, hash %(hash)s. "
            "If it changes, this approval no longer counts."
        ) % {
            "outcome": dispute.get_outcome_display() or "—",
            "payee": f"{dispute.payee_amount_krw:,}",
            "payer": f"{dispute.payer_amount_krw:,}",
            "by": dispute.decided_by or "—",
            "note": dispute.decision_note or "—",
            "hash": dispute.decision_hash or "—",
        }
        return self.render_form_page(
            request,
            title=_("Approve the decision on %(dispute)s") % {"dispute": dispute},
            form=form,
            intro=intro,
            submit=_("Approve this decision"),
        )
