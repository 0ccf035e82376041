"""The payer's payment into an agreement, through the platform's payments module: the checkout, and
what a confirmed payment means for the agreement (the money is held in trust and the agreement funded)."""

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from escrow.models import EscrowAgreement
from trustplatform.ledger.services import ledger_transfer, platform_account
from trustplatform.notifications.services import Phrase, notification_send
from trustplatform.payments import services as payments
from trustplatform.payments.handlers import PaymentHandler
from trustplatform.payments.models import Payment
from trustplatform.transitions import transition_run

from .common import (
    EscrowConflict,
    EscrowForbidden,
    EscrowNotFound,
    holding_account,
    lock_agreement,
    require_side,
)
from .contact import safe_number_choose
from .release import registry_baseline_take


def payment_start(
    *, agreement: EscrowAgreement, actor, method: str, use_safe_number: bool | None = None
) -> Payment:
    """Open a checkout for the full amount; only the payer pays, only an agreed agreement. Records the
    payer's safe-number answer (None: their remembered one), acted on once the money arrives."""
    if require_side(user=actor, agreement=agreement, sides=("payer",)) != "payer":
        raise EscrowForbidden(_("Only the payer pays."))
    payments.method_check(method)
    with transaction.atomic():
        agreement = lock_agreement(agreement.pk)
        if agreement.status != EscrowAgreement.Status.AGREED:
            raise EscrowConflict(_("This agreement cannot be paid now."), code="not_payable")
        holding_account(agreement)  # opened now, not on the webhook's path when the money arrives
        safe_number_choose(agreement=agreement, use_safe_number=use_safe_number)
        return payments.payment_open(
            subject=agreement, payer=agreement.payer, amount_krw=agreement.amount_krw, method=method
        )


class AgreementPayments(PaymentHandler):
    """A confirmed payment moves the money from the provider's clearing into the agreement's holding
    account and funds the agreement; an agreement no longer waiting for money refuses it."""

    model = EscrowAgreement

    def lock(self, subject_id: int) -> EscrowAgreement:
        # The payer is read with it (not locked): `paid` tells them, in their language.
        try:
            return EscrowAgreement.objects.select_for_update(of=("self",)).select_related("payer").get(
                pk=subject_id)
        except EscrowAgreement.DoesNotExist as exc:
            raise EscrowNotFound(_("No such agreement.")) from exc

    def refusal(self, agreement: EscrowAgreement) -> str:
        if agreement.status != EscrowAgreement.Status.AGREED:
            return f"agreement is {agreement.status}"
        return ""

    def paid(self, *, payment: Payment, subject: EscrowAgreement) -> str:
        agreement = subject
        ledger_transfer(
            debit=platform_account(payments.PSP_CLEARING),
            credit=holding_account(agreement),
            amount_krw=payment.amount_krw,
            key=f"payment:{payment.pk}:funding",
            reason=f"deposit paid for agreement #{agreement.pk}",
            subject=agreement,
        )
        # One write of the agreement: funded, when, and the registry as it stands now.
        agreement.funded_at = timezone.now()
        registry_baseline_take(agreement=agreement)
        agreement = transition_run(instance=agreement, name="fund", locked=True)  # locked by `lock`
        notification_send(
            user=agreement.payer,
            title=Phrase(
                gettext_lazy("Your payment of ₩%(amount)s is held safely."),
                {"amount": f"{payment.amount_krw:,}"},
            ),
            url=reverse("escrow:detail", args=[agreement.pk]),
        )
        from escrow.tasks import agreement_evaluate_task, agreement_safe_number_task

        agreement_evaluate_task.delay_on_commit(agreement.pk)
        if agreement.payer.phone and agreement.payer.phone_verified:  # no safe number without one
            agreement_safe_number_task.delay_on_commit(agreement.pk)
        return "funded"

    def payer_url(self, subject: EscrowAgreement) -> str:
        return reverse("escrow:detail", args=[subject.pk])
