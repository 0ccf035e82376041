"""A burst of provider webhooks is answered promptly: beyond the deployment's inline slots, a verified event
is stored with what PortOne answered when asked, and a worker applies it a moment later, exactly once.

The slot is a PostgreSQL advisory lock held for the apply's transaction; another connection holding it
stands for a web process busy applying another webhook. SQLite takes the same decisions (tests/parity).
"""

import psycopg
import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from escrow.models import EscrowAgreement
from escrow.services.common import holding_account
from tests.core.test_portone import card_deposit, post_webhook
from tests.worker import wait_until
from trustplatform.ledger.models import Transfer
from trustplatform.ledger.selectors import ledger_reconcile
from trustplatform.payments import services as payments
from trustplatform.payments.models import ProviderEvent
from trustplatform.payments.tasks import provider_event_apply_task

pytest_plugins = ["tests.worker"]


def _other_connection() -> psycopg.Connection:
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    return psycopg.connect(**params, autocommit=True)


class SlotsTaken:
    """Another web process applying webhooks: it holds every inline slot until the block ends."""

    def __init__(self, slots: int):
        self.slots = slots

    def __enter__(self):
        self.other = _other_connection()
        for slot in range(1, self.slots + 1):
            self.other.execute("SELECT pg_advisory_lock(%s, %s)", [payments._INLINE_SLOT_LOCKS, slot])
        return self

    def __exit__(self, *exc):
        self.other.close()


def _funding_transfers(payment) -> int:
    return Transfer.objects.filter(idempotency_key=f"payment:{payment.pk}:funding").count()


@pytest.mark.django_db
def test_with_every_slot_taken_the_webhook_is_answered_and_stored_for_a_worker(
    client, portone, settings, django_capture_on_commit_callbacks
):
    settings.PAYMENTS_WEBHOOK_INLINE_SLOTS = 2
    agreement, _tenant, payment = card_deposit(portone)
    portone.pay(payment.provider_payment_id)
    body, headers = portone.webhook("Transaction.Paid", payment.provider_payment_id, webhook_id="wh_burst")
    with SlotsTaken(2), django_capture_on_commit_callbacks() as queued:
        response = post_webhook(client, body, headers)
    assert response.status_code == 200 and response.json()["outcome"] == "queued"
    # PortOne was asked before the answer, and what it said is what the worker will apply.
    assert ("GET", f"/payments/{payment.provider_payment_id}", {}) in portone.requests
    stored = ProviderEvent.objects.get(provider="portone", event_id="wh_burst")
    assert stored.outcome == "" and stored.applied_at is None
    assert stored.facts == [["payment.paid", {"payment_id": payment.provider_payment_id,
                                              "amount_krw": 3_000_000, "currency": "KRW"}]]
    agreement.refresh_from_db()
    assert agreement.status == EscrowAgreement.Status.AGREED and _funding_transfers(payment) == 0
    assert len(queued) == 1  # the worker's task, sent once the event is committed

    # PortOne sends it again before the worker ran: answered from the inbox, not fetched or stored twice.
    fetches = sum(1 for request in portone.requests if request[0] == "GET")
    assert post_webhook(client, body, headers).json()["outcome"] == "queued"
    assert sum(1 for request in portone.requests if request[0] == "GET") == fetches

    assert payments.provider_event_apply(event_pk=stored.pk) == "funded"
    assert payments.provider_event_apply(event_pk=stored.pk) == "funded"  # the task delivered twice
    agreement.refresh_from_db()
    stored.refresh_from_db()
    assert agreement.status == EscrowAgreement.Status.FUNDED and stored.outcome == "funded"
    assert stored.applied_at is not None and _funding_transfers(payment) == 1
    assert holding_account(agreement).balance_krw == 3_000_000
    assert post_webhook(client, body, headers).json()["outcome"] == "funded"
    assert ledger_reconcile() == []


@pytest.mark.django_db
def test_a_free_slot_applies_at_once_and_a_waiting_event_is_never_overtaken(client, portone, settings):
    settings.PAYMENTS_WEBHOOK_INLINE_SLOTS = 2
    first, _tenant, first_payment = card_deposit(portone)
    second, _tenant2, second_payment = card_deposit(portone, amount_krw=4_000_000)
    for payment in (first_payment, second_payment):
        portone.pay(payment.provider_payment_id)

    # One slot of two taken: the other is free, so the webhook is applied while PortOne waits.
    with SlotsTaken(1):
        assert post_webhook(client, *portone.webhook("Transaction.Paid", first_payment.provider_payment_id)
                            ).json()["outcome"] == "funded"
    first.refresh_from_db()
    assert first.status == EscrowAgreement.Status.FUNDED

    # An event still waiting for the worker: the next one joins the queue though every slot is free.
    waiting = ProviderEvent.objects.create(provider="portone", event_id="wh_waiting", event_type="x",
                                           payload={}, facts=[])
    assert post_webhook(client, *portone.webhook("Transaction.Paid", second_payment.provider_payment_id)
                        ).json()["outcome"] == "queued"
    second.refresh_from_db()
    assert second.status == EscrowAgreement.Status.AGREED
    assert payments.provider_event_apply(event_pk=waiting.pk) == "ignored"


@pytest.mark.django_db
def test_with_no_inline_slots_every_event_goes_to_the_worker(client, portone, settings):
    settings.PAYMENTS_WEBHOOK_INLINE_SLOTS = 0
    agreement, _tenant, payment = card_deposit(portone)
    portone.pay(payment.provider_payment_id)
    assert post_webhook(client, *portone.webhook("Transaction.Paid", payment.provider_payment_id)
                        ).json()["outcome"] == "queued"
    agreement.refresh_from_db()
    assert agreement.status == EscrowAgreement.Status.AGREED


@pytest.mark.django_db
def test_the_sweep_applies_events_whose_task_was_lost_oldest_first(portone, settings):
    settings.PAYMENTS_WEBHOOK_INLINE_SLOTS = 0
    deposits = [card_deposit(portone, amount_krw=amount) for amount in (5_000_000, 6_000_000)]
    provider = payments.get_provider("portone")
    stored = []
    for index, (_agreement, _tenant, payment) in enumerate(deposits):
        portone.pay(payment.provider_payment_id)
        body, headers = portone.webhook("Transaction.Paid", payment.provider_payment_id,
                                        webhook_id=f"wh_lost_{index}")
        event = provider.parse_webhook(body=body, headers=headers)
        assert payments.provider_event_receive(provider="portone", event=event) == "queued"
        stored.append(ProviderEvent.objects.get(event_id=f"wh_lost_{index}").pk)
    # The first is a minute old; the second has just arrived and its task may still come.
    a_minute_ago = timezone.now() - timezone.timedelta(minutes=1)
    ProviderEvent.objects.filter(pk=stored[0]).update(received_at=a_minute_ago)
    assert payments.provider_events_apply_waiting(older_than_seconds=30) == 1
    statuses = [EscrowAgreement.objects.get(pk=agreement.pk).status for agreement, _t, _p in deposits]
    assert statuses == [EscrowAgreement.Status.FUNDED, EscrowAgreement.Status.AGREED]
    assert payments.provider_events_apply_waiting(older_than_seconds=0) == 1
    outcomes = set(ProviderEvent.objects.filter(pk__in=stored).values_list("outcome", flat=True))
    assert outcomes == {"funded"}


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_funds_the_queued_deposit_once(client, portone, settings, celery_worker_process):
    settings.PAYMENTS_WEBHOOK_INLINE_SLOTS = 1
    agreement, _tenant, payment = card_deposit(portone)
    portone.pay(payment.provider_payment_id)
    body, headers = portone.webhook("Transaction.Paid", payment.provider_payment_id)
    with SlotsTaken(1):
        assert post_webhook(client, body, headers).json()["outcome"] == "queued"
    wait_until(lambda: EscrowAgreement.objects.get(pk=agreement.pk).status == EscrowAgreement.Status.FUNDED,
               timeout=30, what="the worker to fund the deposit", worker=celery_worker_process)
    provider_event_apply_task.delay(ProviderEvent.objects.get(provider="portone").pk)  # delivered again
    assert post_webhook(client, body, headers).json()["outcome"] == "funded"
    assert _funding_transfers(payment) == 1 and ledger_reconcile() == []
    assert reverse("payments:webhook", args=["portone"]) == "/hooks/payments/portone/"


@pytest.mark.django_db
def test_the_worker_holds_stored_events_back_while_a_burst_lasts_never_past_the_limit(settings, monkeypatch):
    settings.PAYMENTS_EVENTS_YIELD_PER_SECOND = 3
    settings.PAYMENTS_EVENTS_MAX_DEFER_SECONDS = 30
    pauses = []
    monkeypatch.setattr(payments.time, "sleep", pauses.append)

    def stored(event_id):
        return ProviderEvent.objects.create(provider="portone", event_id=event_id, event_type="x", payload={},
                                            facts=[])

    quiet = stored("wh_quiet")
    assert payments.provider_event_hold_back(event_pk=quiet.pk) == 0.0 and pauses == []

    # Three waiting, stored within the last second: a burst. The event waits, until it is 30 s old.
    burst = [stored(f"wh_burst_{index}") for index in range(2)]
    now = timezone.now()
    later = now + timezone.timedelta(seconds=31)
    clock = iter([now, now, now, now])
    with monkeypatch.context() as patched:
        patched.setattr(payments.timezone, "now", lambda: next(clock, later))
        assert payments.provider_event_hold_back(event_pk=burst[0].pk, pause_seconds=0.25) == 0.5
    assert pauses == [0.25, 0.25]

    # Once events are applied they no longer make a burst; 0 turns holding back off.
    ProviderEvent.objects.filter(pk=burst[1].pk).update(outcome="funded")
    assert payments.provider_event_hold_back(event_pk=burst[0].pk) == 0.0
    ProviderEvent.objects.filter(pk=burst[1].pk).update(outcome="")
    settings.PAYMENTS_EVENTS_YIELD_PER_SECOND = 0
    assert payments.provider_event_hold_back(event_pk=burst[0].pk) == 0.0 and len(pauses) == 2
