"""Issue 13, item 10: the API's deposit agreements, weaker than the portal's.

The API accepted a rental deposit with no address (so no registry baseline was taken at funding and
the registry condition could never fail) and a move-in date already past (the date condition held at
once), where the portal refuses both; and a payer saw, through the API, agreements still in draft.
"""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from escrow.models import EscrowAgreement
from escrow.services import agreements
from tests.escrow.factories import ADDRESS, fund
from tests.factories import MembershipFactory, PartnerFactory, SandboxRegistryRecordFactory, UserFactory

pytestmark = pytest.mark.django_db

AGREEMENTS = "/api/v1/escrow/agreements/"


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def landlord():
    return MembershipFactory(partner=PartnerFactory(kind="landlord"))


def proposal(payer, **overrides) -> dict:
    return {
        "template": "rental_deposit",
        "title": "성수 302호 보증금",
        "amount_krw": 10_000_000,
        "payer_email": payer.email,
        "property_address": ADDRESS,
        "move_in_date": (timezone.localdate() + timedelta(days=30)).isoformat(),
        **overrides,
    }


def refused(response, field: str) -> dict:
    assert response.status_code == 400, response.content
    body = response.json()
    assert set(body) == {"code", "detail", "fields"} and field in body["fields"], body
    assert not EscrowAgreement.objects.exists()
    return body


@pytest.mark.parametrize("address", ["", "   "])
def test_a_rental_deposit_without_an_address_is_refused(landlord, address):
    response = client_for(landlord.user).post(
        AGREEMENTS, proposal(UserFactory(), property_address=address), format="json"
    )
    refused(response, "property_address")


def test_a_rental_deposit_without_the_address_field_is_refused(landlord):
    data = proposal(UserFactory())
    del data["property_address"]
    refused(client_for(landlord.user).post(AGREEMENTS, data, format="json"), "property_address")


def test_a_move_in_date_already_past_is_refused(landlord):
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
    response = client_for(landlord.user).post(
        AGREEMENTS, proposal(UserFactory(), move_in_date=yesterday), format="json"
    )
    refused(response, "move_in_date")


def test_a_deposit_proposed_through_the_api_takes_the_registry_baseline_when_funded(landlord):
    tenant = UserFactory()
    SandboxRegistryRecordFactory(address=ADDRESS, owner_name="정하은", liens=[])
    response = client_for(landlord.user).post(AGREEMENTS, proposal(tenant), format="json")
    assert response.status_code == 201, response.content
    agreement = EscrowAgreement.objects.get(pk=response.json()["id"])
    agreement = agreements.agreement_accept(
        agreement=agreement, actor=tenant, accepted_hash=agreement.terms_hash
    )
    fund(agreement, tenant)
    agreement.refresh_from_db()
    assert agreement.terms["registry_baseline"] == {"owner": "정하은", "liens": []}


def test_a_payer_does_not_see_a_draft_through_the_api(landlord):
    tenant = UserFactory()
    draft = agreements.agreement_create(
        created_by=landlord.user,
        payer=tenant,
        payee=landlord.partner,
        template="custom",
        title="초안",
        amount_krw=1_000_000,
    )
    assert draft.status == EscrowAgreement.Status.DRAFT
    client = client_for(tenant)
    assert client.get(AGREEMENTS).json()["results"] == []
    assert client.get(f"{AGREEMENTS}{draft.pk}/").status_code == 404
    assert (
        client.post(f"{AGREEMENTS}{draft.pk}/accept/", {"terms_hash": "0" * 64}, format="json").status_code
        == 404
    )
    # The business that drafted it still sees it.
    mine = client_for(landlord.user).get(AGREEMENTS).json()["results"]
    assert [row["id"] for row in mine] == [draft.pk]
    # Once proposed, the payer sees it.
    agreements.agreement_propose(agreement=draft, actor=landlord.user)
    assert [row["id"] for row in client.get(AGREEMENTS).json()["results"]] == [draft.pk]
