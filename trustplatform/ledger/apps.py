from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LedgerConfig(AppConfig):
    """The platform's double-entry ledger: accounts, append-only transfers, holds, queued credits."""

    name = "trustplatform.ledger"
    label = "ledger"
    verbose_name = _("Ledger")
    # Finance reads the ledger, holds the operating account and tops up the guarantee fund.
    staff_permissions = {
        "finance": [
            "view_ledgeraccount",
            "view_transfer",
            "view_hold",
            "view_fundtopup",
            "view_guaranteefundalert",
            "request_fundtopup",
            "approve_fundtopup",
            "fund_operating_account",
        ]
    }
