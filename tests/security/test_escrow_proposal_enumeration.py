"""Issue 13, item 10: account enumeration by email in escrow proposals.

A business proposing an agreement to an email address was told `payer_not_found` when no account used
it, and the payer's name when one did: a way to test which addresses are registered (and whose they
are). Now the proposal is answered the same way either way; an agreement to an address without an
account waits, seen by no one but the business, for the person who signs up with that address
(proving it through the emailed sign-up link), who is told by email meanwhile.
"""

import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import translation
from rest_framework.test import APIClient

from escrow.models import EscrowAgreement
from escrow.services.agreements import terms_snapshot
from tests.factories import MembershipFactory, PartnerFactory, UserFactory
from trustplatform.accounts.models import User
from trustplatform.notifications.models import OutboundMessage

pytestmark = pytest.mark.django_db

AGREEMENTS = "/api/v1/escrow/agreements/"
TITLE = "욕실 리모델링 (302호)"
PASSWORD = "a-long-pass-phrase-42"


def _client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def _proposed(business, payer_email: str) -> dict:
    response = _client_for(business).post(
        AGREEMENTS,
        {"template": "renovation", "title": TITLE, "amount_krw": 12_000_000, "payer_email": payer_email},
        format="json",
    )
    assert response.status_code == 201, response.content
    return response.json()


def _without_identity(value):
    """What any two agreements' answers differ in (ids, times, the fingerprint of terms naming the
    agreement, the address typed) left out."""
    volatile = {"id", "milestone", "terms_hash", "created_at", "proposed_at", "fund_by", "payer_email"}
    if isinstance(value, dict):
        return {key: _without_identity(item) for key, item in value.items() if key not in volatile}
    if isinstance(value, list):
        return [_without_identity(item) for item in value]
    return value


@pytest.fixture
def contractor():
    return MembershipFactory(partner=PartnerFactory(kind="contractor", name="바른손 인테리어"))


def test_a_proposal_does_not_tell_a_business_whether_an_email_has_an_account(contractor):
    UserFactory(email="minji@example.kr", full_name="김민지")
    known = _proposed(contractor.user, "minji@example.kr")
    unknown = _proposed(contractor.user, "nobody@example.kr")
    assert _without_identity(known) == _without_identity(unknown)
    assert known["payer_name"] == unknown["payer_name"] == ""
    # The fingerprint is made of the same terms either way: the address, not an account.
    snapshots = [terms_snapshot(EscrowAgreement.objects.get(pk=answer["id"])) for answer in (known, unknown)]
    for snapshot in snapshots:
        assert "payer" not in snapshot
        del snapshot["agreement"], snapshot["payer_email"]
    assert snapshots[0] == snapshots[1]

    # The portal's form too: both proposals lead to the agreement's page.
    portal = Client()
    portal.force_login(contractor.user)
    for email in ("minji@example.kr", "someone@example.kr"):
        response = portal.post(reverse("escrow_portal:propose"), {
            "template": "renovation", "payer_email": email, "title": TITLE, "amount_krw": "12,000,000",
        })
        assert response.status_code == 302, email
        assert response.url == reverse("escrow_portal:detail", args=[EscrowAgreement.objects.latest("pk").pk])


def test_an_agreement_to_an_address_without_an_account_waits_for_its_owner_to_sign_up(contractor):
    answer = _proposed(contractor.user, "Newcomer@Example.kr")
    agreement = EscrowAgreement.objects.get(pk=answer["id"])
    assert agreement.payer is None and agreement.payer_email == "newcomer@example.kr"
    # The address is told by email, in the platform's words only (never the business's title).
    invitation = OutboundMessage.objects.get(idempotency_key=f"escrow-invitation:{agreement.pk}")
    assert invitation.channel == OutboundMessage.Channel.EMAIL
    assert invitation.recipient == "newcomer@example.kr"
    assert "바른손 인테리어" in invitation.subject and "/accounts/signup/" in invitation.body
    assert TITLE not in invitation.subject + invitation.body

    # Nobody else sees it: another consumer, another business, someone signing up with another address.
    other_business = MembershipFactory()
    for person in (UserFactory(), other_business.user, _signed_up(Client(), "someone@example.kr")):
        api = _client_for(person)
        assert api.get(AGREEMENTS).json()["results"] == []
        assert api.get(f"{AGREEMENTS}{agreement.pk}/").status_code == 404
        accept = api.post(f"{AGREEMENTS}{agreement.pk}/accept/", {"terms_hash": agreement.terms_hash},
                          format="json")
        assert accept.status_code == 404
        browser = Client()
        browser.force_login(person)
        assert browser.get(reverse("escrow:detail", args=[agreement.pk])).status_code == 404

    # The owner of the address signs up through the emailed link and finds it waiting, to accept.
    browser = Client()
    newcomer = _signed_up(browser, "newcomer@example.kr")
    agreement.refresh_from_db()
    assert agreement.payer == newcomer
    assert TITLE in browser.get(reverse("escrow:list")).content.decode()
    assert browser.get(reverse("escrow:detail", args=[agreement.pk])).status_code == 200
    accepted = browser.post(
        reverse("escrow:accept", args=[agreement.pk]),
        {"terms_hash": agreement.terms_hash, "confirmed": "yes"},
    )
    assert accepted.status_code == 302
    agreement.refresh_from_db()
    assert agreement.status == EscrowAgreement.Status.AGREED
    # Once the payer accepted, the business may know who pays.
    body = _client_for(contractor.user).get(f"{AGREEMENTS}{agreement.pk}/").json()
    assert body["payer_name"] == "박새내" and body["accepted_by_payer"]


def _signed_up(browser: Client, email: str) -> User:
    """Sign up as a person does: the address, then the link mailed to it, then the rest."""
    mail.outbox.clear()
    with translation.override("en"):
        browser.post(reverse("accounts:signup"), {"email": email})
    link = re.search(r"https?://[^/\s]+(/accounts/signup/\S+/)", mail.outbox[0].body).group(1)
    response = browser.post(link, {
        "full_name": "박새내", "phone": "010-2345-6789", "password1": PASSWORD, "password2": PASSWORD,
    })
    assert response.status_code == 302, response.content[:300]
    return User.objects.get(email=email)
