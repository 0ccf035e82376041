from .agreements import MILESTONES_DONE, Condition, EscrowAgreement, Evidence, Milestone
from .disputes import CLAIMS_OPEN, Dispute, DisputeApproval, GuaranteeClaim
from .ledger import Hold, LedgerAccount, PendingCredit, Transfer
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
    "Hold",
    "LedgerAccount",
    "Milestone",
    "Payment",
    "PendingCredit",
    "Payout",
    "ProviderEvent",
    "Transfer",
]
