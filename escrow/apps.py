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
        from trustplatform.accounts.signals import user_signed_up
        from trustplatform.payments.handlers import handler_register

        from .services.payments import AgreementPayments

        handler_register(AgreementPayments())
        _questions_about_deposits()
        user_signed_up.connect(_payer_attach, dispatch_uid="escrow-payer-attach")


def _payer_attach(sender, *, user, **kwargs) -> None:
    """Agreements proposed to a new account's address, while it had none, become its own."""
    from .services.invitations import agreements_payer_attach

    agreements_payer_attach(user=user)


def _questions_about_deposits() -> None:
    """A payer may ask the agents' team about one of their own deposits."""
    from trustplatform.support.subjects import InquirySubject, subject_register

    from .selectors import agreements_for_user

    subject_register(
        InquirySubject(kind="agreement", label=_("Deposits"), category="deposit", mine=agreements_for_user)
    )
