"""The escrow API: agreements, conditions, evidence, milestones, disputes, claims and payouts.

Every object is scoped to the caller. A consumer sees the agreements they pay into; a partner
member (the partner named in `X-Partner-Id`, or their only one) sees the agreements their partner is
paid by. Anything else is a 404. Any POST may carry an `Idempotency-Key` header
(trustplatform/api/idempotency.py).
Views translate and delegate: the rules live in escrow.services.
"""

from .actions import (
    EscrowClaimFileApi,
    EscrowConditionConfirmApi,
    EscrowConditionEvidenceApi,
    EscrowDisputeEvidenceApi,
    EscrowDisputeOpenApi,
    EscrowDisputeWithdrawApi,
    EscrowMilestoneApproveApi,
    EscrowMilestoneSubmitApi,
)
from .agreements import (
    EscrowAgreementAcceptApi,
    EscrowAgreementDetailApi,
    EscrowAgreementListApi,
    EscrowPaymentStartApi,
)
from .payouts import EscrowPayoutListApi

__all__ = [
    "EscrowAgreementAcceptApi",
    "EscrowAgreementDetailApi",
    "EscrowAgreementListApi",
    "EscrowClaimFileApi",
    "EscrowConditionConfirmApi",
    "EscrowConditionEvidenceApi",
    "EscrowDisputeEvidenceApi",
    "EscrowDisputeOpenApi",
    "EscrowDisputeWithdrawApi",
    "EscrowMilestoneApproveApi",
    "EscrowMilestoneSubmitApi",
    "EscrowPaymentStartApi",
    "EscrowPayoutListApi",
]
