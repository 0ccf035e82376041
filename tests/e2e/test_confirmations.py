"""In a real browser: accepting ₩150,000,000 terms opens a dialog that names the amount; going back (or
Esc) leaves the agreement as it was, and only the dialog's confirm button accepts it."""

import pytest
from django.utils import translation
from playwright.sync_api import expect

from escrow.models import EscrowAgreement
from escrow.services import invitations
from tests.escrow.factories import ADDRESS
from trustplatform.ui.korean import won

from ..factories import PASSWORD, MembershipFactory, PartnerFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

AMOUNT = 150_000_000


def test_accepting_terms_opens_a_dialog_naming_the_amount_and_only_its_confirm_accepts(
    live_server, browsers, tmp_path
):
    base = live_server.url
    tenant = UserFactory(email="tenant@example.kr", full_name="김세입")
    landlord = MembershipFactory(partner=PartnerFactory(kind="landlord", name="성수 하우스"), role="owner")
    agreement = invitations.agreement_offer(
        created_by=landlord.user, payee=landlord.partner, payer_email=tenant.email, template="rental_deposit",
        title="성수 302호 전세 보증금", amount_krw=AMOUNT, property_address=ADDRESS, notes="",
        conditions=[{"kind": "counterparty", "confirmer": "payer", "label": "열쇠 인도"}],
    )

    page = browsers.new_page()
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", tenant.email)
    page.fill("#id_password", PASSWORD)
    page.locator("#main form button[type=submit]").click()
    expect(page).to_have_url(f"{base}/")
    page.goto(f"{base}/deposits/{agreement.pk}/")

    dialog = page.locator("#accept-confirm")
    expect(dialog).to_be_hidden()
    expect(page.locator("[data-confirm-fallback]")).to_be_hidden()  # with JavaScript, the dialog asks
    with translation.override("ko"):
        amount = won(AMOUNT)  # "150,000,000원", as the Korean page writes it

    # Going back leaves the agreement as it was.
    page.locator("#accept-terms").click()
    expect(dialog).to_be_visible()
    expect(dialog.locator("[data-confirm-amount]")).to_have_text(amount)
    expect(page.locator("#accept-confirm [data-confirm-cancel]")).to_be_focused()
    dialog.locator("[data-confirm-cancel]").click()
    expect(dialog).to_be_hidden()
    expect(page.locator("#accept-terms")).to_be_focused()  # focus back where it was
    page.locator("#accept-terms").click()
    expect(dialog).to_be_visible()
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    agreement.refresh_from_db()
    assert agreement.status == EscrowAgreement.Status.PROPOSED and not agreement.payer_accepted_hash

    # On a phone the open dialog fits the screen: nothing scrolls sideways.
    page.set_viewport_size({"width": 390, "height": 844})
    page.locator("#accept-terms").click()
    expect(dialog).to_be_visible()
    page.screenshot(path=str(tmp_path / "accept-dialog-390.png"))
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    box = dialog.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390

    # The confirm button accepts these exact terms.
    page.locator("#accept-confirm-submit").click()
    expect(page.locator("#main h1 .badge")).to_have_attribute("data-status", "agreed")
    agreement.refresh_from_db()
    assert agreement.status == EscrowAgreement.Status.AGREED
    assert agreement.payer_accepted_hash == agreement.terms_hash
    assert browsers.problems == []
