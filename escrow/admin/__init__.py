"""The escrow staff console: agreements, the work queues (evidence review, disputes, guarantee
claims) and the read-only ledger with its reconciliation. Nothing here edits money or a status
field: every action calls the escrow service that owns the change."""

from . import agreements, claims, disputes, evidence, ledger  # noqa: F401  (each registers its admins)
