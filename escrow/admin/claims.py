"""Guarantee claims: an agent approves (amount, pay to) or rejects, a second finance user approves
large decisions (bound to the decision's hash), an agent pays. Each step is an escrow.services.claims
call."""

from django.conf import settings
from django.contrib import admin
from django.db.models import Exists, OuterRef
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from escrow.models import ClaimApproval, GuaranteeClaim
from escrow.services import claims
from trustplatform.admin_base import QueueFilter, ServiceTransitionAdmin
from trustplatform.ledger.models import LedgerAccount
from trustplatform.ui import korean

from .evidence import ClaimEvidenceInline
from .forms import ClaimApproveForm, ClaimCountersignForm, ReasonForm
from .four_eyes import FourEyesAdminMixin


def _claim_approve(*, instance, actor, amount_krw: int, pay_to: str, replacement=None, reason: str = ""):
    return claims.claim_decide(
        claim=instance,
        actor=actor,
        approve=True,
        amount_krw=amount_krw,
        pay_to=pay_to,
        replacement=replacement,
        reason=reason,
    )


def _claim_reject(*, instance, actor, reason: str):
    return claims.claim_decide(claim=instance, actor=actor, approve=False, reason=reason)


def _claim_pay(*, instance, actor, **kwargs):
    return claims.claim_pay(claim=instance, actor=actor)


def _waiting_for_approval(queryset):
    valid = ClaimApproval.objects.filter(
        claim=OuterRef("pk"), decision_hash=OuterRef("decision_hash")
    ).exclude(approver=OuterRef("decided_by"))
    return queryset.filter(
        status=GuaranteeClaim.Status.APPROVED,
        amount_approved_krw__gte=settings.ESCROW_FOUR_EYES_THRESHOLD_KRW,
    ).filter(~Exists(valid))


class ClaimQueue(QueueFilter):
    title = _("queue")
    default = "open"
    queues = {
        "open": (
            _("Filed or approved, not paid"),
            {"status__in": [GuaranteeClaim.Status.FILED, GuaranteeClaim.Status.APPROVED]},
        ),
        "approval": (_("Waiting for a second (finance) approval"), _waiting_for_approval),
        "all": (_("All claims"), None),
    }


@admin.register(GuaranteeClaim)
class GuaranteeClaimAdmin(FourEyesAdminMixin, ServiceTransitionAdmin):
    list_display = [
        "__str__",
        "status",
        "amount_requested_krw",
        "amount_approved_krw",
        "pay_to",
        "approval_state",
        "filed_at",
    ]
    list_filter = [ClaimQueue, "status", "accident"]
    search_fields = ["=id", "=agreement__id", "agreement__title", "description"]
    fields = [
        "agreement",
        "accident",
        "description",
        "amount_requested_krw",
        "status",
        "amount_approved_krw",
        "pay_to",
        "replacement",
        "decision",
        "approval_state",
        "four_eyes",
        "guarantee_fund",
        "filed_by",
        "filed_at",
        "decided_at",
    ]
    extra_readonly_fields = ("guarantee_fund", "decision", "approval_state", "four_eyes")
    inlines = [ClaimEvidenceInline]
    action_permissions = ("escrow.decide_claim", "escrow.approve_claim")
    transition_services = {"approve": _claim_approve, "reject": _claim_reject, "mark_paid": _claim_pay}
    # Deciding and paying are the agents' steps; finance approves (the link beside History).
    transition_permissions = {
        "approve": "escrow.decide_claim", "reject": "escrow.decide_claim", "mark_paid": "escrow.decide_claim",
    }
    transition_labels = {
        "approve": _("Approve…"),
        "reject": _("Reject…"),
        "mark_paid": _("Pay (moves the money)"),
    }
    fsm_forms = {"approve": ClaimApproveForm, "reject": ReasonForm}
    decided_status = GuaranteeClaim.Status.APPROVED
    approve_permission = "escrow.approve_claim"
    money_transition = "mark_paid"
    money_step_label = _("Paid")
    approval_form = ClaimCountersignForm

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("agreement", "decided_by")

    @admin.display(description=_("guarantee fund available"))
    def guarantee_fund(self, obj) -> str:
        fund = LedgerAccount.objects.filter(code="platform-guarantee-fund").first()
        available = fund.available_krw if fund else 0
        return _("%(available)s (cap per agreement %(cap)s)") % {
            "available": korean.won(available),
            "cap": korean.won(settings.ESCROW_GUARANTEE_CAP_KRW),
        }

    @admin.display(description=_("decision"))
    def decision(self, obj) -> str:
        if not obj.decision_hash:
            return "—"
        return format_html(
            "{} → {}<br>{} {}<br>{} <code>{}</code>",
            korean.won(obj.amount_approved_krw),
            obj.replacement or obj.get_pay_to_display(),
            _("Decided by"),
            obj.decided_by,
            _("Decision hash"),
            obj.decision_hash,
        )

    def needs_second_approval(self, obj) -> bool:
        return claims.claim_needs_second_approval(obj)

    def countersign(self, obj, *, actor, decision_hash: str):
        return claims.claim_countersign(claim=obj, actor=actor, decision_hash=decision_hash)

    def approval_intro(self, obj) -> str:
        return _(
            "Claim: %(claim)s\nAsked: ₩%(asked)s\nApproved: ₩%(amount)s, paid to %(pay_to)s\n"
            "Decided by %(by)s\n\nYou approve this exact decision, hash %(hash)s. "
            "If it changes, this approval no longer counts."
        ) % {
            "claim": obj,
            "asked": f"{obj.amount_requested_krw:,}",
            "amount": f"{obj.amount_approved_krw:,}",
            "pay_to": obj.replacement or obj.get_pay_to_display(),
            "by": obj.decided_by or "—",
            "hash": obj.decision_hash or "—",
        }
