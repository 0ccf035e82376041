"""The platform's payments module: one inbox and one route for every app's payments, refunds in part
or whole through the provider once per key, and the rule that only the signing provider's payments move."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse

from bookings.models import Booking
from escrow.models import EscrowAgreement
from escrow.services import payments as escrow_payments
from escrow.services.common import holding_account
from tests.bookings.factories import GuestFactory, RoomTypeFactory, confirmed_booking
from tests.escrow.factories import agreed_rental, fund, paid_event
from trustplatform.errors import DomainError
from trustplatform.ledger.models import Hold
from trustplatform.ledger.selectors import ledger_reconcile
from trustplatform.ledger.services import consumer_payable, ledger_transfer, platform_account
from trustplatform.notifications.models import Notification
from trustplatform.payments import payouts
from trustplatform.payments import services as payments
from trustplatform.payments.handlers import PaymentHandler, handler_register
from trustplatform.payments.models import Payment, Refund, SandboxCharge
from trustplatform.payments.providers import SandboxProvider

pytestmark = pytest.mark.django_db


@pytest.fixture
def sandbox_sends(monkeypatch):
    """What the sandbox provider would deliver to our webhook after commit (unit tests have no worker).
    Refunds are sent to the provider once their transaction commits: the test's callbacks run."""
    from trustplatform.payments.tasks import sandbox_webhook_deliver

    sent = []
    monkeypatch.setattr(sandbox_webhook_deliver, "delay_on_commit",
                        lambda body, headers: sent.append((body, headers)))
    return sent


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run what waits for the commit (a refund is sent to the provider then) as each block ends."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def deliver(sent) -> list[str]:
    provider = SandboxProvider()
    outcomes = [
        payments.provider_event_receive(provider="sandbox",
                                        event=provider.parse_webhook(body=body.encode(), headers=headers))
        for body, headers in sent
    ]
    sent.clear()
    return outcomes


def test_a_whole_refund_leaves_through_the_provider_once_per_key(sandbox_sends, committed):
    agreement, tenant, _landlord = agreed_rental(amount_krw=3_000_000)
    payment = fund(agreement, tenant)
    held = holding_account(agreement)
    with committed():
        refund = payments.refund_request(payment=payment, amount_krw=3_000_000, key="agreement-1-cancel",
                                         reason="계약 취소", source=held)
    # Asked, not yet confirmed: the money is reserved where it was held, still on the books.
    held.refresh_from_db()
    assert (held.balance_krw, held.available_krw) == (3_000_000, 0)
    assert payments.refund_request(payment=payment, amount_krw=3_000_000, key="agreement-1-cancel",
                                   reason="again", source=held) == refund
    assert Hold.objects.filter(refund__isnull=False).count() == 1 and len(sandbox_sends) == 1

    assert deliver(sandbox_sends) == ["refunded"]

    payment.refresh_from_db()
    refund.refresh_from_db()
    held.refresh_from_db()
    assert (payment.status, payment.refunded_krw, refund.status) == ("refunded", 3_000_000, "done")
    assert held.balance_krw == 0 and platform_account("platform-psp-clearing").balance_krw == 0
    fetched = SandboxProvider().payment_fetch(provider_payment_id=payment.provider_payment_id)
    assert fetched.status == "cancelled"
    assert Notification.objects.filter(user=tenant, title__contains="3,000,000").exists()
    assert ledger_reconcile() == []


def test_partial_refunds_never_exceed_the_payment_and_a_refused_one_stores_nothing(sandbox_sends, committed):
    room_type = RoomTypeFactory(price_krw=180_000)
    booking = confirmed_booking(room_type, nights=2)
    payment = booking.payments.get()
    wallet = consumer_payable(booking.guest)
    ledger_transfer(debit=platform_account("platform-capital"), credit=wallet, amount_krw=1_000_000,
                    key="compensation-1", reason="compensation")
    with committed():
        payments.refund_request(payment=payment, amount_krw=300_000, key="part-1", reason="일부 환불")
    with pytest.raises(DomainError) as refused:
        payments.refund_request(payment=payment, amount_krw=100_000, key="part-2", reason="일부 환불")
    assert refused.value.code == "refund_exceeds_payment" and "60,000" in refused.value.detail
    assert Refund.objects.count() == 1 and not Refund.objects.filter(key="part-2").exists()

    assert deliver(sandbox_sends) == ["refunded"]

    payment.refresh_from_db()
    wallet.refresh_from_db()
    assert (payment.status, payment.refunded_krw, payment.refundable_krw) == ("paid", 300_000, 60_000)
    assert wallet.balance_krw == 700_000
    fetched = SandboxProvider().payment_fetch(provider_payment_id=payment.provider_payment_id)
    assert (fetched.status, fetched.cancelled_krw) == ("partially_cancelled", 300_000)
    assert Notification.objects.filter(user=booking.guest,
                                       url=reverse("bookings:booking", args=[booking.code]),
                                       title__contains="300,000").exists()
    assert ledger_reconcile() == []


def test_a_refund_the_provider_refuses_becomes_the_payers_credit(sandbox_sends):
    """The card company will not cancel: the payer is owed the money all the same, so it moves from the
    holding to their credit, which they withdraw to their own bank account; they are told."""
    agreement, tenant, _landlord = agreed_rental(amount_krw=2_000_000)
    payment = fund(agreement, tenant)
    held = holding_account(agreement)
    refund = payments.refund_request(payment=payment, amount_krw=500_000, key="r-1", reason="일부",
                                     source=held)
    sandbox_sends.clear()  # the provider answers "refused" instead of the confirmation
    body, headers = SandboxProvider().event(
        event_type="refund.failed", data={"refund_id": refund.provider_refund_id, "reason": "한도 초과"})
    event = SandboxProvider().parse_webhook(body=body, headers=headers)
    assert payments.provider_event_receive(provider="sandbox", event=event) == "refund_failed"

    refund.refresh_from_db()
    held.refresh_from_db()
    payment.refresh_from_db()
    assert (refund.status, refund.failure) == ("failed", "한도 초과")
    assert (held.balance_krw, held.available_krw) == (1_500_000, 1_500_000)
    credit = consumer_payable(tenant)
    assert (credit.balance_krw, credit.available_krw) == (500_000, 500_000)
    assert (payment.status, payment.refunded_krw) == ("paid", 0)
    told = Notification.objects.get(user=tenant, url=reverse("payments_pages:credit"))
    assert "500,000" in told.title
    # Withdrawing that credit does not ask the card company again: it goes to the bank account.
    assert payouts._cancellable_payments(user=tenant) == []
    # A late confirmation of the refused refund changes nothing.
    body, headers = SandboxProvider().event(
        event_type="payment.refunded",
        data={"refund_id": refund.provider_refund_id, "amount_krw": 500_000})
    event = SandboxProvider().parse_webhook(body=body, headers=headers)
    assert payments.provider_event_receive(provider="sandbox", event=event) == "already_settled"
    assert ledger_reconcile() == []


def test_only_a_paid_payment_can_be_refunded():
    agreement, tenant, _landlord = agreed_rental()
    payment = escrow_payments.payment_start(agreement=agreement, actor=tenant, method="card")
    with pytest.raises(DomainError) as refused:
        payments.refund_request(payment=payment, amount_krw=1_000, key="r", reason="x")
    assert (refused.value.code, refused.value.status) == ("not_refundable", 409)
    assert not Refund.objects.exists()


def test_an_escrow_payment_moves_only_on_the_event_of_the_provider_it_was_opened_with():
    agreement, tenant, _landlord = agreed_rental()
    payment = escrow_payments.payment_start(agreement=agreement, actor=tenant, method="card")
    body, headers = paid_event(payment)
    event = SandboxProvider().parse_webhook(body=body, headers=headers)
    assert payments.provider_event_receive(provider="other-psp", event=event) == "unknown_payment"
    payment.refresh_from_db()
    agreement.refresh_from_db()
    assert (payment.status, agreement.status) == ("pending", EscrowAgreement.Status.AGREED)
    assert holding_account(agreement).balance_krw == 0


def test_one_webhook_route_takes_the_payments_of_every_app(client):
    agreement, tenant, _landlord = agreed_rental()
    deposit = escrow_payments.payment_start(agreement=agreement, actor=tenant, method="virtual_account")
    room_type = RoomTypeFactory(price_krw=90_000)
    from bookings.services.stays import booking_hold
    from tests.bookings.factories import stay_dates

    check_in, check_out = stay_dates(5, 1)
    booking = booking_hold(guest=GuestFactory(), room_type=room_type, check_in=check_in, check_out=check_out,
                           guests=2)
    from bookings.services.payments import payment_start

    stay = payment_start(booking=booking, actor=booking.guest)
    url = reverse("payments:webhook", args=["sandbox"])
    outcomes = []
    for payment in (deposit, stay):
        body, headers = SandboxProvider().pay(provider_payment_id=payment.provider_payment_id)
        response = client.post(url, data=body, content_type="application/json",
                               HTTP_ANSIM_SIGNATURE=headers["Ansim-Signature"])
        assert response.status_code == 200
        outcomes.append(response.json()["outcome"])
    assert outcomes == ["funded", "confirmed"]
    booking.refresh_from_db()
    agreement.refresh_from_db()
    assert (agreement.status, booking.status) == ("funded", Booking.Status.CONFIRMED)
    assert client.post(reverse("payments:webhook", args=["unknown-psp"]), data=b"{}",
                       content_type="application/json").status_code == 404


def test_a_subject_without_a_registered_handler_cannot_take_payments():
    agreement, tenant, landlord = agreed_rental()
    with pytest.raises(ImproperlyConfigured, match="no payment handler"):
        payments.payment_open(subject=agreement.payee, payer=tenant, amount_krw=1_000, method="card")
    assert not Payment.objects.exists()

    class Another(PaymentHandler):
        model = EscrowAgreement

        def lock(self, subject_id):
            return EscrowAgreement.objects.get(pk=subject_id)

        def refusal(self, subject):
            return ""

        def payer_url(self, subject):
            return "/"

        def paid(self, *, payment, subject):
            return "stolen"

    with pytest.raises(ImproperlyConfigured, match="two payment handlers"):
        handler_register(Another())


def test_a_pending_checkout_is_cancelled_with_its_booking_and_a_late_payment_is_not_kept(
    django_capture_on_commit_callbacks, sandbox_sends
):
    room_type = RoomTypeFactory(price_krw=90_000)
    from bookings.services.payments import payment_start
    from bookings.services.stays import booking_cancel_by_guest, booking_hold
    from tests.bookings.factories import stay_dates

    check_in, check_out = stay_dates(5, 1)
    booking = booking_hold(guest=GuestFactory(), room_type=room_type, check_in=check_in, check_out=check_out,
                           guests=2)
    payment = payment_start(booking=booking, actor=booking.guest)
    booking_cancel_by_guest(booking=booking, actor=booking.guest, reason="일정 변경")
    payment.refresh_from_db()
    assert payment.status == Payment.Status.CANCELLED
    body, headers = SandboxProvider().pay(provider_payment_id=payment.provider_payment_id)
    event = SandboxProvider().parse_webhook(body=body, headers=headers)
    with django_capture_on_commit_callbacks(execute=True):
        assert payments.provider_event_receive(provider="sandbox", event=event) == "refused_not_payable"
    # The card was charged after the booking was cancelled: the money is given back whole, once.
    charge = SandboxCharge.objects.get(provider_payment_id=payment.provider_payment_id)
    assert (charge.status, charge.cancelled_krw) == ("cancelled", payment.amount_krw)
    assert payments.provider_event_receive(provider="sandbox", event=event) == "refused_not_payable"  # repeat
    with django_capture_on_commit_callbacks(execute=True):
        body, headers = SandboxProvider().event(event_type="payment.paid", data={
            "payment_id": payment.provider_payment_id, "amount_krw": payment.amount_krw})
        again = SandboxProvider().parse_webhook(body=body, headers=headers)
        assert payments.provider_event_receive(provider="sandbox", event=again) == "already_settled"
    charge.refresh_from_db()
    assert charge.cancelled_krw == payment.amount_krw
    assert ledger_reconcile() == []


def test_the_sandbox_cancels_once_per_key_however_often_it_is_asked(sandbox_sends):
    """A refund sent again (its answer lost, a sweep finding it) is answered as the first time."""
    agreement, tenant, _landlord = agreed_rental(amount_krw=2_000_000)
    payment = fund(agreement, tenant)
    sandbox = SandboxProvider()
    asks = [sandbox.payment_cancel(provider_payment_id=payment.provider_payment_id, amount_krw=500_000,
                                   reason="일부", key="once") for _ in range(3)]
    assert len(set(asks)) == 1
    charge = SandboxCharge.objects.get(provider_payment_id=payment.provider_payment_id)
    assert (charge.cancelled_krw, charge.status) == (500_000, "partially_cancelled")
    sandbox.payment_cancel(provider_payment_id=payment.provider_payment_id, amount_krw=1_500_000,
                           reason="나머지", key="rest")
    charge.refresh_from_db()
    assert (charge.cancelled_krw, charge.status) == (2_000_000, "cancelled")
