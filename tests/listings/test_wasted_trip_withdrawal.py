"""A consumer takes their wasted-trip compensation out of Ansim: with PortOne, the credit leaves as a
payout to their own account, whose holder the bank confirmed, and is gone from the ledger only when
PortOne's payout succeeded."""

import pytest
from django.utils import timezone

from listings import services
from listings.models import WastedTripClaim
from tests.listings.factories import ListingContactFactory
from trustplatform import pii
from trustplatform.ledger.selectors import ledger_reconcile
from trustplatform.ledger.services import consumer_payable
from trustplatform.payments import payouts
from trustplatform.payments.models import Payout

pytestmark = pytest.mark.django_db


def test_a_consumer_withdraws_wasted_trip_compensation_through_portone(
    portone, guarantee_fund, listing, consumer, agent, settings, django_capture_on_commit_callbacks
):
    phone = "+821055443322"
    type(consumer).objects.filter(pk=consumer.pk).update(
        phone=phone, phone_index=pii.blind_index(phone), phone_verified_at=timezone.now()
    )
    consumer.refresh_from_db()
    ListingContactFactory(listing=listing, consumer=consumer)  # called the broker through a safe number
    services.report_file(listing=listing, reporter=consumer, reason="not_exist", visited=True)
    services.fake_confirm(listing=listing, actor=agent, category="not_exist")
    assert WastedTripClaim.objects.get(consumer=consumer).status == WastedTripClaim.Status.PAID
    amount = settings.LISTINGS_WASTED_TRIP_KRW
    credit = payouts.credit_sources(user=consumer)
    assert [entry["amount_krw"] for entry in credit] == [amount]

    portone.holders[("KAKAO", "3333012345678")] = consumer.full_name
    payouts.payout_account_register(actor=consumer, bank="KAKAO", number="3333-01-2345678",
                                    holder=consumer.full_name)
    assert portone.partners[f"user-{consumer.pk}"]["account"]["holder"] == consumer.full_name
    with django_capture_on_commit_callbacks(execute=True):
        done = payouts.credit_withdraw(user=consumer, amount_krw=amount)
    payout = done["payout"]
    assert done["refunds"] == [] and payout.amount_krw == amount  # no card payment to cancel here
    assert portone.transfers[payout.provider_payout_id]["amount"] == amount
    account = consumer_payable(consumer)
    assert account.balance_krw == amount and account.available_krw == 0  # reserved until PortOne pays

    portone.payout_run(payout.provider_payout_id)
    assert payouts.payout_sync(payout=payout) == ["payout_paid"]
    account.refresh_from_db()
    assert account.balance_krw == 0 and Payout.objects.get().status == Payout.Status.PAID
    assert ledger_reconcile() == []
