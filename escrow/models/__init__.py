from .agreements import MILESTONES_DONE, Condition, EscrowAgreement, Evidence, Milestone
from .disputes import CLAIMS_OPEN, Dispute, DisputeApproval, GuaranteeClaim
from .payments import Payment, Payout, ProviderEvent

__all__ = [
    "CLAIMS_OPEN",
    "MILESTONES_DONE",
    "Condition",
    "Dispute",
    "DisputeApproval",
    "EscrowAgreement",
    "Evidence",
    "GuaranteeClaim",
    "Milestone",
    "Payment",
    "Payout",
    "ProviderEvent",
]
