from .agreements import Condition, EscrowAgreement, Evidence, Milestone
from .disputes import Dispute, DisputeApproval, GuaranteeClaim
from .ledger import Hold, LedgerAccount, PendingCredit, Transfer
from .payments import IdempotentRequest, Payment, Payout, ProviderEvent, SandboxRegistryRecord

__all__ = [
    "Condition",
    "Dispute",
    "DisputeApproval",
    "EscrowAgreement",
    "Evidence",
    "GuaranteeClaim",
    "Hold",
    "IdempotentRequest",
    "LedgerAccount",
    "Milestone",
    "Payment",
    "PendingCredit",
    "Payout",
    "ProviderEvent",
    "SandboxRegistryRecord",
    "Transfer",
]
