"""refresh_from_db on models with a protected FSM field, with other instances and threads around."""

import threading

import pytest
from django.db import models

from tests.factories import PartnerFactory, PayoutFactory
from trustplatform.ledger import services as ledger
from trustplatform.payments.models import Payout

pytestmark = pytest.mark.django_db


def _payout(partner) -> Payout:
    payable = ledger.partner_payable(partner)
    capital = ledger.platform_account("platform-capital")
    ledger.ledger_transfer(debit=capital, credit=payable, amount_krw=5_000, key=f"fund-{partner.pk}",
                           reason="funds")
    hold = ledger.ledger_hold(debit=payable, credit=ledger.platform_account("platform-payouts-sent"),
                              amount_krw=1_000, key=f"hold-{partner.pk}", reason="payout")
    return PayoutFactory(partner=partner, amount_krw=1_000, hold=hold, provider_payout_id=f"p-{partner.pk}")


def test_a_reload_takes_the_stored_status_and_leaves_every_other_instance_protected(monkeypatch):
    partner = PartnerFactory()
    payout = _payout(partner)
    other = Payout.objects.get(pk=payout.pk)
    Payout.objects.filter(pk=payout.pk).update(status=Payout.Status.PAID)
    seen = {}
    reload = models.Model.refresh_from_db

    def watching(instance, *args, **kwargs):
        # While one instance reloads, another (here, or in any thread) must still refuse a direct write.
        try:
            other.status = Payout.Status.FAILED
        except AttributeError:
            seen["other_protected"] = True
        return reload(instance, *args, **kwargs)

    monkeypatch.setattr(models.Model, "refresh_from_db", watching)
    payout.refresh_from_db()
    assert payout.status == Payout.Status.PAID
    assert seen == {"other_protected": True}
    with pytest.raises(AttributeError, match="Direct status modification"):
        payout.status = Payout.Status.FAILED


@pytest.mark.django_db(transaction=True)
def test_many_threads_reloading_at_once_never_trip_the_protection():
    partner = PartnerFactory()
    pk = _payout(partner).pk
    errors, barrier = [], threading.Barrier(8)

    def reload_many():
        from django.db import connection

        try:
            instances = [Payout.objects.get(pk=pk) for _ in range(5)]
            barrier.wait(timeout=30)
            for _ in range(40):
                for instance in instances:
                    instance.refresh_from_db()
        except Exception as exc:  # noqa: BLE001 - any failure is the finding
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=reload_many) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
