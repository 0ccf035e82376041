"""PortOne V2 through the real `portone-server-sdk`, pointed at a local fake of PortOne's API.

Every webhook is checked as PortOne signs it, then the payment is fetched from PortOne and only what
was fetched is trusted; cancellations leave once per key; a provider that does not answer makes the
webhook be sent again rather than lost; the sandbox exists only where it is allowed.
"""

import os
import subprocess
import sys
import time

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from escrow.models import EscrowAgreement
from escrow.services import payments as escrow_payments
from escrow.services.common import holding_account
from tests.escrow.factories import agreed_rental
from tests.factories import UserFactory
from trustplatform.ledger.selectors import ledger_reconcile
from trustplatform.ledger.services import consumer_payable
from trustplatform.notifications.models import Notification
from trustplatform.payments import services as payments
from trustplatform.payments.models import Payment, ProviderEvent, Refund
from trustplatform.payments.portone import PortOneProvider
from trustplatform.payments.providers import ProviderUnavailable, key_reference

pytestmark = pytest.mark.django_db


def post_webhook(client, body: bytes, headers: dict):
    return client.post(
        reverse("payments:webhook", args=["portone"]), data=body, content_type="application/json",
        headers={k: v for k, v in headers.items() if k != "Content-Type"},
    )


def finance_member():
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name="finance"))
    return user


def card_deposit(portone, amount_krw=3_000_000):
    agreement, tenant, landlord = agreed_rental(amount_krw=amount_krw)
    payment = escrow_payments.payment_start(agreement=agreement, actor=tenant, method="card")
    return agreement, tenant, payment


def paid_through_webhook(client, portone, payment):
    portone.pay(payment.provider_payment_id)
    response = post_webhook(client, *portone.webhook("Transaction.Paid", payment.provider_payment_id))
    assert response.status_code == 200, response.content
    return response.json()["outcome"]


def test_a_card_deposit_is_funded_by_the_payment_fetched_from_portone(client, portone):
    agreement, _tenant, payment = card_deposit(portone)
    # The amount was pre-registered with PortOne before the window could open.
    assert ("POST", f"/payments/{payment.provider_payment_id}/pre-register",
            {"storeId": "store-fake-0001", "totalAmount": 3_000_000, "currency": "KRW"}) in portone.requests
    assert payment.provider == "portone" and payment.provider_payment_id.startswith(f"ansim-{payment.pk}-")

    assert paid_through_webhook(client, portone, payment) == "funded"
    agreement.refresh_from_db()
    payment.refresh_from_db()
    assert agreement.status == EscrowAgreement.Status.FUNDED and payment.status == "paid"
    assert holding_account(agreement).balance_krw == 3_000_000
    assert ("GET", f"/payments/{payment.provider_payment_id}", {}) in portone.requests
    assert ledger_reconcile() == []


def test_the_webhook_body_is_not_trusted_only_what_portone_answers(client, portone):
    """A correctly signed webhook saying "paid" for a payment PortOne still has as ready moves nothing."""
    agreement, _tenant, payment = card_deposit(portone)
    response = post_webhook(client, *portone.webhook("Transaction.Paid", payment.provider_payment_id))
    assert response.json()["outcome"] == "ignored"
    agreement.refresh_from_db()
    assert agreement.status == EscrowAgreement.Status.AGREED
    assert Payment.objects.get(pk=payment.pk).status == "pending"


@pytest.mark.parametrize("tamper", [{"amount": 30_000}, {"currency": "USD"}])
def test_a_payment_whose_amount_or_currency_differs_from_ours_is_refused(client, portone, tamper):
    agreement, _tenant, payment = card_deposit(portone)
    portone.pay(payment.provider_payment_id, **tamper)
    response = post_webhook(client, *portone.webhook("Transaction.Paid", payment.provider_payment_id))
    assert response.json()["outcome"] == "amount_mismatch"
    agreement.refresh_from_db()
    assert agreement.status == EscrowAgreement.Status.AGREED
    assert Payment.objects.get(pk=payment.pk).status == "failed"
    assert holding_account(agreement).balance_krw == 0


def test_a_webhook_for_a_payment_portone_does_not_know_changes_nothing(client, portone):
    response = post_webhook(client, *portone.webhook("Transaction.Paid", "ansim-999-unknown"))
    assert response.status_code == 200 and response.json()["outcome"] == "unknown_payment"


def test_unsigned_tampered_and_stale_webhooks_are_refused(client, portone):
    _agreement, _tenant, payment = card_deposit(portone)
    portone.pay(payment.provider_payment_id)
    body, headers = portone.webhook("Transaction.Paid", payment.provider_payment_id)
    assert post_webhook(client, body.replace(b"Paid", b"Failed"), headers).status_code == 403
    assert post_webhook(client, body, {}).status_code == 403
    forged = portone.webhook("Transaction.Paid", payment.provider_payment_id,
                             secret="whsec_" + "QUJDREVGR0hJSktMTU5PUA==")
    assert post_webhook(client, *forged).status_code == 403
    stale = portone.webhook("Transaction.Paid", payment.provider_payment_id,
                            timestamp=int(time.time()) - 3600)
    assert post_webhook(client, *stale).status_code == 403
    assert not ProviderEvent.objects.exists()
    assert Payment.objects.get(pk=payment.pk).status == "pending"


def test_a_repeated_webhook_is_applied_once(client, portone):
    agreement, _tenant, payment = card_deposit(portone)
    portone.pay(payment.provider_payment_id)
    body, headers = portone.webhook("Transaction.Paid", payment.provider_payment_id, webhook_id="wh_same")
    assert post_webhook(client, body, headers).json()["outcome"] == "funded"
    fetches = sum(1 for r in portone.requests if r[0] == "GET")
    assert post_webhook(client, body, headers).json()["outcome"] == "funded"
    assert sum(1 for r in portone.requests if r[0] == "GET") == fetches  # answered from the inbox
    assert ProviderEvent.objects.filter(provider="portone").count() == 1
    assert holding_account(agreement).balance_krw == 3_000_000


@pytest.mark.parametrize("how", ["500", "timeout", "html"])
def test_when_portone_cannot_be_asked_the_webhook_is_refused_and_comes_again(client, portone, how):
    agreement, _tenant, payment = card_deposit(portone)
    portone.pay(payment.provider_payment_id)
    body, headers = portone.webhook("Transaction.Paid", payment.provider_payment_id)
    portone.fail_next("GET", "/payments/", how)
    started = time.monotonic()
    response = post_webhook(client, body, headers)
    assert response.status_code == 503 and response.json()["retry"] is True
    assert time.monotonic() - started < 2.5  # gave up at the client's timeout, not PortOne's 60 s
    assert not ProviderEvent.objects.exists()
    agreement.refresh_from_db()
    assert agreement.status == EscrowAgreement.Status.AGREED
    # PortOne sends the same webhook again; now it is applied.
    assert post_webhook(client, body, headers).json()["outcome"] == "funded"


def test_a_partial_cancellation_leaves_once_per_key(client, portone, django_capture_on_commit_callbacks):
    agreement, tenant, payment = card_deposit(portone)
    paid_through_webhook(client, portone, payment)
    payment.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        refund = payments.refund_request(payment=payment, amount_krw=1_000_000, key="agreement-part",
                                         reason="일부 환불", source=holding_account(agreement))
    with django_capture_on_commit_callbacks(execute=True):
        again = payments.refund_request(payment=payment, amount_krw=1_000_000, key="agreement-part",
                                        reason="일부 환불", source=holding_account(agreement))
    assert again == refund
    assert payments.refund_send(refund_id=refund.pk) == "already_sent"
    fake = portone.payments[payment.provider_payment_id]
    assert [c["totalAmount"] for c in fake.cancellations] == [1_000_000]
    assert fake.status == "PARTIAL_CANCELLED"
    refund.refresh_from_db()
    payment.refresh_from_db()
    assert refund.status == "done" and refund.provider_refund_id == fake.cancellations[0]["id"]
    assert payment.refunded_krw == 1_000_000 and payment.status == "paid"
    assert holding_account(agreement).balance_krw == 2_000_000
    # PortOne's own webhook about the cancellation changes nothing more.
    hook = portone.webhook("Transaction.PartialCancelled", payment.provider_payment_id)
    response = post_webhook(client, *hook)
    assert response.json()["outcome"] == "already_settled"
    payment.refresh_from_db()
    assert payment.refunded_krw == 1_000_000
    assert Notification.objects.filter(user=tenant, title__contains="1,000,000").count() == 1
    assert ledger_reconcile() == []


def test_a_cancellation_whose_answer_was_lost_is_not_sent_twice(client, portone):
    """PortOne cancelled, the answer never arrived, the refund is sent again: the cancellation with the
    refund's reference is found and adopted instead of cancelling a second time."""
    _agreement, _tenant, payment = card_deposit(portone)
    paid_through_webhook(client, portone, payment)
    provider = PortOneProvider()
    first = provider.payment_cancel(provider_payment_id=payment.provider_payment_id, amount_krw=500_000,
                                    reason="취소", key="k-lost")
    second = provider.payment_cancel(provider_payment_id=payment.provider_payment_id, amount_krw=500_000,
                                     reason="취소", key="k-lost")
    assert first == second
    cancellations = portone.payments[payment.provider_payment_id].cancellations
    assert len(cancellations) == 1 and key_reference("k-lost") in cancellations[0]["reason"]


def test_a_refund_portone_refuses_becomes_the_payers_credit_and_finance_is_told(
        client, portone, django_capture_on_commit_callbacks):
    finance = finance_member()
    agreement, tenant, payment = card_deposit(portone)
    paid_through_webhook(client, portone, payment)
    payment.refresh_from_db()
    portone.refuse_cancellations = True
    with django_capture_on_commit_callbacks(execute=True):
        refund = payments.refund_request(payment=payment, amount_krw=3_000_000, key="agreement-all",
                                         reason="계약 취소", source=holding_account(agreement))
    refund.refresh_from_db()
    assert refund.status == "failed" and "PgProviderError" in refund.failure
    held = holding_account(agreement)
    assert (held.balance_krw, held.available_krw) == (0, 0)
    assert consumer_payable(tenant).available_krw == 3_000_000
    assert Notification.objects.filter(user=finance, title__contains="3,000,000").exists()
    assert Notification.objects.filter(user=tenant, title__contains="3,000,000").exists()
    assert ledger_reconcile() == []


def test_a_refund_portone_cannot_be_reached_for_is_tried_again_later(
        client, portone, monkeypatch, django_capture_on_commit_callbacks):
    from trustplatform.payments import tasks

    later = []
    monkeypatch.setattr(tasks.refund_send_later, "apply_async",
                        lambda args, countdown: later.append((args, countdown)))
    agreement, _tenant, payment = card_deposit(portone)
    paid_through_webhook(client, portone, payment)
    payment.refresh_from_db()
    portone.fail_next("POST", "/payments/", "500")
    with django_capture_on_commit_callbacks(execute=True):
        refund = payments.refund_request(payment=payment, amount_krw=700_000, key="agreement-retry",
                                         reason="환불", source=holding_account(agreement))
    assert later == [((refund.pk,), 30)]
    refund.refresh_from_db()
    assert refund.status == "requested" and refund.provider_refund_id.startswith("pending-")
    assert payments.refund_send(refund_id=refund.pk) == "sent"
    refund.refresh_from_db()
    assert refund.status == "done"
    assert len(portone.payments[payment.provider_payment_id].cancellations) == 1


def test_webhooks_out_of_order_converge_on_what_portone_has(client, portone):
    """The cancellation's webhook arrives before the payment's: both end as PortOne has them."""
    agreement, _tenant, payment = card_deposit(portone)
    portone.pay(payment.provider_payment_id)
    paid_hook = portone.webhook("Transaction.Paid", payment.provider_payment_id)
    # The payment was taken and then fully cancelled at PortOne before we heard of either.
    PortOneProvider().payment_cancel(provider_payment_id=payment.provider_payment_id, amount_krw=3_000_000,
                                     reason="x", key="console")
    cancelled_hook = portone.webhook("Transaction.Cancelled", payment.provider_payment_id)
    assert post_webhook(client, *cancelled_hook).json()["outcome"] == "funded+unknown_refund"
    assert post_webhook(client, *paid_hook).json()["outcome"] == "already_settled+unknown_refund"
    agreement.refresh_from_db()
    assert agreement.status == EscrowAgreement.Status.FUNDED  # the cancellation nobody asked for is finance's


def test_a_virtual_account_deposit_shows_the_account_then_funds_the_agreement(client, portone):
    agreement, tenant, _landlord = agreed_rental(amount_krw=150_000_000)
    payment = escrow_payments.payment_start(agreement=agreement, actor=tenant, method="virtual_account")
    client.force_login(tenant)
    page = client.get(reverse("escrow:checkout", args=[agreement.pk, payment.pk]))
    assert page.status_code == 200 and b"portone-request" in page.content
    assert b'"payMethod": "VIRTUAL_ACCOUNT"' in page.content and b"channel-key-va-test" in page.content

    issued = portone.issue_virtual_account(payment.provider_payment_id, bank="SHINHAN", hours=48)
    response = post_webhook(client, *portone.webhook("Transaction.VirtualAccountIssued",
                                                     payment.provider_payment_id))
    assert response.json()["outcome"] == "account_issued"
    payment.refresh_from_db()
    assert payment.virtual_account == f"신한은행 {issued.virtual_account['accountNumber']}"
    assert payment.virtual_account_expires_at is not None and payment.status == "pending"
    page = client.get(reverse("escrow:checkout", args=[agreement.pk, payment.pk])).content.decode()
    assert issued.virtual_account["accountNumber"] in page and "150,000,000" in page

    portone.deposit(payment.provider_payment_id)
    assert post_webhook(client, *portone.webhook("Transaction.Paid", payment.provider_payment_id)
                        ).json()["outcome"] == "funded"
    agreement.refresh_from_db()
    assert agreement.status == EscrowAgreement.Status.FUNDED


def test_an_expired_virtual_account_voids_its_payment(client, portone):
    agreement, tenant, _landlord = agreed_rental(amount_krw=150_000_000)
    payment = escrow_payments.payment_start(agreement=agreement, actor=tenant, method="virtual_account")
    portone.issue_virtual_account(payment.provider_payment_id)
    portone.expire(payment.provider_payment_id)
    response = post_webhook(client, *portone.webhook("Transaction.Cancelled", payment.provider_payment_id))
    assert response.json()["outcome"] == "expired"
    payment.refresh_from_db()
    agreement.refresh_from_db()
    assert payment.status == "cancelled" and agreement.status == EscrowAgreement.Status.AGREED


def test_a_virtual_account_payment_is_refunded_to_the_account_the_payer_gives(
        client, portone, django_capture_on_commit_callbacks):
    agreement, tenant, _landlord = agreed_rental(amount_krw=150_000_000)
    payment = escrow_payments.payment_start(agreement=agreement, actor=tenant, method="virtual_account")
    portone.issue_virtual_account(payment.provider_payment_id)
    portone.deposit(payment.provider_payment_id)
    post_webhook(client, *portone.webhook("Transaction.Paid", payment.provider_payment_id))
    payment.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        refund = payments.refund_request(payment=payment, amount_krw=150_000_000, key="va", reason="취소",
                                         source=holding_account(agreement))
    # Nothing can leave before the payer names an account: the money is reserved, the payer asked.
    assert refund.status == "awaiting_account"
    assert not portone.payments[payment.provider_payment_id].cancellations
    url = reverse("payments_pages:refund_account", args=[refund.pk])
    assert Notification.objects.filter(user=tenant, url=url, title__contains="150,000,000").exists()
    held = holding_account(agreement)
    assert (held.balance_krw, held.available_krw) == (150_000_000, 0)

    portone.holders[("KOOKMIN", "12345678901234")] = "김세입"
    portone.holders[("KOOKMIN", "99998888777766")] = "박타인"
    client.force_login(UserFactory())
    assert client.get(url).status_code == 404  # someone else's refund
    client.force_login(tenant)
    page = client.post(url, {"bank": "KOOKMIN", "number": "9999-8888-777766", "holder": "김세입"})
    assert "은행 기록" in page.content.decode()  # the bank's holder is someone else: refused
    page = client.post(url, {"bank": "KOOKMIN", "number": "5555", "holder": "김세입"})
    assert page.status_code == 200 and Refund.objects.get(pk=refund.pk).status == "awaiting_account"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"bank": "KOOKMIN", "number": "123456-78-901234", "holder": "김세입"})
    assert response.status_code == 302
    refund.refresh_from_db()
    assert refund.status == "done" and refund.refund_account == ""  # erased once settled
    assert portone.payments[payment.provider_payment_id].refund_accounts == [
        {"bank": "KOOKMIN", "number": "12345678901234", "holderName": "김세입"}]
    assert holding_account(agreement).balance_krw == 0
    page = client.get(url, follow=True).content.decode()
    assert "•••• 1234" in page and "12345678901234" not in page


def test_the_payer_asks_the_server_to_look_after_portones_window_closes(client, portone):
    agreement, tenant, payment = card_deposit(portone)
    url = reverse("payments_pages:sync", args=[payment.pk])
    client.force_login(UserFactory())
    assert client.post(url).status_code == 404  # someone else's payment
    client.force_login(tenant)
    assert client.post(url).json()["status"] == "pending"
    portone.pay(payment.provider_payment_id)
    portone.fail_next("GET", "/payments/", "500")
    assert client.post(url).status_code == 503
    assert client.post(url).json()["status"] == "paid"
    agreement.refresh_from_db()
    assert agreement.status == EscrowAgreement.Status.FUNDED


def test_the_sandbox_has_no_checkout_or_webhook_where_real_money_moves(client, settings):
    agreement, tenant, _landlord = agreed_rental(amount_krw=1_000_000)
    payment = escrow_payments.payment_start(agreement=agreement, actor=tenant, method="card")
    assert payment.provider == "sandbox"
    client.force_login(tenant)
    checkout = reverse("escrow:checkout", args=[agreement.pk, payment.pk])
    page = client.get(checkout)
    assert page.status_code == 200 and "테스트 환경".encode() in page.content

    settings.PAYMENTS_PROVIDER = "portone"
    settings.PAYMENTS_SANDBOX_ALLOWED = False
    assert client.get(checkout).status_code == 404
    assert client.post(checkout).status_code == 404
    assert client.post(reverse("payments:webhook", args=["sandbox"]), data=b"{}",
                       content_type="application/json").status_code == 404
    assert "테스트 환경".encode() not in client.get(reverse("home")).content
    with pytest.raises(payments.PaymentError):
        payments.sandbox_checkout_pay(payment=payment)


# The other providers named as production names them, so that only the payments rules are tried.
PRODUCTION_PROVIDERS = {
    "MASKING_PROVIDER": "twilio", "TWILIO_ACCOUNT_SID": "AC00000000000000000000000000000000",
    "TWILIO_AUTH_TOKEN": "t", "SMS_BACKEND": "masking.providers.ProviderSmsBackend",
    "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
}


def _settings_with(**env) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items()
                   if not k.startswith(("PAYMENTS_", "PORTONE_", "SANDBOX_", "MASKING_", "TWILIO_"))
                   and k not in ("SMS_BACKEND", "EMAIL_BACKEND")}
    if env.get("DEBUG") == "false":
        environment.update(PRODUCTION_PROVIDERS)
    environment.update(env)
    return subprocess.run([sys.executable, "-c", "import trustplatform.settings"], env=environment,
                          capture_output=True, text=True, timeout=60)


def test_with_debug_off_the_sandbox_refuses_to_start_unless_the_server_is_a_test_server():
    refused = _settings_with(DEBUG="false", PAYMENTS_PROVIDER="sandbox")
    assert refused.returncode != 0 and "PAYMENTS_SANDBOX_ALLOWED" in refused.stderr
    staging = _settings_with(DEBUG="false", PAYMENTS_PROVIDER="sandbox", PAYMENTS_SANDBOX_ALLOWED="true",
                             PAYMENTS_WEBHOOK_SECRET="s")
    assert staging.returncode == 0, staging.stderr
    incomplete = _settings_with(DEBUG="false", PAYMENTS_PROVIDER="portone", PORTONE_API_SECRET="x")
    assert incomplete.returncode != 0 and "PORTONE_STORE_ID" in incomplete.stderr
    assert _settings_with(DEBUG="true").returncode == 0  # the embedded default: the sandbox


def test_a_provider_that_cannot_answer_a_sync_raises_unavailable(portone):
    portone.fail_next("GET", "/payments/", "timeout")
    with pytest.raises(ProviderUnavailable):
        PortOneProvider().payment_facts(provider_payment_id="ansim-1-x")
    assert Refund.objects.count() == 0


# --- money whose sending was lost, and money PortOne will not give back ------------------------------


def test_a_checkout_portone_cannot_open_answers_503_with_a_code_and_keeps_nothing(client, portone):
    agreement, tenant, _landlord = agreed_rental(amount_krw=2_000_000)
    portone.fail_next("POST", "/payments/", "500")
    client.force_login(tenant)
    response = client.post(reverse("api:escrow_api:payments", args=[agreement.pk]), {"method": "card"},
                           content_type="application/json")
    assert response.status_code == 503 and response.json()["code"] == "provider_unavailable"
    assert not Payment.objects.filter(subject_id=agreement.pk).exists()
    # In a moment it works, and only one checkout exists.
    response = client.post(reverse("api:escrow_api:payments", args=[agreement.pk]), {"method": "card"},
                           content_type="application/json")
    assert response.status_code == 201, response.content
    assert Payment.objects.filter(subject_id=agreement.pk).count() == 1


def test_a_refund_whose_sending_was_lost_is_sent_by_the_sweep_once(client, portone):
    """The request committed but its worker stopped before asking PortOne: the sweep sends it; a second
    sweep (or the lost work turning up after all) cancels nothing more."""
    agreement, _tenant, payment = card_deposit(portone)
    paid_through_webhook(client, portone, payment)
    payment.refresh_from_db()
    refund = payments.refund_request(payment=payment, amount_krw=1_200_000, key="lost-send", reason="일부",
                                     source=holding_account(agreement))  # its on-commit work never runs
    assert not portone.payments[payment.provider_payment_id].cancellations
    assert payments.refunds_sync(older_than_seconds=0) == {"sent": 1}
    refund.refresh_from_db()
    assert refund.status == "done"
    assert payments.refunds_sync(older_than_seconds=0) == {}
    assert payments.refund_send(refund_id=refund.pk) == "already_sent"
    cancellations = portone.payments[payment.provider_payment_id].cancellations
    assert [c["totalAmount"] for c in cancellations] == [1_200_000]
    assert ledger_reconcile() == []


def paid_twice(client, portone):
    """The payer opened a virtual account and a card window for one deposit and paid both: the deposit is
    funded by the transfer; the card payment (returned) cannot be kept."""
    agreement, tenant, _landlord = agreed_rental(amount_krw=3_000_000)
    transfer = escrow_payments.payment_start(agreement=agreement, actor=tenant, method="virtual_account")
    card = escrow_payments.payment_start(agreement=agreement, actor=tenant, method="card")
    portone.issue_virtual_account(transfer.provider_payment_id)
    portone.deposit(transfer.provider_payment_id)
    assert post_webhook(client, *portone.webhook("Transaction.Paid", transfer.provider_payment_id)).json()[
        "outcome"] == "funded"
    portone.pay(card.provider_payment_id)
    return agreement, tenant, card


def test_a_payment_not_kept_is_given_back_by_the_sweep_when_its_return_was_lost(client, portone):
    """Paid twice: the second payment is not kept. Its return was lost with its worker; the sweep finds
    PortOne still holding it and gives it back, once."""
    agreement, tenant, second = paid_twice(client, portone)
    hook = portone.webhook("Transaction.Paid", second.provider_payment_id)
    assert post_webhook(client, *hook).json()["outcome"] == "refused_not_payable"  # no on-commit work here
    assert portone.payments[second.provider_payment_id].status == "PAID"
    assert payments.refunds_sync(older_than_seconds=0) == {"returned": 1}
    assert portone.payments[second.provider_payment_id].status == "CANCELLED"
    assert payments.refunds_sync(older_than_seconds=0) == {}
    assert len(portone.payments[second.provider_payment_id].cancellations) == 1


def test_a_payment_not_kept_that_portone_will_not_cancel_becomes_the_payers_credit(
        client, portone, django_capture_on_commit_callbacks):
    finance = finance_member()
    agreement, tenant, second = paid_twice(client, portone)
    portone.fail_next("POST", f"/payments/{second.provider_payment_id}/cancel", "refuse")
    with django_capture_on_commit_callbacks(execute=True):
        post_webhook(client, *portone.webhook("Transaction.Paid", second.provider_payment_id))
    assert consumer_payable(tenant).available_krw == 3_000_000
    assert Notification.objects.filter(user=tenant, title__contains="3,000,000",
                                       url=reverse("payments_pages:credit")).exists()
    assert Notification.objects.filter(user=finance, title__contains="3,000,000").exists()
    assert payments.refunds_sync(older_than_seconds=0) == {}  # not asked again: it is the payer's credit
    assert ledger_reconcile() == []


def test_a_payment_not_kept_is_returned_again_while_portone_cannot_be_reached(
        client, portone, monkeypatch, django_capture_on_commit_callbacks):
    from trustplatform.payments import tasks

    later = []
    monkeypatch.setattr(tasks.unwanted_payment_return_later, "apply_async",
                        lambda args, kwargs, countdown: later.append((kwargs, countdown)))
    agreement, tenant, second = paid_twice(client, portone)
    portone.fail_next("POST", f"/payments/{second.provider_payment_id}/cancel", "500")
    with django_capture_on_commit_callbacks(execute=True):
        post_webhook(client, *portone.webhook("Transaction.Paid", second.provider_payment_id))
    assert [(kwargs["attempt"], countdown) for kwargs, countdown in later] == [(2, 30)]
    assert tasks.unwanted_payment_return_later.run(**later[0][0]) == "returned"
    assert portone.payments[second.provider_payment_id].status == "CANCELLED"
