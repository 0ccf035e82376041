"""A rental deposit in a real browser: the landlord proposes it in the portal, the tenant accepts the
exact terms and pays through the sandbox checkout (whose signed webhook really goes over HTTP to the
live server), the tenant confirms the keys and uploads the move-in report, staff accept it, the
money is released, and both see it on their timelines; then the landlord pays out.

Each person has their own browser context; texts that exist in the Korean catalog are looked up
through it, and the rest is checked through stable `data-` attributes and amounts.
"""

import hashlib

import pytest
from django.utils import timezone, translation
from django.utils.translation import gettext
from playwright.sync_api import expect

from escrow.models import Condition, EscrowAgreement, Evidence
from escrow.services.common import fee_of
from escrow.services.release import condition_review
from tests.escrow.factories import ADDRESS, staff_with
from tests.factories import SandboxRegistryRecordFactory
from tests.files import image_bytes
from trustplatform.payments.models import Payment, Payout

from ..factories import PASSWORD, MembershipFactory, PartnerFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SUBMIT = "#main form button[type=submit]"
AMOUNT = 10_000_000
# A tiny but real PNG: evidence is checked on the whole file, not just its name.
PNG = image_bytes("PNG")



def ko_won(amount: int) -> str:
    """An amount as the Korean pages write it ("10,000,000원")."""
    from django.utils import translation

    from trustplatform.ui.korean import won

    with translation.override("ko"):
        return won(amount)

def ko(text) -> str:
    with translation.override("ko"):
        return str(gettext(text) if isinstance(text, str) else text)


def shot(page, tmp_path, name: str) -> None:
    page.screenshot(path=str(tmp_path / f"{name}.png"), full_page=True)


def log_in(page, base: str, email: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", email)
    page.fill("#id_password", PASSWORD)
    page.locator(SUBMIT).click()
    expect(page).to_have_url(f"{base}/")


def test_tenant_funds_a_deposit_conditions_release_it_and_both_see_it(
    live_server, browsers, tmp_path, settings
):
    # The sandbox PSP posts its webhook to SITE_URL: here, the live server.
    settings.SITE_URL = live_server.url
    settings.MEDIA_ROOT = tmp_path / "media"
    base = live_server.url
    tenant = UserFactory(email="tenant@example.kr", full_name="김세입")
    landlord = MembershipFactory(
        user=UserFactory(email="landlord@example.kr", full_name="정하은"),
        partner=PartnerFactory(kind="landlord", name="성수 하우스", representative="정하은"),
        role="owner",
    ).user
    SandboxRegistryRecordFactory(address=ADDRESS, owner_name="정하은", liens=[])
    reviewer = staff_with("review_document")

    # --- The landlord proposes the deposit from the rental template -----------------------------
    owner = browsers.new_page()
    log_in(owner, base, landlord.email)
    owner.goto(f"{base}/portal/")
    owner.locator('header a[href="/portal/deposits/"]').click()
    expect(owner).to_have_url(f"{base}/portal/deposits/")
    owner.locator('#main a[href="/portal/deposits/new/"]').click()
    owner.select_option("#id_template", "rental_deposit")
    owner.fill("#id_payer_email", "tenant@example")  # not a whole address (the browser lets it through)
    owner.fill("#id_title", "성수 302호 보증금")
    owner.fill("#id_amount_krw", "10,000,000")
    owner.fill("#id_property_address", ADDRESS)
    owner.fill("#id_move_in_date", timezone.localdate().isoformat())
    owner.locator(SUBMIT).click()
    expect(owner.locator(".field.has-error")).to_have_count(1)
    expect(owner.locator(".field.has-error #id_payer_email")).to_be_visible()
    assert not EscrowAgreement.objects.exists()
    shot(owner, tmp_path, "01-propose-bad-email")

    owner.fill("#id_payer_email", "Tenant@Example.kr")
    owner.locator(SUBMIT).click()
    agreement = EscrowAgreement.objects.get()
    expect(owner).to_have_url(f"{base}/portal/deposits/{agreement.pk}/")
    expect(owner.locator("#main h1 .badge")).to_have_attribute("data-status", "proposed")
    assert (agreement.payer, agreement.amount_krw) == (tenant, AMOUNT)
    shot(owner, tmp_path, "02-portal-proposed")

    # --- The tenant accepts the exact terms and pays by card ------------------------------------
    payer = browsers.new_page()
    log_in(payer, base, tenant.email)
    payer.locator('header a[href="/deposits/"]').click()
    payer.locator(f'tr[data-agreement="{agreement.pk}"] a').click()
    detail_url = f"{base}/deposits/{agreement.pk}/"
    expect(payer).to_have_url(detail_url)
    expect(payer.locator("#terms-hash")).to_have_text(agreement.terms_hash)
    shot(payer, tmp_path, "03-tenant-reads-terms")
    payer.locator("#accept-terms").click()
    payer.locator("#accept-confirm-submit").click()  # the dialog naming the amount
    expect(payer.locator("#main h1 .badge")).to_have_attribute("data-status", "agreed")

    payer.locator('#pay input[value="card"]').check()
    payer.locator("#pay-button").click()
    payment = Payment.objects.get(agreement=agreement)
    expect(payer).to_have_url(f"{base}/deposits/{agreement.pk}/checkout/{payment.pk}/")
    expect(payer.locator("#psp-pay")).to_contain_text("10,000,000")
    shot(payer, tmp_path, "04-sandbox-checkout")
    payer.locator("#psp-pay").click()

    # The PSP's signed webhook reached the live server and funded the agreement.
    expect(payer).to_have_url(detail_url)
    payer.reload()  # if the webhook lost the race with the redirect, the page refreshes by itself anyway
    expect(payer.locator("#main h1 .badge")).to_have_attribute("data-status", "funded")
    payment.refresh_from_db()
    assert payment.status == Payment.Status.PAID
    held = payer.locator("#timeline .held")
    expect(held).to_have_count(1)
    expect(held).to_contain_text("10,000,000")
    keys = agreement.conditions.get(kind=Condition.Kind.COUNTERPARTY)
    document = agreement.conditions.get(kind=Condition.Kind.DOCUMENT)
    expect(held.locator(".waits")).to_contain_text(keys.label)
    expect(held.locator(".waits")).to_contain_text(document.label)
    expect(payer.locator('#timeline li[data-kind="funding"]')).to_contain_text("10,000,000")
    shot(payer, tmp_path, "05-tenant-funded-timeline")

    # --- The tenant confirms the keys and uploads the move-in report ----------------------------
    keys_card = payer.locator(f"#condition-{keys.pk}")
    keys_card.locator("button.confirm").click()
    payer.locator(f"#condition-confirm-{keys.pk}-submit").click()
    expect(keys_card).to_have_attribute("data-status", "satisfied")
    document_card = payer.locator(f"#condition-{document.pk}")
    document_card.locator("summary").click()
    document_card.locator('input[type="file"]').set_input_files(
        files=[{"name": "전입신고-확정일자.png", "mimeType": "image/png", "buffer": PNG}]
    )
    document_card.locator("button[type=submit]").click()
    digest = hashlib.sha256(PNG).hexdigest()
    expect(payer.locator(f"#condition-{document.pk} .sha")).to_have_text(f"{digest[:12]}…")
    assert Evidence.objects.get(condition=document).sha256 == digest
    expect(held.locator(".waits")).not_to_contain_text(keys.label)
    shot(payer, tmp_path, "06-tenant-keys-confirmed")

    # --- Staff accept the move-in document; the release runs (eagerly, as the worker would) -----
    condition_review(condition=document, actor=reviewer, accept=True)
    agreement.refresh_from_db()
    assert agreement.status == EscrowAgreement.Status.RELEASED

    # --- Both see it on their timelines ----------------------------------------------------------
    payout_krw = AMOUNT - fee_of(AMOUNT)
    for person, url, name in [
        (payer, detail_url, "07-tenant-released"),
        (owner, f"{base}/portal/deposits/{agreement.pk}/", "08-landlord-released"),
    ]:
        person.goto(url)
        badge = person.locator("#main h1 .badge")
        expect(badge).to_have_attribute("data-status", "released")
        expect(badge).to_have_text(ko(EscrowAgreement.Status.RELEASED.label))
        expect(person.locator('#timeline .outcome[data-outcome="released"]')).to_be_visible()
        expect(person.locator("#timeline .held")).to_have_count(0)
        expect(person.locator('#timeline li[data-kind="release"]')).to_contain_text(ko_won(payout_krw))
        expect(person.locator('#timeline li[data-kind="release"]')).to_contain_text("성수 하우스")
        shot(person, tmp_path, name)

    # --- The landlord pays the released money out to the bank -----------------------------------
    owner.goto(f"{base}/portal/deposits/payouts/")
    expect(owner.locator("#payable")).to_have_text(ko_won(payout_krw))
    # First the bank account, its holder checked with the (sandbox) bank.
    expect(owner.locator("#payout-account-missing")).to_be_visible()
    owner.select_option("#payout-account-form #id_bank", "SHINHAN")
    owner.fill("#payout-account-form #id_number", "110-123-456789")
    owner.fill("#payout-account-form #id_holder", "정하은")
    owner.locator("#payout-account-submit").click()
    expect(owner.locator("#payout-account-name")).to_contain_text("6789")
    owner.fill("#id_amount_krw", f"{payout_krw + 1:,}")
    owner.locator(SUBMIT).first.click()
    expect(owner.locator(".field.has-error #id_amount_krw")).to_be_visible()
    owner.fill("#id_amount_krw", f"{payout_krw:,}")
    owner.locator(SUBMIT).first.click()
    # The page names the amount and the account before the money leaves.
    expect(owner.locator("#payout-confirm")).to_contain_text(ko_won(payout_krw))
    owner.locator("#payout-confirm-submit").click()
    expect(owner).to_have_url(f"{base}/portal/deposits/payouts/")
    owner.reload()  # the sandbox bank's webhook confirmed it
    expect(owner.locator('table.payouts tr[data-status="paid"]')).to_have_count(1)
    expect(owner.locator("#payable")).to_have_text(ko_won(0))
    assert Payout.objects.get().status == Payout.Status.PAID
    shot(owner, tmp_path, "09-landlord-payout-paid")

    assert browsers.problems == []
