from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EscrowConfig(AppConfig):
    name = "escrow"
    verbose_name = _("Escrow")
    # Agents review documents and decide disputes and claims; finance gives the second approval of both.
    staff_permissions = {
        "agents": [
            "review_document", "decide_dispute", "decide_claim", "view_escrowagreement",
            "change_escrowagreement", "view_condition", "view_evidence", "view_dispute",
            "view_guaranteeclaim",
        ],
        "finance": [
            "approve_dispute", "view_dispute", "view_escrowagreement", "change_escrowagreement",
            "approve_claim", "view_guaranteeclaim",
        ],
    }

    def ready(self) -> None:
        from trustplatform.payments.handlers import handler_register

        from .services.payments import AgreementPayments

        handler_register(AgreementPayments())
