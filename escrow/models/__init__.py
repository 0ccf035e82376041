from .agreements import MILESTONES_DONE, Condition, EscrowAgreement, Milestone
from .disputes import CLAIMS_OPEN, ClaimApproval, Dispute, DisputeAnswer, DisputeApproval, GuaranteeClaim
from .evidence import Evidence

__all__ = [
    "CLAIMS_OPEN",
    "ClaimApproval",
    "MILESTONES_DONE",
    "Condition",
    "Dispute",
    "DisputeAnswer",
    "DisputeApproval",
    "EscrowAgreement",
    "Evidence",
    "GuaranteeClaim",
    "Milestone",
]
