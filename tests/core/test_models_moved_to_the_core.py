"""Databases migrated on the schema before a model moved into the core keep their rows and permissions."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from trustplatform.api.models import IdempotentRequest

BEFORE = [("escrow", "0004_queued_credits"), ("api", None)]  # IdempotentRequest still in escrow


def _migrate(targets) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor


@pytest.mark.django_db(transaction=True)
def test_stored_answers_survive_the_move_of_the_model_into_the_core():
    old_apps = _migrate(BEFORE).loader.project_state(BEFORE[0]).apps
    User = old_apps.get_model("accounts", "User")
    OldRequest = old_apps.get_model("escrow", "IdempotentRequest")
    user = User.objects.create(email="before@example.kr", password="!")
    OldRequest.objects.create(user_id=user.pk, key="order-1", fingerprint="f" * 64, status_code=201,
                              response={"id": 7, "status": "open"})

    _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())

    stored = IdempotentRequest.objects.get(user_id=user.pk, key="order-1")
    assert (stored.status_code, stored.response) == (201, {"id": 7, "status": "open"})
    # The unique (user, key) index came along with the table: a second row is still refused.
    with pytest.raises(Exception, match="escrow_idempotent_request_once"):
        IdempotentRequest.objects.create(user_id=user.pk, key="order-1", fingerprint="0" * 64)


REGISTRY_BEFORE = [("escrow", "0005_idempotentrequest_moves_to_the_core"), ("registries", None)]


@pytest.mark.django_db(transaction=True)
def test_registry_records_and_the_agents_permission_on_them_survive_the_move_into_the_core():
    old_apps = _migrate(REGISTRY_BEFORE).loader.project_state(REGISTRY_BEFORE[0]).apps
    OldRecord = old_apps.get_model("escrow", "SandboxRegistryRecord")
    OldRecord.objects.create(address="서울특별시 성동구 성수이로 1", owner_name="정하은",
                             liens=["근저당권 1억원"])
    Permission = old_apps.get_model("auth", "Permission")
    Group = old_apps.get_model("auth", "Group")
    change = Permission.objects.get(content_type__app_label="escrow", codename="change_sandboxregistryrecord")
    assert Group.objects.get(name="agents").permissions.filter(pk=change.pk).exists()

    _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())

    from django.contrib.auth.models import Group as CurrentGroup

    from trustplatform.registries.models import SandboxRegistryRecord

    record = SandboxRegistryRecord.objects.get(address="서울특별시 성동구 성수이로 1")
    assert (record.owner_name, record.liens) == ("정하은", ["근저당권 1억원"])
    agents = CurrentGroup.objects.get(name="agents")
    assert agents.permissions.filter(pk=change.pk, content_type__app_label="registries").exists()


LEDGER_BEFORE = [("escrow", "0006_sandboxregistryrecord_moves_to_the_core"), ("ledger", None)]


@pytest.mark.django_db(transaction=True)
def test_balances_transfers_and_finance_permissions_survive_the_ledger_moving_into_the_core():
    old_apps = _migrate(LEDGER_BEFORE).loader.project_state(LEDGER_BEFORE[0]).apps
    Account = old_apps.get_model("escrow", "LedgerAccount")
    OldTransfer = old_apps.get_model("escrow", "Transfer")
    capital = Account.objects.create(code="platform-capital", name="Capital", kind="platform",
                                     allow_negative=True, balance_krw=-30_000)
    wallet = Account.objects.create(code="consumer-1-payable", name="Payable", kind="consumer",
                                    balance_krw=30_000)
    OldTransfer.objects.create(idempotency_key="opening", debit_account=capital, credit_account=wallet,
                               amount_krw=30_000, reason="opening balance")
    Permission = old_apps.get_model("auth", "Permission")
    view = Permission.objects.get(content_type__app_label="escrow", codename="view_transfer")

    _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())

    from django.contrib.auth.models import Group as CurrentGroup

    from trustplatform.ledger.models import LedgerAccount, Transfer
    from trustplatform.ledger.selectors import ledger_reconcile

    assert LedgerAccount.objects.get(code="consumer-1-payable").balance_krw == 30_000
    moved = Transfer.objects.get(idempotency_key="opening")
    assert (moved.debit_account.code, moved.credit_account.code, moved.amount_krw) == (
        "platform-capital", "consumer-1-payable", 30_000)
    assert ledger_reconcile() == []
    finance = CurrentGroup.objects.get(name="finance")
    assert finance.permissions.filter(pk=view.pk, content_type__app_label="ledger").exists()


PAYMENTS_BEFORE = [
    ("escrow", "0008_ledger_moved_to_the_core"),
    ("bookings", "0002_staff_group_permissions"),
    ("payments", None),
]


def _old_payments_world(old_apps) -> dict:
    """Today's main before the merge: an escrow payment, payout and event; booking payments and events."""
    from datetime import date

    User = old_apps.get_model("accounts", "User")
    Partner = old_apps.get_model("partners", "Partner")
    Account = old_apps.get_model("ledger", "LedgerAccount")
    Hold = old_apps.get_model("ledger", "Hold")
    Agreement = old_apps.get_model("escrow", "EscrowAgreement")
    EscrowPayment = old_apps.get_model("escrow", "Payment")
    Payout = old_apps.get_model("escrow", "Payout")
    EscrowEvent = old_apps.get_model("escrow", "ProviderEvent")
    Property = old_apps.get_model("bookings", "Property")
    RoomType = old_apps.get_model("bookings", "RoomType")
    Booking = old_apps.get_model("bookings", "Booking")
    BookingPayment = old_apps.get_model("bookings", "BookingPayment")
    BookingEvent = old_apps.get_model("bookings", "PaymentEvent")

    payer = User.objects.create(email="tenant@example.kr", password="!")
    guest = User.objects.create(email="guest@example.kr", password="!")
    owner = User.objects.create(email="owner@example.kr", password="!")
    partner = Partner.objects.create(name="성수 공인중개사", kind="brokerage",
                                     registration_number="1234567891",
                                     representative="정하은", contact_email="p@example.kr", address="서울",
                                     applied_by=owner)
    clearing = Account.objects.create(code="platform-psp-clearing", name="PSP", kind="external",
                                      allow_negative=True, balance_krw=-24_000_000)
    held = Account.objects.create(code="agreement-1-held", name="Held", kind="holding",
                                  balance_krw=20_000_000)
    payable = Account.objects.create(code=f"partner-{partner.pk}-payable", name="Payable", kind="partner",
                                     partner=partner, balance_krw=4_000_000, reserved_krw=1_000_000)
    sent = Account.objects.create(code="platform-payouts-sent", name="Sent", kind="external")
    hold = Hold.objects.create(idempotency_key="payout:1", debit_account=payable, credit_account=sent,
                               amount_krw=1_000_000, reason="payout")
    agreement = Agreement.objects.create(template="rental_deposit", title="전세 보증금", payer=payer,
                                         payee=partner, amount_krw=24_000_000, created_by=owner,
                                         status="funded")
    escrow_paid = EscrowPayment.objects.create(agreement=agreement, amount_krw=24_000_000,
                                               method="virtual_account",
                                               provider="sandbox", provider_payment_id="sbx_pay_1_aaa",
                                               virtual_account="신한 562-000001-00001", status="paid")
    escrow_failed = EscrowPayment.objects.create(agreement=agreement, amount_krw=24_000_000, method="card",
                                                 provider="sandbox", provider_payment_id="sbx_pay_2_bbb",
                                                 status="failed")
    Payout.objects.create(partner=partner, amount_krw=1_000_000, hold=hold, provider="sandbox",
                          provider_payout_id="sbx_po_1_ccc", requested_by=owner)
    EscrowEvent.objects.create(provider="sandbox", event_id="evt_escrow", event_type="payment.paid",
                               payload={"payment_id": "sbx_pay_1_aaa"}, outcome="funded")
    EscrowEvent.objects.create(provider="sandbox", event_id="evt_both", event_type="payment.failed",
                               payload={"payment_id": "sbx_pay_2_bbb"}, outcome="failed")
    stay = Property.objects.create(partner=partner, name="성수 스테이", address="서울 성동구", city="서울",
                                   latitude=37.54, longitude=127.05, contact_phone="+821012345678")
    room = RoomType.objects.create(property=stay, name="디럭스", price_krw=180_000)
    booking = Booking.objects.create(guest=guest, property=stay, room_type=room, check_in=date(2027, 1, 8),
                                     check_out=date(2027, 1, 10), price_total_krw=360_000,
                                     guest_paid_krw=360_000, guest_name="김민준", status="confirmed")
    unpaid = Booking.objects.create(guest=guest, property=stay, room_type=room, check_in=date(2027, 2, 8),
                                    check_out=date(2027, 2, 9), price_total_krw=180_000,
                                    guest_paid_krw=180_000,
                                    guest_name="김민준")
    booking_paid = BookingPayment.objects.create(booking=booking, amount_krw=360_000, method="card",
                                                 provider="sandbox", provider_payment_id="sbx_pay_1_ddd",
                                                 status="paid")
    BookingPayment.objects.create(booking=unpaid, amount_krw=180_000, method="card", provider="sandbox",
                                  provider_payment_id="sbx_pay_2_eee")
    BookingEvent.objects.create(provider="sandbox", event_id="evt_booking", event_type="payment.paid",
                                payload={"payment_id": "sbx_pay_1_ddd"}, outcome="confirmed")
    BookingEvent.objects.create(provider="sandbox", event_id="evt_both", event_type="payment.paid",
                                payload={"payment_id": "sbx_pay_1_ddd"}, outcome="confirmed")
    return {"payer": payer.pk, "guest": guest.pk, "agreement": agreement.pk, "booking": booking.pk,
            "unpaid": unpaid.pk, "escrow_paid": escrow_paid.pk, "escrow_failed": escrow_failed.pk,
            "booking_paid_created": booking_paid.created_at, "clearing": clearing.pk, "held": held.pk}


@pytest.mark.django_db(transaction=True)
def test_payments_payouts_and_events_of_both_apps_survive_the_merge_into_the_payments_module():
    old_apps = _migrate(PAYMENTS_BEFORE).loader.project_state(PAYMENTS_BEFORE[:2]).apps
    before = _old_payments_world(old_apps)

    _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())

    from bookings.models import Booking
    from escrow.models import EscrowAgreement
    from trustplatform.ledger.models import LedgerAccount
    from trustplatform.payments.models import Payment, Payout, ProviderEvent, SandboxCharge
    from trustplatform.payments.providers import SandboxProvider

    agreement = EscrowAgreement.objects.get(pk=before["agreement"])
    booking = Booking.objects.get(pk=before["booking"])
    # Escrow's payments keep their ids (ledger keys name them) and now point at their agreement.
    escrow_paid = Payment.objects.get(pk=before["escrow_paid"])
    assert (escrow_paid.subject, escrow_paid.payer_id, escrow_paid.status, escrow_paid.amount_krw,
            escrow_paid.virtual_account) == (agreement, before["payer"], "paid", 24_000_000,
                                             "신한 562-000001-00001")
    assert sorted(agreement.payments.values_list("pk", flat=True)) == sorted(
        [before["escrow_paid"], before["escrow_failed"]])
    # Booking payments were copied into the same table, with their booking, guest, status and time.
    moved = booking.payments.get()
    assert (moved.provider_payment_id, moved.payer_id, moved.amount_krw, moved.status) == (
        "sbx_pay_1_ddd", before["guest"], 360_000, "paid")
    assert moved.created_at == before["booking_paid_created"]
    assert Payment.objects.get(booking__pk=before["unpaid"]).status == "pending"
    assert Payment.objects.count() == 4
    # Every event is in the one inbox; the id both old routes had seen is kept twice, not lost.
    assert sorted(ProviderEvent.objects.values_list("event_id", "outcome")) == [
        ("evt_booking", "confirmed"), ("evt_both", "failed"), ("evt_both#bookings", "confirmed"),
        ("evt_escrow", "funded")]
    assert Payout.objects.get().provider_payout_id == "sbx_po_1_ccc"
    # Balances are untouched, and the sandbox knows each checkout it opened before.
    assert LedgerAccount.objects.get(pk=before["clearing"]).balance_krw == -24_000_000
    assert LedgerAccount.objects.get(pk=before["held"]).balance_krw == 20_000_000
    assert SandboxCharge.objects.count() == 4
    fetched = SandboxProvider().payment_fetch(provider_payment_id="sbx_pay_1_ddd")
    assert (fetched.status, fetched.amount_krw) == ("paid", 360_000)
    # At most one paid payment per subject still holds in the merged table.
    with pytest.raises(Exception, match="payments_payment_one_paid_per_subject"):
        Payment.objects.filter(pk=before["escrow_failed"]).update(status="paid")
