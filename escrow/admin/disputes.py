"""Disputes: an agent decides, a second finance user approves large decisions (bound to the
decision's hash), an agent executes. Each step is an escrow.services.disputes call."""

from django.conf import settings
from django.contrib import admin
from django.db.models import Exists, F, OuterRef
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from escrow.models import Dispute, DisputeApproval
from escrow.services import disputes
from trustplatform.admin_base import QueueFilter, ServiceTransitionAdmin, transition_done_by
from trustplatform.ui import korean

from .evidence import DisputeAnswerInline, DisputeEvidenceInline
from .forms import DisputeApproveForm, DisputeDecideForm
from .four_eyes import FourEyesAdminMixin


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
class DisputeAdmin(FourEyesAdminMixin, ServiceTransitionAdmin):
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
    inlines = [DisputeAnswerInline, DisputeEvidenceInline]
    action_permissions = ("escrow.decide_dispute", "escrow.approve_dispute")
    transition_services = {"decide": _decide, "execute": _execute}
    # Deciding and executing are the agents' steps; finance approves (the link beside History).
    transition_permissions = {"decide": "escrow.decide_dispute", "execute": "escrow.decide_dispute"}
    transition_labels = {"decide": _("Decide"), "execute": _("Execute the decision (moves the money)")}
    fsm_forms = {"decide": DisputeDecideForm}
    decided_status = Dispute.Status.DECIDED
    approve_permission = "escrow.approve_dispute"
    money_transition = "execute"
    money_step_label = _("Executed")
    approval_form = DisputeApproveForm

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("agreement", "decided_by")

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

    def needs_second_approval(self, obj) -> bool:
        return disputes.dispute_needs_second_approval(obj)

    def countersign(self, obj, *, actor, decision_hash: str):
        return disputes.dispute_approve(dispute=obj, actor=actor, decision_hash=decision_hash)

    def money_moved(self, obj):
        executed_by, executed_at = transition_done_by(obj, self.money_transition)
        return executed_by, executed_at or obj.executed_at

    def approval_intro(self, obj) -> str:
        return _(
            "Outcome: %(outcome)s\nTo the payee: ₩%(payee)s\nBack to the payer: ₩%(payer)s\n"
            "Decided by %(by)s: %(note)s\n\nYou approve this exact decision, hash %(hash)s. "
            "If it changes, this approval no longer counts."
        ) % {
            "outcome": obj.get_outcome_display() or "—",
            "payee": f"{obj.payee_amount_krw:,}",
            "payer": f"{obj.payer_amount_krw:,}",
            "by": obj.decided_by or "—",
            "note": obj.decision_note or "—",
            "hash": obj.decision_hash or "—",
        }
