"""The escrow staff console: agreements, the work queues (evidence review, disputes, guarantee
claims). Nothing here edits money or a status
field: every action calls the escrow service that owns the change."""

from . import agreements, claims, disputes, evidence  # noqa: F401  (each registers its admins)
