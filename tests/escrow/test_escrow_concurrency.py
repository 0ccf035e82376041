"""Money under real parallel requests: exactly one outcome wins, nothing is paid twice."""


import pytest

from escrow.models import EscrowAgreement
from escrow.services import payments, release
from escrow.services.common import holding_account
from tests.race import race
from trustplatform.errors import DomainError
from trustplatform.ledger.models import Transfer
from trustplatform.ledger.selectors import ledger_reconcile
from trustplatform.payments import services as platform_payments
from trustplatform.payments.models import ProviderEvent, Refund
from trustplatform.payments.providers import SandboxProvider

from .factories import agreed_rental, fund, paid_event, staff_with

pytestmark = pytest.mark.django_db(transaction=True)


def _race(work, count):
    return race(work, count, expected=(DomainError,))


def _ready_to_release():
    agreement, tenant, landlord = agreed_rental()
    fund(agreement, tenant)
    for condition in agreement.conditions.filter(kind__in=["counterparty", "document"]):
        if condition.kind == "counterparty":
            release.condition_confirm(condition=condition, actor=tenant)
        else:
            release.condition_review(condition=condition, actor=staff_with("review_document"), accept=True)
    return agreement


def test_100_concurrent_release_attempts_release_once():
    agreement = _ready_to_release()
    outcomes = _race(lambda i: release.agreement_evaluate(agreement_id=agreement.pk), 100)
    assert outcomes.count("released") == 1
    assert set(outcomes) == {"released", "not_live"}
    assert (
        Transfer.objects.filter(idempotency_key__startswith=f"agreement:{agreement.pk}:release").count() == 2
    )
    assert holding_account(agreement).balance_krw == 0 and ledger_reconcile() == []


def test_a_release_racing_a_refund_has_exactly_one_winner(settled):
    # `settled`: the sandbox's confirmation of a refund is applied as its webhook view applies it, not by
    # a worker, which this test does not run (when the refund won, nothing confirmed it).
    agreement = _ready_to_release()
    staff = staff_with("change_escrowagreement")

    def work(index):
        if index % 2:
            return release.agreement_evaluate(agreement_id=agreement.pk)
        return release.agreement_refund(agreement=agreement, actor=staff, reason="race").status

    outcomes = _race(work, 20)
    # A refund leaves the ledger when the payment company confirms it. On a loaded machine its first
    # sending (after the commit) can miss that answer; the beat's sweep asks again, as here.
    platform_payments.refunds_sync(older_than_seconds=0)
    agreement.refresh_from_db()
    holding = holding_account(agreement)
    assert holding.balance_krw == 0 and ledger_reconcile() == [], (
        agreement.status, outcomes,
        list(Refund.objects.values_list("status", "attempts", "provider_refund_id")),
    )
    moved_out = Transfer.objects.filter(debit_account=holding)
    if agreement.status == EscrowAgreement.Status.RELEASED:
        assert not moved_out.filter(idempotency_key__endswith=":refund").exists()
        assert all(isinstance(o, DomainError) or o in ("released", "not_live") for o in outcomes)
    else:
        assert agreement.status == EscrowAgreement.Status.REFUNDED
        assert moved_out.count() == 1 and moved_out.get().idempotency_key.endswith(":refund")


@pytest.mark.parametrize("inline_slots", [30, 1])
def test_a_duplicated_psp_webhook_delivered_in_parallel_funds_once(settings, inline_slots):
    # 30 slots: every copy is applied while the provider waits; 1: most copies find the slot taken and
    # store the event for the worker. Either way one event is stored and the deposit is funded once.
    settings.PAYMENTS_WEBHOOK_INLINE_SLOTS = inline_slots
    agreement, tenant, landlord = agreed_rental()
    payment = payments.payment_start(agreement=agreement, actor=tenant, method="card")
    body, headers = paid_event(payment)

    def work(index):
        event = SandboxProvider().parse_webhook(body=body, headers=headers)
        return platform_payments.provider_event_receive(provider="sandbox", event=event)

    outcomes = _race(work, 30)
    if inline_slots == 30:
        assert set(outcomes) == {"funded"}
    else:
        assert set(outcomes) <= {"funded", "queued"}
        # What the worker does with whatever was stored for it; the sweep finds it too.
        platform_payments.provider_events_apply_waiting(older_than_seconds=0)
    assert ProviderEvent.objects.count() == 1 and ProviderEvent.objects.get().outcome == "funded"
    assert Transfer.objects.filter(idempotency_key=f"payment:{payment.pk}:funding").count() == 1
    assert holding_account(agreement).balance_krw == agreement.amount_krw and ledger_reconcile() == []
