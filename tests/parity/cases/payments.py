"""Payments: a verified provider event is applied while the provider waits for the answer, or stored for
a worker when events are already waiting (services._inline_slot_take: an advisory-lock slot on
PostgreSQL, none needed on SQLite). Either way the deposit ends funded exactly once."""

from escrow.services import payments
from tests.escrow.factories import agreed_rental
from trustplatform.payments.models import ProviderEvent
from trustplatform.payments.providers import ProviderEventData
from trustplatform.payments.services import provider_event_apply, provider_event_receive

from . import attempt, case


def _deposit(amount_krw: int):
    agreement, tenant, _landlord = agreed_rental(amount_krw=amount_krw)
    payment = payments.payment_start(agreement=agreement, actor=tenant, method="card")
    return agreement, payment


def _paid(payment, event_id: str) -> ProviderEventData:
    return ProviderEventData(event_id, "payment.paid",
                             {"payment_id": payment.provider_payment_id, "amount_krw": payment.amount_krw})


def _state(agreement, event_id: str) -> dict:
    agreement.refresh_from_db()
    stored = ProviderEvent.objects.get(provider="sandbox", event_id=event_id)
    return {"agreement": agreement.status, "outcome": stored.outcome, "facts": len(stored.facts),
            "applied": stored.applied_at is not None}


@case("payments.events", expect=lambda answer: answer["received"] == {"ok": "funded"}
      and answer["after"]["agreement"] == "funded")
def payment_event_applied_while_the_provider_waits():
    agreement, payment = _deposit(10_000_000)
    received = attempt(lambda: provider_event_receive(provider="sandbox", event=_paid(payment, "parity-e1")))
    return {"received": received, "after": _state(agreement, "parity-e1")}


@case("payments.events", expect=lambda answer: answer["received"] == {"ok": "queued"}
      and answer["before"]["agreement"] == "agreed" and answer["after"]["agreement"] == "funded")
def payment_event_queued_behind_a_waiting_one():
    waiting_agreement, waiting_payment = _deposit(11_000_000)
    ProviderEvent.objects.create(
        provider="sandbox", event_id="parity-w1", event_type="payment.paid", payload={},
        facts=[["payment.paid", _paid(waiting_payment, "parity-w1").data]],
    )
    agreement, payment = _deposit(12_000_000)
    received = attempt(lambda: provider_event_receive(provider="sandbox", event=_paid(payment, "parity-e2")))
    before = _state(agreement, "parity-e2")
    applied = [provider_event_apply(event_pk=stored.pk)
               for stored in ProviderEvent.objects.filter(outcome="").order_by("received_at", "pk")]
    again = provider_event_apply(event_pk=ProviderEvent.objects.get(event_id="parity-e2").pk)
    return {"received": received, "before": before, "applied": applied, "again": again,
            "after": _state(agreement, "parity-e2"), "waiting": _state(waiting_agreement, "parity-w1")}
