"""Payees and payouts: the bank confirms who holds an account before anything is paid to it, a changed
account holds payouts and tells every owner, money leaves only when the provider says it arrived, and
a bounced payout comes back to the payee with a notice. With the sandbox and with PortOne's platform
settlement through the real SDK (against the local fake of its API)."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from tests.factories import MembershipFactory, PartnerFactory, PayoutAccountFactory, UserFactory
from trustplatform.errors import DomainError
from trustplatform.ledger.selectors import ledger_reconcile
from trustplatform.ledger.services import consumer_payable, ledger_transfer, partner_payable, platform_account
from trustplatform.notifications.models import Notification
from trustplatform.payments import payouts
from trustplatform.payments.models import Payout, PayoutAccount, SandboxCharge
from trustplatform.payments.providers import SandboxProvider
from trustplatform.payments.reconciliation import payments_reconcile

pytestmark = pytest.mark.django_db


def business(**kwargs):
    owner = MembershipFactory(partner=PartnerFactory(representative="박대표", **kwargs), role="owner")
    return owner.partner, owner.user


def credit(partner=None, user=None, amount_krw=500_000, key="test-credit"):
    ledger_transfer(debit=platform_account("platform-capital"),
                    credit=partner_payable(partner) if partner else consumer_payable(user),
                    amount_krw=amount_krw, key=key, reason="test credit")


def refused_code(call) -> str:
    with pytest.raises(DomainError) as refused:
        call()
    return refused.value.code


# --- Payee accounts -------------------------------------------------------------------------------


def test_an_account_is_kept_only_when_the_bank_says_it_is_the_payees_encrypted_and_masked():
    partner, owner = business()
    register = dict(partner=partner, actor=owner, bank="SHINHAN")
    # The sandbox bank: numbers ending 0000 belong to someone else, 1111 to nobody.
    assert refused_code(lambda: payouts.payout_account_register(
        number="110-000-120000", holder="박대표", **register)) == "holder_mismatch"
    assert refused_code(lambda: payouts.payout_account_register(
        number="110-000-121111", holder="박대표", **register)) == "account_not_found"
    assert refused_code(lambda: payouts.payout_account_register(
        number="110-000-123456", holder="김남남", **register)) == "holder_mismatch"  # a stranger's name
    assert refused_code(lambda: payouts.payout_account_register(
        number="12ab", holder="박대표", **register)) == "invalid_account"
    assert not PayoutAccount.objects.exists()

    account = payouts.payout_account_register(number="110-000-123456", holder="박대표", **register)
    assert account.number == "110000123456" and account.number_hint == "•••• 3456"
    assert account.payouts_from <= timezone.now()  # the first account is usable at once
    with connection.cursor() as cursor:
        cursor.execute("SELECT number FROM payments_payoutaccount WHERE id = %s", [account.pk])
        stored = cursor.fetchone()[0]
    assert "110000123456" not in stored and "3456" not in stored  # encrypted at rest
    assert "110000123456" not in str(account)


def test_only_an_owner_changes_where_the_money_goes():
    partner, _owner = business()
    manager = MembershipFactory(partner=partner, role="manager").user
    assert refused_code(lambda: payouts.payout_account_register(
        partner=partner, actor=manager, bank="SHINHAN", number="110000123456", holder="박대표",
    )) == "forbidden"
    stranger = UserFactory()
    assert refused_code(lambda: payouts.payout_account_register(
        partner=partner, actor=stranger, bank="SHINHAN", number="110000123456", holder="박대표",
    )) == "forbidden"


def test_a_changed_account_holds_payouts_for_72_hours_and_every_owner_is_told(
    django_capture_on_commit_callbacks,
):
    partner, owner = business()
    second_owner = MembershipFactory(partner=partner, role="owner").user
    manager = MembershipFactory(partner=partner, role="manager").user
    credit(partner=partner)
    first = payouts.payout_account_register(partner=partner, actor=owner, bank="SHINHAN",
                                            number="110000123456", holder="박대표")
    assert not Notification.objects.filter(title__contains="payout account").exists()

    second = payouts.payout_account_register(partner=partner, actor=owner, bank="KAKAO",
                                             number="3333-01-2345678", holder="박대표")
    first.refresh_from_db()
    assert first.replaced_at is not None and payouts.current_payout_account(partner=partner) == second
    assert timedelta(hours=71, minutes=59) < second.payouts_from - timezone.now() <= timedelta(hours=72)
    notices = Notification.objects.filter(url=reverse("payments_portal:payouts"))
    told = set(notices.values_list("user", flat=True))
    assert told == {owner.pk, second_owner.pk} and manager.pk not in told
    assert refused_code(lambda: payouts.payout_request(partner=partner, amount_krw=1_000, actor=owner)) \
        == "payout_account_on_hold"
    assert not Payout.objects.exists()

    PayoutAccount.objects.filter(pk=second.pk).update(payouts_from=timezone.now() - timedelta(seconds=1))
    with django_capture_on_commit_callbacks(execute=True):
        payout = payouts.payout_request(partner=partner, amount_krw=1_000, actor=owner)
    assert payout.account == second


def test_no_payout_without_an_account_or_to_a_suspended_business():
    partner, owner = business()
    credit(partner=partner)
    assert refused_code(lambda: payouts.payout_request(partner=partner, amount_krw=1, actor=owner)) \
        == "no_payout_account"
    PayoutAccountFactory(partner=partner)
    type(partner).objects.filter(pk=partner.pk).update(status="suspended")
    partner.refresh_from_db()
    assert refused_code(lambda: payouts.payout_request(partner=partner, amount_krw=1, actor=owner)) \
        == "partner_not_active"
    assert partner_payable(partner).available_krw == 500_000


# --- Payouts with the sandbox bank ----------------------------------------------------------------


def test_a_payout_leaves_only_when_the_bank_confirms_and_a_bounced_one_comes_back(
    django_capture_on_commit_callbacks, monkeypatch
):
    delivered = []
    monkeypatch.setattr(SandboxProvider, "_deliver", staticmethod(lambda body, headers: delivered.append(
        SandboxProvider().parse_webhook(body=body, headers=headers))))
    partner, owner = business()
    credit(partner=partner)
    PayoutAccountFactory(partner=partner, number="110000129999")  # the sandbox bank bounces ...9999
    with django_capture_on_commit_callbacks(execute=True):
        payout = payouts.payout_request(partner=partner, amount_krw=200_000, actor=owner)
    payable = partner_payable(partner)
    assert payable.balance_krw == 500_000 and payable.available_krw == 300_000  # held, not gone
    from trustplatform.payments.services import provider_event_receive

    outcomes = [provider_event_receive(provider="sandbox", event=event) for event in delivered]
    assert outcomes == ["payout_failed"]
    payout.refresh_from_db()
    payable.refresh_from_db()
    assert payout.status == Payout.Status.FAILED and payout.failure == "the receiving account is closed"
    assert payable.available_krw == 500_000  # back in the balance
    assert Notification.objects.filter(user=owner, title__contains="₩200,000").exists()
    assert ledger_reconcile() == []


# --- PortOne's platform settlement ----------------------------------------------------------------


def test_portone_pays_a_partner_to_its_verified_account_once_and_only_on_its_status(
    portone, django_capture_on_commit_callbacks
):
    partner, owner = business(registration_number="1208147521")
    portone.holders[("SHINHAN", "110000123456")] = "박대표"
    credit(partner=partner)
    account = payouts.payout_account_register(partner=partner, actor=owner, bank="SHINHAN",
                                              number="110-000-123456", holder="박대표")
    registered = portone.partners[f"partner-{partner.pk}"]
    assert registered["account"]["number"] == "110000123456"
    assert registered["account"]["accountVerificationId"] == account.verification_id != ""
    assert registered["business_number"] == "1208147521"

    with django_capture_on_commit_callbacks(execute=True):
        payout = payouts.payout_request(partner=partner, amount_krw=300_000, actor=owner)
    assert portone.transfers[payout.provider_payout_id]["amount"] == 300_000
    payouts.payout_send(payout_id=payout.pk)  # asked again (a lost answer): PortOne keeps one settlement
    assert len(portone.transfers) == 1

    payout.created_at = timezone.now() - timedelta(minutes=5)
    Payout.objects.filter(pk=payout.pk).update(created_at=payout.created_at)
    assert payouts.payouts_sync() == {"waiting": 1}  # not paid out yet: nothing moves
    assert partner_payable(partner).balance_krw == 500_000
    portone.payout_run(payout.provider_payout_id, status="SUCCEEDED")
    assert payouts.payouts_sync() == {"payout_paid": 1}
    payout.refresh_from_db()
    assert payout.status == Payout.Status.PAID and partner_payable(partner).balance_krw == 200_000
    assert payouts.payouts_sync() == {}
    assert ledger_reconcile() == [] and payments_reconcile() == []


def test_a_payout_portone_fails_returns_to_the_payable_with_a_notice(
    portone, django_capture_on_commit_callbacks,
):
    partner, owner = business(registration_number="1208147521")
    portone.holders[("SHINHAN", "110000123456")] = "박대표"
    credit(partner=partner)
    payouts.payout_account_register(partner=partner, actor=owner, bank="SHINHAN", number="110000123456",
                                    holder="박대표")
    with django_capture_on_commit_callbacks(execute=True):
        payout = payouts.payout_request(partner=partner, amount_krw=300_000, actor=owner)
    portone.payout_run(payout.provider_payout_id, status="FAILED", fail_reason="예금주 계좌 해지")
    assert payouts.payout_sync(payout=payout) == ["payout_failed"]
    payout.refresh_from_db()
    assert payout.status == Payout.Status.FAILED and payout.failure == "예금주 계좌 해지"
    assert partner_payable(partner).available_krw == 500_000
    assert Notification.objects.filter(user=owner, title__contains="₩300,000").exists()


def test_a_holder_name_mismatch_at_portone_keeps_nothing(portone):
    partner, owner = business(registration_number="1208147521")
    portone.holders[("SHINHAN", "110000123456")] = "김남남"
    assert refused_code(lambda: payouts.payout_account_register(
        partner=partner, actor=owner, bank="SHINHAN", number="110000123456", holder="박대표",
    )) == "holder_mismatch"
    assert not PayoutAccount.objects.exists() and not portone.partners


def test_when_portone_cannot_be_reached_the_payout_waits_and_is_sent_again(
    portone, django_capture_on_commit_callbacks, monkeypatch
):
    partner, owner = business(registration_number="1208147521")
    portone.holders[("SHINHAN", "110000123456")] = "박대표"
    credit(partner=partner)
    payouts.payout_account_register(partner=partner, actor=owner, bank="SHINHAN", number="110000123456",
                                    holder="박대표")
    later = []
    from trustplatform.payments import tasks

    monkeypatch.setattr(tasks.payout_send_later, "apply_async",
                        lambda args, countdown: later.append(countdown))
    portone.fail_next("POST", "/platform/transfers/manual", "500")
    with django_capture_on_commit_callbacks(execute=True):
        payout = payouts.payout_request(partner=partner, amount_krw=100_000, actor=owner)
    assert later == [30] and not portone.transfers
    assert payouts.payout_send(payout_id=payout.pk) == "sent"
    assert list(portone.transfers) == [payout.provider_payout_id]


# --- Consumers' credit ----------------------------------------------------------------------------


def test_a_consumer_withdraws_credit_to_their_own_verified_account(
    client, django_capture_on_commit_callbacks,
):
    consumer = UserFactory(full_name="이소비", phone="+821055551234", phone_verified_at=timezone.now())
    credit(user=consumer, amount_krw=30_000)
    client.force_login(consumer)
    url = reverse("payments_pages:credit")
    page = client.get(url).content.decode()
    assert "30,000원" in page  # the credit in Korean won, as the page reads it
    response = client.post(url, {"action": "withdraw", "amount_krw": "30,000"})
    assert "no_payout_account" not in response.content.decode()  # asks for the amount first, then refuses
    response = client.post(url, {"action": "account", "bank": "KAKAO", "number": "3333012345678",
                                 "holder": "김남남"})
    assert "holder" in response.content.decode() and not PayoutAccount.objects.exists()
    response = client.post(url, {"action": "account", "bank": "KAKAO", "number": "3333012345678",
                                 "holder": "이소비"})
    assert response.status_code == 302
    response = client.post(url, {"action": "withdraw", "amount_krw": "30,000"})
    assert "₩30,000" in response.content.decode() and not Payout.objects.exists()  # named before it leaves
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"action": "withdraw", "amount_krw": "30000", "confirmed": "on"})
    assert response.status_code == 302
    payout = Payout.objects.get()
    assert payout.user == consumer and payout.partner is None and payout.amount_krw == 30_000
    assert consumer_payable(consumer).available_krw == 0


def test_reconciliation_tells_finance_of_a_payment_the_provider_captured_that_we_did_not_keep():
    from escrow.services import payments as escrow_payments
    from tests.escrow.factories import agreed_rental
    from trustplatform.notifications.models import Notification as Notice

    finance = UserFactory(is_staff=True)
    finance.groups.add(Group.objects.get(name="finance"))
    agreement, tenant, _landlord = agreed_rental()
    payment = escrow_payments.payment_start(agreement=agreement, actor=tenant, method="card")
    assert payments_reconcile() == []
    SandboxCharge.objects.filter(provider_payment_id=payment.provider_payment_id).update(status="paid")
    differences = payments_reconcile(notify=True)
    assert [(d.kind, d.what) for d in differences] == [("payment", "captured but not in the ledger")]
    assert Notice.objects.filter(user=finance, body__contains=payment.provider_payment_id).exists()


def test_a_payout_whose_sending_was_lost_is_sent_by_the_sweep_and_paid_once(portone):
    """The request committed but its worker stopped before telling PortOne: the sweep sends the settlement
    under the payout's own reference, so a late original request cannot pay it twice."""
    partner, owner = business(registration_number="1208147521")
    portone.holders[("SHINHAN", "110000123456")] = "박대표"
    credit(partner=partner)
    payouts.payout_account_register(partner=partner, actor=owner, bank="SHINHAN", number="110000123456",
                                    holder="박대표")
    payout = payouts.payout_request(partner=partner, amount_krw=200_000, actor=owner)  # its work lost
    assert payout.provider_payout_id not in portone.transfers
    assert payouts.payouts_sync(older_than_seconds=0) == {"sent": 1}
    assert payouts.payout_send(payout_id=payout.pk) == "sent"  # the lost request, turning up after all
    assert list(portone.transfers) == [payout.provider_payout_id]
    portone.payout_run(payout.provider_payout_id)
    assert payouts.payouts_sync(older_than_seconds=0) == {"payout_paid": 1}
    payout.refresh_from_db()
    assert payout.status == Payout.Status.PAID
