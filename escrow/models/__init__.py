from .agreements import MILESTONES_DONE, Condition, EscrowAgreement, Evidence, Milestone
from .disputes import CLAIMS_OPEN, ClaimApproval, Dispute, DisputeApproval, GuaranteeClaim

__all__ = [
    "CLAIMS_OPEN",
    "ClaimApproval",
    "MILESTONES_DONE",
    "Condition",
    "Dispute",
    "DisputeApproval",
    "EscrowAgreement",
    "Evidence",
    "GuaranteeClaim",
    "Milestone",
]
