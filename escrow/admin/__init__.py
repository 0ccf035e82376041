"""The escrow staff console: agreements, the work queues (evidence review, disputes, guarantee
claims). Nothing here edits money or a status
field: every action calls the escrow service that owns the change."""

from django.utils.translation import gettext_noop

from trustplatform.ledger.reasons import reasons_register

from . import agreements, claims, disputes, evidence  # noqa: F401  (each registers its admins)

# The ledger reasons escrow's services write, shown translated (trustplatform/ledger/reasons.py).
reasons_register(
    gettext_noop("deposit paid for agreement #%(id)s"),
    gettext_noop("release of agreement #%(id)s"),
    gettext_noop("fee on agreement #%(id)s"),
    gettext_noop("guarantee claim #%(id)s"),
)
