"""The whole road of a deposit with PortOne, against the local fake of its API and the real SDK: paid
by card, funded by the payment fetched from PortOne, released when its conditions hold, paid out to
the landlord's verified account, and marked paid only when PortOne's payout succeeded."""

import pytest
from django.urls import reverse

from escrow.models import EscrowAgreement
from escrow.services import payments as escrow_payments
from escrow.services import release
from tests.escrow.factories import agreed_rental, staff_with
from tests.factories import MembershipFactory
from trustplatform.ledger.selectors import ledger_reconcile
from trustplatform.ledger.services import partner_payable
from trustplatform.payments import payouts
from trustplatform.payments.models import Payout
from trustplatform.payments.reconciliation import payments_reconcile

pytestmark = pytest.mark.django_db


def test_card_deposit_funded_released_paid_out_and_paid(client, portone, settings,
                                                        django_capture_on_commit_callbacks):
    settings.ESCROW_FEE_BPS = 100
    agreement, tenant, landlord = agreed_rental(amount_krw=3_000_000)
    payment = escrow_payments.payment_start(agreement=agreement, actor=tenant, method="card")
    portone.pay(payment.provider_payment_id)
    body, headers = portone.webhook("Transaction.Paid", payment.provider_payment_id)
    answer = client.post(reverse("payments:webhook", args=["portone"]), data=body,
                         content_type="application/json",
                         headers={k: v for k, v in headers.items() if k != "Content-Type"})
    assert answer.json()["outcome"] == "funded"
    agreement.refresh_from_db()
    assert agreement.status == EscrowAgreement.Status.FUNDED, agreement.status

    release.condition_confirm(condition=agreement.conditions.get(kind="counterparty"), actor=tenant)
    release.condition_review(condition=agreement.conditions.get(kind="document"),
                             actor=staff_with("review_document"), accept=True)
    release.agreement_evaluate(agreement_id=agreement.pk)
    agreement.refresh_from_db()
    assert agreement.status == EscrowAgreement.Status.RELEASED
    payee = agreement.payee
    owner = MembershipFactory(partner=payee, role="owner").user
    earned = partner_payable(payee).available_krw
    assert earned == 2_970_000

    holder = payee.representative
    portone.holders[("SHINHAN", "110000123456")] = holder
    payouts.payout_account_register(partner=payee, actor=owner, bank="SHINHAN", number="110000123456",
                                    holder=holder)
    with django_capture_on_commit_callbacks(execute=True):
        payout = payouts.payout_request(partner=payee, amount_krw=earned, actor=owner)
    assert portone.transfers[payout.provider_payout_id]["amount"] == earned
    assert partner_payable(payee).balance_krw == earned  # on its way, not gone
    portone.payout_run(payout.provider_payout_id)
    assert payouts.payout_sync(payout=payout) == ["payout_paid"]
    payout.refresh_from_db()
    assert payout.status == Payout.Status.PAID and partner_payable(payee).balance_krw == 0
    assert ledger_reconcile() == [] and payments_reconcile() == []
