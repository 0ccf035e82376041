from .agreements import MILESTONES_DONE, Condition, EscrowAgreement, Evidence, Milestone
from .disputes import CLAIMS_OPEN, Dispute, DisputeApproval, GuaranteeClaim

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
]
