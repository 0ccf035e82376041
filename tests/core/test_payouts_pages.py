"""The partner's payouts page says to which account the money goes: the bank and the masked number, for
the account payouts go to now and for every payout already sent."""

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import MembershipFactory, PartnerFactory, PayoutAccountFactory
from trustplatform.ledger.services import ledger_transfer, partner_payable, platform_account
from trustplatform.payments import payouts
from trustplatform.payments.banks import bank_name
from trustplatform.payments.providers import SandboxProvider

pytestmark = pytest.mark.django_db


def test_the_payouts_page_names_the_bank_and_masked_number_of_each_payout(
    django_capture_on_commit_callbacks, monkeypatch
):
    monkeypatch.setattr(SandboxProvider, "_deliver", staticmethod(lambda body, headers: None))
    owner = MembershipFactory(partner=PartnerFactory(kind="landlord", representative="박대표"), role="owner")
    partner = owner.partner
    account = PayoutAccountFactory(partner=partner, bank="KOOKMIN", number="123456789012")
    ledger_transfer(debit=platform_account("platform-capital"), credit=partner_payable(partner),
                    amount_krw=500_000, key="test-credit", reason="test credit")
    with django_capture_on_commit_callbacks(execute=True):
        payouts.payout_request(partner=partner, amount_krw=200_000, actor=owner.user)

    client = Client()
    client.force_login(owner.user)
    page = client.get(reverse("payments_portal:payouts")).content.decode()
    assert "123456789012" not in page  # never the whole number
    facts = page[page.index('id="payout-account-facts"'):]
    facts = facts[: facts.index("</dl>")]
    assert str(bank_name("KOOKMIN")) in facts and account.number_hint in facts
    row = page[page.index("data-payout-account"):]
    row = row[: row.index("</td>")]
    assert str(bank_name("KOOKMIN")) in row and "•••• 9012" in row
    assert 'id="payout-destination"' in page and "•••• 9012" in page[page.index('id="payout-destination"'):]
