"""Guarantee claims: an agent approves (amount, pay to) or rejects, a second finance user approves
large decisions (bound to the decision's hash), an agent pays. Each step is an escrow.services.claims
call."""

from django.conf import settings
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef
from django.http import Http404, HttpResponseRedirect
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from escrow.models import ClaimApproval, GuaranteeClaim
from escrow.services import claims
from trustplatform.admin_base import QueueFilter, ServiceTransitionAdmin, four_eyes_record, transition_done_by
from trustplatform.ledger.models import LedgerAccount
from trustplatform.pages import page_action
from trustplatform.ui import korean

from .evidence import ClaimEvidenceInline
from .forms import ClaimApproveForm, ClaimCountersignForm, ReasonForm


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


def _second_approval(claim):
    if not claim.decision_hash:
        return None
    return (
        claim.approvals.filter(decision_hash=claim.decision_hash)
        .exclude(approver=claim.decided_by_id)
        .select_related("approver")
        .first()
    )


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
class GuaranteeClaimAdmin(ServiceTransitionAdmin):
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

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("agreement", "decided_by")

    def get_urls(self):
        return [
            path(
                "<int:claim_id>/approve/",
                self.admin_site.admin_view(self.approve_view),
                name="escrow_guaranteeclaim_approve",
            ),
            *super().get_urls(),
        ]

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

    @admin.display(description=_("second approval"))
    def approval_state(self, obj) -> str:
        if not obj.decision_hash:
            return "—"
        approval = _second_approval(obj)
        if approval is not None:
            # Kept after payment: the page always says who gave the second approval.
            return format_html("✓ {}", approval.approver)
        if not claims.claim_needs_second_approval(obj):
            return _("not needed")
        if obj.status != GuaranteeClaim.Status.APPROVED:
            return "—"
        return _("waiting for a second (finance) approval")

    @admin.display(description=_("four-eyes record"))
    def four_eyes(self, obj) -> str:
        if not obj.decision_hash:
            return "—"
        approval = _second_approval(obj)
        paid_by, paid_at = transition_done_by(obj, "mark_paid")
        if approval is not None:
            second = (_("Second approval"), approval.approver, approval.approved_at)
        elif claims.claim_needs_second_approval(obj):
            second = (_("Second approval"), None, None)
        else:
            second = (_("Second approval"), _("not needed"), None)
        return four_eyes_record(
            [(_("Decided"), obj.decided_by, obj.decided_at), second, (_("Paid"), paid_by, paid_at)]
        )

    def get_extra_tools(self, request, obj) -> list:
        # The approval button only for finance staff other than the decider, while it is needed.
        if (
            obj.status == GuaranteeClaim.Status.APPROVED
            and claims.claim_needs_second_approval(obj)
            and _second_approval(obj) is None
            and request.user.has_perm("escrow.approve_claim")
            and request.user.pk != obj.decided_by_id
        ):
            return [(_("Approve decision…"), reverse("admin:escrow_guaranteeclaim_approve", args=[obj.pk]))]
        return []

    def approve_view(self, request, claim_id: int):
        """A finance user approves the exact claim decision shown here, bound to its hash."""
        claim = self.get_queryset(request).filter(pk=claim_id).first()
        if claim is None:
            raise Http404
        if not self.has_change_permission(request, claim):
            raise PermissionDenied
        form = ClaimCountersignForm(request.POST or None, initial={"decision_hash": claim.decision_hash})
        if request.method == "POST" and form.is_valid():
            page_action(
                request,
                lambda: claims.claim_countersign(
                    claim=claim, actor=request.user, decision_hash=form.cleaned_data["decision_hash"]
                ),
                _("Decision approved."),
            )
            return HttpResponseRedirect(reverse("admin:escrow_guaranteeclaim_change", args=[claim.pk]))
        intro = _(
            "Claim: %(claim)s\nAsked: ₩%(asked)s\nApproved: ₩%(amount)s, paid to %(pay_to)s\n"
            "Decided by %(by)s\n\nYou approve this exact decision, hash %(hash)s. "
            "If it changes, this approval no longer counts."
        ) % {
            "claim": claim,
            "asked": f"{claim.amount_requested_krw:,}",
            "amount": f"{claim.amount_approved_krw:,}",
            "pay_to": claim.replacement or claim.get_pay_to_display(),
            "by": claim.decided_by or "—",
            "hash": claim.decision_hash or "—",
        }
        return self.render_form_page(
            request,
            title=_("Approve the decision on %(claim)s") % {"claim": claim},
            form=form,
            intro=intro,
            submit=_("Approve this decision"),
        )
