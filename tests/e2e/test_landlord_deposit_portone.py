"""A rental deposit from a listing, on PortOne, in real browsers: an individual landlord (no business
registration number; identity verified through PortOne) claims the listing the broker verified; the tenant
starts the deposit from the listing page, both accept the exact terms, and the tenant pays by virtual
account in PortOne's window (the SDK loader served by the site, PortOne's script from a local fake of
PortOne). The bank's deposit reaches the live server as PortOne's signed webhook; the broker confirms the
lease, staff accept the move-in report, the move-in day comes, the money is released to the landlord, not
to the brokerage, and the landlord pays it out to a bank account whose holder PortOne checked.
"""

import json
import urllib.request
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from escrow.models import Condition, EscrowAgreement
from escrow.services import release
from escrow.services.common import fee_of
from escrow.services.release import condition_review
from listings import services
from listings.models import Verification
from listings.services.verification import registry_address
from tests.escrow.factories import staff_with
from tests.listings.conftest import listing_data
from trustplatform.ledger.services import partner_payable
from trustplatform.payments import payouts
from trustplatform.payments.models import Payment, Payout

from ..factories import (
    PASSWORD,
    IndividualLandlordFactory,
    MembershipFactory,
    PartnerFactory,
    SandboxRegistryRecordFactory,
    UserFactory,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SUBMIT = "#main form button[type=submit]"
DEPOSIT = 10_000_000
OWNER = "정하은"



def ko_won(amount: int) -> str:
    """An amount as the Korean pages write it ("10,000,000원")."""
    from django.utils import translation

    from trustplatform.ui.korean import won

    with translation.override("ko"):
        return won(amount)

def log_in(page, base: str, email: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", email)
    page.fill("#id_password", PASSWORD)
    page.locator(SUBMIT).click()
    expect(page).to_have_url(f"{base}/")


def send_webhook(base: str, body: bytes, headers: dict) -> dict:
    """PortOne calling the live server's webhook over HTTP."""
    request = urllib.request.Request(f"{base}/hooks/payments/portone/", data=body, headers=headers,
                                     method="POST")
    with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310 (the live server on 127.0.0.1)
        return json.loads(answer.read())


def test_a_tenant_pays_a_listings_deposit_by_virtual_account_and_the_individual_landlord_is_paid_out(
    live_server, browsers, tmp_path, settings, portone
):
    settings.PORTONE_BROWSER_SDK_URL = f"{portone.url}/browser-sdk.js"  # PortOne's window: the fake's
    base = live_server.url

    # --- The broker's listing, its owner checked against the registry --------------------------------
    broker = MembershipFactory(
        user=UserFactory(email="broker@example.kr", full_name="김중개"),
        partner=PartnerFactory(kind="brokerage", name="마포 믿음 공인중개사사무소"),
    ).user
    brokerage = broker.memberships.get().partner
    listing = services.listing_create(partner=brokerage, actor=broker, publish=True,
                                      data=listing_data(deal_type="jeonse", deposit_krw=DEPOSIT,
                                                        monthly_rent_krw=0))
    SandboxRegistryRecordFactory(address=registry_address(listing), owner_name=OWNER, liens=[])
    services.verification_request(listing=listing, actor=broker, level=Verification.Level.REGISTRY,
                                  owner_name=OWNER)
    # An individual landlord: no business number, identity verified through PortOne (본인인증).
    landlord = IndividualLandlordFactory(name=f"{OWNER} (개인 임대인)", representative=OWNER,
                                         verified_name=OWNER, verified_birth_date="1978-11-02")
    assert landlord.registration_number == ""
    owner = MembershipFactory(user=UserFactory(email="landlord@example.kr", full_name=OWNER),
                              partner=landlord, role="owner").user
    tenant = UserFactory(email="tenant@example.kr", full_name="김세입")
    reviewer = staff_with("review_document")

    # --- The landlord claims the listing in the portal ----------------------------------------------
    landlord_page = browsers.new_page()
    log_in(landlord_page, base, owner.email)
    landlord_page.goto(f"{base}/portal/listings/landlord/")
    landlord_page.fill("#id_listing_id", str(listing.pk))
    landlord_page.locator(SUBMIT).first.click()
    expect(landlord_page.locator(f'[data-listing="{listing.pk}"]')).to_be_visible()
    listing.refresh_from_db()
    assert listing.landlord == landlord

    # --- The tenant proposes the deposit from the listing; the landlord accepts the exact terms -------
    payer = browsers.new_page()
    log_in(payer, base, tenant.email)
    payer.goto(f"{base}/homes/{listing.pk}/")
    expect(payer.locator("[data-deposit-payee]")).to_contain_text("정*은")  # the landlord, masked
    payer.fill("#deposit #id_move_in_date", (timezone.localdate() + timedelta(days=14)).isoformat())
    payer.locator("#deposit button[type=submit]").click()
    agreement = EscrowAgreement.objects.get()
    expect(payer).to_have_url(f"{base}/deposits/{agreement.pk}/")
    assert (agreement.payee, agreement.broker, agreement.amount_krw) == (landlord, brokerage, DEPOSIT)
    expect(payer.locator("[data-payee]")).to_contain_text(landlord.name)
    expect(payer.locator("#accept-terms")).to_have_count(0)  # proposing was the tenant's acceptance
    landlord_page.goto(f"{base}/portal/deposits/{agreement.pk}/")
    landlord_page.locator("#accept-terms").click()
    landlord_page.locator("#accept-confirm-submit").click()
    expect(landlord_page.locator("#main h1 .badge")).to_have_attribute("data-status", "agreed")

    # --- The tenant pays by virtual account in PortOne's window -------------------------------------
    payer.goto(f"{base}/deposits/{agreement.pk}/")
    payer.locator('#pay input[value="virtual_account"]').check()
    payer.locator("#pay-button").click()
    payment = Payment.objects.get(agreement=agreement)
    expect(payer).to_have_url(f"{base}/deposits/{agreement.pk}/checkout/{payment.pk}/")
    payer.locator("#psp-pay").click()
    # The page asked the server, which fetched the payment from PortOne: the account to transfer to.
    expect(payer.locator("#virtual-account")).to_be_visible(timeout=20_000)
    account = portone.payments[payment.provider_payment_id].virtual_account
    expect(payer.locator("#virtual-account")).to_contain_text(account["accountNumber"])
    expect(payer.locator("#virtual-account")).to_contain_text("신한")
    expect(payer.locator(".psp-amount")).to_contain_text(f"{DEPOSIT:,}")
    expect(payer.locator("#virtual-account-deadline")).to_be_visible()
    payer.screenshot(path=str(tmp_path / "01-virtual-account.png"), full_page=True)

    # The tenant's bank transfer arrives; PortOne tells the live server by signed webhook.
    portone.deposit(payment.provider_payment_id)
    assert send_webhook(base, *portone.webhook("Transaction.Paid", payment.provider_payment_id))[
        "outcome"] == "funded"
    payer.goto(f"{base}/deposits/{agreement.pk}/")
    expect(payer.locator("#main h1 .badge")).to_have_attribute("data-status", "funded")
    expect(payer.locator("#timeline .held")).to_contain_text(f"{DEPOSIT:,}")

    # --- The conditions: the tenant's keys, the broker's lease, the move-in report, the day ----------
    keys = agreement.conditions.get(kind=Condition.Kind.COUNTERPARTY, confirmer="payer")
    payer.locator(f"#condition-{keys.pk} button.confirm").click()
    payer.locator(f"#condition-confirm-{keys.pk}-submit").click()
    expect(payer.locator(f"#condition-{keys.pk}")).to_have_attribute("data-status", "satisfied")
    lease = agreement.conditions.get(kind=Condition.Kind.COUNTERPARTY, confirmer="broker")
    broker_page = browsers.new_page()
    log_in(broker_page, base, broker.email)
    broker_page.goto(f"{base}/portal/deposits/{agreement.pk}/")
    expect(broker_page.locator('[data-role="broker"]').first).to_be_visible()
    broker_page.locator(f"#condition-{lease.pk} button.confirm").click()
    broker_page.locator(f"#condition-confirm-{lease.pk}-submit").click()
    expect(broker_page.locator(f"#condition-{lease.pk}")).to_have_attribute("data-status", "satisfied")
    condition_review(condition=agreement.conditions.get(kind=Condition.Kind.DOCUMENT), actor=reviewer,
                     accept=True)
    # The move-in day comes; the beat evaluates the agreement.
    agreement.conditions.filter(kind=Condition.Kind.DATE).update(due_date=timezone.localdate())
    release.agreement_evaluate(agreement_id=agreement.pk)
    agreement.refresh_from_db()
    assert agreement.status == EscrowAgreement.Status.RELEASED
    payout_krw = DEPOSIT - fee_of(DEPOSIT)
    assert partner_payable(landlord).balance_krw == payout_krw
    assert partner_payable(brokerage).balance_krw == 0  # the broker arranged it and is never paid

    # --- The landlord registers the bank account (PortOne checks its holder) and pays out ------------
    portone.holders[("SHINHAN", "110123456789")] = OWNER
    portone.holders[("SHINHAN", "110999999999")] = "김다른"
    landlord_page.goto(f"{base}/portal/payouts/")
    expect(landlord_page.locator("#payable")).to_have_text(ko_won(payout_krw))
    landlord_page.select_option("#payout-account-form #id_bank", "SHINHAN")
    landlord_page.fill("#payout-account-form #id_number", "110-999-999999")
    landlord_page.fill("#payout-account-form #id_holder", OWNER)
    landlord_page.locator("#payout-account-submit").click()
    # Someone else's account: the bank's holder is not the landlord's verified name.
    expect(landlord_page.locator("#payout-account-form .field.has-error")).to_have_count(1)
    landlord_page.fill("#payout-account-form #id_number", "110-123-456789")
    landlord_page.fill("#payout-account-form #id_holder", OWNER)
    landlord_page.locator("#payout-account-submit").click()
    expect(landlord_page.locator("#payout-account-name")).to_contain_text("6789")
    partner = portone.partners[f"partner-{landlord.pk}"]
    # An individual payee, registered with the birth date PortOne asks for (yyyy-MM-dd).
    assert (partner["business_number"], partner["birthdate"]) == ("", "1978-11-02")
    assert partner["account"]["holder"] == OWNER
    landlord_page.fill("#id_amount_krw", f"{payout_krw:,}")
    landlord_page.locator(SUBMIT).first.click()
    expect(landlord_page.locator("#payout-confirm")).to_contain_text(ko_won(payout_krw))
    landlord_page.locator("#payout-confirm-submit").click()
    payout = Payout.objects.get()
    assert payout.provider_payout_id in portone.transfers  # the settlement reached PortOne
    expect(landlord_page.locator('table.payouts tr[data-status="requested"]')).to_have_count(1)

    # PortOne's payout run pays it; the beat reads it back (PortOne has no payout webhook).
    portone.payout_run(payout.provider_payout_id)
    assert payouts.payouts_sync(older_than_seconds=0) == {"payout_paid": 1}
    landlord_page.reload()
    expect(landlord_page.locator('table.payouts tr[data-status="paid"]')).to_have_count(1)
    expect(landlord_page.locator("#payable")).to_have_text(ko_won(0))
    landlord_page.screenshot(path=str(tmp_path / "02-landlord-paid-out.png"), full_page=True)
    assert browsers.problems == []
