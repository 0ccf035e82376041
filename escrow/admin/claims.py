"""Guarantee claims: approve (amount, pay to), reject, pay — through escrow.services.disputes."""

from django.conf import settings
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from escrow.models import GuaranteeClaim
from escrow.services import disputes
from trustplatform.admin_base import QueueFilter, ServiceTransitionAdmin
from trustplatform.ledger.models import LedgerAccount

from .evidence import ClaimEvidenceInline
from .forms import ClaimApproveForm, ReasonForm

# --- guarantee claims ------------------------------------------------------------------------


def _claim_approve(*, instance, actor, amount_krw: int, pay_to: str, replacement=None, reason: str = ""):
    return disputes.claim_decide(
        claim=instance,
        actor=actor,
        approve=True,
        amount_krw=amount_krw,
        pay_to=pay_to,
        replacement=replacement,
        reason=reason,
    )


def _claim_reject(*, instance, actor, reason: str):
    return disputes.claim_decide(claim=instance, actor=actor, approve=False, reason=reason)


def _claim_pay(*, instance, actor, **kwargs):
    return disputes.claim_pay(claim=instance, actor=actor)


class ClaimQueue(QueueFilter):
    title = _("queue")
    default = "open"
    queues = {
        "open": (
            _("Filed or approved, not paid"),
            {"status__in": [GuaranteeClaim.Status.FILED, GuaranteeClaim.Status.APPROVED]},
        ),
        "all": (_("All claims"), None),
    }


@admin.register(GuaranteeClaim)
class GuaranteeClaimAdmin(ServiceTransitionAdmin):
    list_display = ["__str__", "status", "amount_requested_krw", "amount_approved_krw", "pay_to", "filed_at"]
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
        "guarantee_fund",
        "filed_by",
        "filed_at",
        "decided_at",
    ]
    extra_readonly_fields = ("guarantee_fund",)
    inlines = [ClaimEvidenceInline]
    action_permissions = ("escrow.decide_claim",)
    transition_services = {"approve": _claim_approve, "reject": _claim_reject, "mark_paid": _claim_pay}
    transition_labels = {
        "approve": _("Approve…"),
        "reject": _("Reject…"),
        "mark_paid": _("Pay (moves the money)"),
    }
    fsm_forms = {"approve": ClaimApproveForm, "reject": ReasonForm}

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("agreement")

    @admin.display(description=_("guarantee fund available"))
    def guarantee_fund(self, obj) -> str:
        fund = LedgerAccount.objects.filter(code="platform-guarantee-fund").first()
        available = fund.available_krw if fund else 0
        return _("₩%(available)s (cap per agreement ₩%(cap)s)") % {
            "available": f"{available:,}",
            "cap": f"{settings.ESCROW_GUARANTEE_CAP_KRW:,}",
        }
