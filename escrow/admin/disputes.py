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
from trustplatform.admin_base import QueueFilter, ServiceTransitionAdmin, four_eyes_record, transition_done_by
from trustplatform.pages import page_action
from trustplatform.ui import korean

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


def _second_approval(dispute):
    if not dispute.decision_hash:
        return None
    return (
        dispute.approvals.filter(decision_hash=dispute.decision_hash)
        .exclude(approver=dispute.decided_by_id)
        .select_related("approver")
        .first()
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
        "four_eyes",
        "executed_at",
    ]
    extra_readonly_fields = ("decision", "approval_state", "four_eyes")
    inlines = [DisputeEvidenceInline]
    action_permissions = ("escrow.decide_dispute", "escrow.approve_dispute")
    transition_services = {"decide": _decide, "execute": _execute}
    # Deciding and executing are the agents' steps; finance approves (the link beside History).
    transition_permissions = {"decide": "escrow.decide_dispute", "execute": "escrow.decide_dispute"}
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
            "{}<br>{} {}<br>{} <code>{}</code>",
            format_html(
                _("{outcome}: {payee} to the payee, {payer} back to the payer — {note}"),
                outcome=obj.get_outcome_display(),
                payee=korean.won(obj.payee_amount_krw),
                payer=korean.won(obj.payer_amount_krw),
                note=obj.decision_note,
            ),
            _("Decided by"),
            obj.decided_by,
            _("Decision hash"),
            obj.decision_hash,
        )

    @admin.display(description=_("second approval"))
    def approval_state(self, obj) -> str:
        if not obj.decision_hash:
            return "—"
        approval = _second_approval(obj)
        if approval is not None:
            # Kept after execution: the page always says who gave the second approval.
            return format_html("✓ {}", approval.approver)
        if not disputes.dispute_needs_second_approval(obj):
            return _("not needed")
        if obj.status != Dispute.Status.DECIDED:
            return "—"
        return _("waiting for a second (finance) approval")

    @admin.display(description=_("four-eyes record"))
    def four_eyes(self, obj) -> str:
        if not obj.decision_hash:
            return "—"
        approval = _second_approval(obj)
        executed_by, executed_at = transition_done_by(obj, "execute")
        if approval is not None:
            second = (_("Second approval"), approval.approver, approval.approved_at)
        elif disputes.dispute_needs_second_approval(obj):
            second = (_("Second approval"), None, None)
        else:
            second = (_("Second approval"), _("not needed"), None)
        return four_eyes_record(
            [
                (_("Decided"), obj.decided_by, obj.decided_at),
                second,
                (_("Executed"), executed_by, executed_at or obj.executed_at),
            ]
        )

    def get_extra_tools(self, request, obj) -> list:
        # The approval button only for finance staff other than the decider, while it is needed.
        if (
            obj.status == Dispute.Status.DECIDED
            and disputes.dispute_needs_second_approval(obj)
            and _second_approval(obj) is None
            and request.user.has_perm("escrow.approve_dispute")
            and request.user.pk != obj.decided_by_id
        ):
            return [(_("Approve decision…"), reverse("admin:escrow_dispute_approve", args=[obj.pk]))]
        return []

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
