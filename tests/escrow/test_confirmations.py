"""Steps that cannot be undone wait for an explicit confirmation that names the amount: accepting terms,
confirming a condition (which may release the money), approving a stage, withdrawing a dispute. Without
the confirmation nothing changes; with it the step happens once. And the side that did not open a
dispute answers it, from the portal for a landlord or contractor."""

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.translation import gettext

from escrow import tasks
from escrow.models import Condition, Dispute, EscrowAgreement, Evidence, Milestone
from escrow.services import agreements, disputes, invitations, release
from escrow.services.common import fee_of
from tests.factories import MembershipFactory, PartnerFactory, UserFactory
from tests.files import image_bytes
from trustplatform.ledger.services import partner_payable
from trustplatform.ui.korean import won

from .factories import ADDRESS, agreed_rental, fund

pytestmark = pytest.mark.django_db

UNCONFIRMED = "Nothing was done: confirm it in the dialog, or tick the box, first."


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"


@pytest.fixture(autouse=True)
def evaluations(monkeypatch) -> list[int]:
    scheduled = []
    monkeypatch.setattr(tasks.agreement_evaluate_task, "delay_on_commit", scheduled.append)
    return scheduled


def page_of(client, url) -> str:
    return client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()


def proposed_rental(amount_krw=150_000_000):
    """A deposit the landlord proposed and the tenant has yet to accept."""
    tenant = UserFactory(email="tenant@example.kr")
    landlord = MembershipFactory(partner=PartnerFactory(kind="landlord", name="성수 하우스"))
    agreement = invitations.agreement_offer(
        created_by=landlord.user, payee=landlord.partner, payer_email=tenant.email, template="rental_deposit",
        title="성수 302호 보증금", amount_krw=amount_krw, property_address=ADDRESS, notes="",
        conditions=[{"kind": "counterparty", "confirmer": "payer", "label": "Keys handed over"}],
    )
    return EscrowAgreement.objects.get(pk=agreement.pk), tenant, landlord.user


def test_accepting_terms_names_the_amount_and_waits_for_the_explicit_confirmation(client):
    agreement, tenant, _landlord = proposed_rental()
    client.force_login(tenant)
    detail = reverse("escrow:detail", args=[agreement.pk])
    page = page_of(client, detail)
    dialog = page[page.index('<dialog class="confirm-dialog" id="accept-confirm"'):]
    dialog = dialog[: dialog.index("</dialog>")]
    assert won(150_000_000) in dialog and 'name="confirmed" value="yes"' in dialog
    assert 'aria-labelledby="accept-confirm-title"' in dialog

    accept = reverse("escrow:accept", args=[agreement.pk])
    response = client.post(accept, {"terms_hash": agreement.terms_hash}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200 and UNCONFIRMED in response.content.decode()
    agreement.refresh_from_db()
    assert agreement.status == EscrowAgreement.Status.PROPOSED and not agreement.payer_accepted_hash

    confirmed = {"terms_hash": agreement.terms_hash, "confirmed": "yes"}
    assert client.post(accept, confirmed).status_code == 302
    agreement.refresh_from_db()
    assert agreement.status == EscrowAgreement.Status.AGREED
    client.post(accept, confirmed)  # a second press changes nothing
    agreement.refresh_from_db()
    assert (agreement.status, agreement.payer_accepted_hash) == ("agreed", agreement.terms_hash)


def test_confirming_the_keys_says_how_much_goes_to_whom_and_needs_the_confirmation(client):
    agreement, tenant, _landlord = agreed_rental(amount_krw=10_000_000)
    fund(agreement, tenant)
    keys = agreement.conditions.get(kind=Condition.Kind.COUNTERPARTY, confirmer="payer")
    client.force_login(tenant)
    page = page_of(client, reverse("escrow:detail", args=[agreement.pk]))
    dialog = page[page.index(f'id="condition-confirm-{keys.pk}"'):]
    dialog = dialog[: dialog.index("</dialog>")]
    fee = fee_of(10_000_000)
    assert won(10_000_000 - fee) in dialog and won(fee) in dialog and agreement.payee.name in dialog

    url = reverse("escrow:condition_confirm", args=[agreement.pk, keys.pk])
    response = client.post(url, HTTP_ACCEPT_LANGUAGE="en", follow=True)
    assert UNCONFIRMED in response.content.decode()
    keys.refresh_from_db()
    assert keys.status == Condition.Status.PENDING

    client.post(url, {"confirmed": "yes"})
    keys.refresh_from_db()
    assert keys.status == Condition.Status.SATISFIED


def funded_renovation():
    customer = UserFactory()
    contractor = MembershipFactory(partner=PartnerFactory(kind="contractor", name="바른 인테리어"))
    agreement = agreements.agreement_create(
        created_by=contractor.user, payer=customer, payee=contractor.partner, template="renovation",
        title="욕실 공사", amount_krw=10_000_000,
    )
    agreement = agreements.agreement_propose(agreement=agreement, actor=contractor.user)
    agreements.agreement_accept(agreement=agreement, actor=customer, accepted_hash=agreement.terms_hash)
    fund(agreement, customer)
    return agreement, customer, contractor


def test_approving_a_stage_names_its_amount_and_pays_it_once_only_when_confirmed(client):
    agreement, customer, contractor = funded_renovation()
    down = agreement.milestones.get(sequence=1)
    release.milestone_submit(milestone=down, actor=contractor.user)
    client.force_login(customer)
    page = page_of(client, reverse("escrow:detail", args=[agreement.pk]))
    dialog = page[page.index(f'id="milestone-approve-{down.pk}"'):]
    dialog = dialog[: dialog.index("</dialog>")]
    assert won(down.amount_krw) in dialog

    url = reverse("escrow:milestone_approve", args=[agreement.pk, down.pk])
    client.post(url)
    down.refresh_from_db()
    assert down.status == Milestone.Status.SUBMITTED

    client.post(url, {"confirmed": "yes"})
    client.post(url, {"confirmed": "yes"})  # pressed twice: paid once
    down.refresh_from_db()
    assert down.status == Milestone.Status.RELEASED
    assert partner_payable(contractor.partner).balance_krw == down.amount_krw - fee_of(down.amount_krw)


def test_withdrawing_a_dispute_needs_the_confirmation(client):
    agreement, tenant, _landlord = agreed_rental()
    fund(agreement, tenant)
    dispute = disputes.dispute_open(agreement=agreement, actor=tenant, reasons="열쇠를 받지 못했습니다.")
    client.force_login(tenant)
    url = reverse("escrow:dispute_withdraw", args=[agreement.pk, dispute.pk])
    client.post(url)
    assert Dispute.objects.get(pk=dispute.pk).status == Dispute.Status.OPEN
    client.post(url, {"confirmed": "yes"})
    assert Dispute.objects.get(pk=dispute.pk).status == Dispute.Status.WITHDRAWN


def test_the_landlord_accepting_a_tenants_deposit_in_the_portal_needs_the_confirmation_too(client):
    tenant = UserFactory()
    landlord = MembershipFactory(partner=PartnerFactory(kind="landlord", name="성수 하우스"))
    agreement = agreements.rental_deposit_propose(
        payer=tenant, payee=landlord.partner, broker=None, title="성수 302호 보증금",
        amount_krw=150_000_000, property_address=ADDRESS, move_in_date=date(2020, 1, 1),
    )
    client.force_login(landlord.user)
    page = page_of(client, reverse("escrow_portal:detail", args=[agreement.pk]))
    dialog = page[page.index('id="accept-confirm"'):]
    assert won(150_000_000) in dialog[: dialog.index("</dialog>")]
    url = reverse("escrow_portal:accept", args=[agreement.pk])
    client.post(url, {"terms_hash": agreement.terms_hash})
    agreement.refresh_from_db()
    assert agreement.payee_accepted_hash != agreement.terms_hash
    client.post(url, {"terms_hash": agreement.terms_hash, "confirmed": "yes"})
    agreement.refresh_from_db()
    assert agreement.payee_accepted_hash == agreement.terms_hash


# --- answering a dispute ----------------------------------------------------------------------------


def _answer(client, agreement, dispute, *, portal: bool, text="열쇠는 3월 2일에 드렸습니다."):
    namespace = "escrow_portal" if portal else "escrow"
    upload = SimpleUploadedFile("handover.png", image_bytes("PNG"), content_type="image/png")
    return client.post(
        reverse(f"{namespace}:dispute_answer", args=[agreement.pk, dispute.pk]),
        {f"answer-{dispute.pk}-description": text, f"answer-{dispute.pk}-file": upload},
        HTTP_ACCEPT_LANGUAGE="en",
    )


def test_a_landlord_answers_the_tenants_dispute_in_the_portal(client):
    agreement, tenant, landlord = agreed_rental()
    fund(agreement, tenant)
    dispute = disputes.dispute_open(agreement=agreement, actor=tenant, reasons="열쇠를 받지 못했습니다.")
    client.force_login(landlord)
    detail = reverse("escrow_portal:detail", args=[agreement.pk])
    action = reverse("escrow_portal:dispute_answer", args=[agreement.pk, dispute.pk])
    assert f'action="{action}"' in page_of(client, detail)

    response = _answer(client, agreement, dispute, portal=True)
    assert response.status_code == 302
    answer = Evidence.objects.get(dispute=dispute)
    assert (answer.uploaded_by, answer.description) == (landlord, "열쇠는 3월 2일에 드렸습니다.")
    assert "열쇠는 3월 2일에 드렸습니다." in page_of(client, detail)

    # The tenant who opened it is not offered an answer form on their own dispute.
    client.force_login(tenant)
    consumer_action = reverse("escrow:dispute_answer", args=[agreement.pk, dispute.pk])
    assert f'action="{consumer_action}"' not in page_of(client, reverse("escrow:detail", args=[agreement.pk]))


def test_an_empty_answer_is_refused_beside_its_field(client):
    agreement, tenant, landlord = agreed_rental()
    fund(agreement, tenant)
    dispute = disputes.dispute_open(agreement=agreement, actor=tenant, reasons="열쇠를 받지 못했습니다.")
    client.force_login(landlord)
    response = _answer(client, agreement, dispute, portal=True, text="")
    assert response.status_code == 200
    assert gettext("Write your answer to the dispute.") in response.content.decode()
    assert not Evidence.objects.filter(dispute=dispute).exists()


def test_another_partner_cannot_answer_the_dispute(client):
    agreement, tenant, _landlord = agreed_rental()
    fund(agreement, tenant)
    dispute = disputes.dispute_open(agreement=agreement, actor=tenant, reasons="열쇠를 받지 못했습니다.")
    other = MembershipFactory(partner=PartnerFactory(kind="landlord", name="다른 하우스"))
    client.force_login(other.user)
    assert _answer(client, agreement, dispute, portal=True).status_code == 404
    assert not Evidence.objects.filter(dispute=dispute).exists()


def test_the_payer_answers_a_dispute_the_landlord_opened(client):
    agreement, tenant, landlord = agreed_rental()
    fund(agreement, tenant)
    dispute = disputes.dispute_open(agreement=agreement, actor=landlord, reasons="관리비 정산이 남았습니다.")
    client.force_login(tenant)
    assert _answer(client, agreement, dispute, portal=False).status_code == 302
    assert Evidence.objects.filter(dispute=dispute, uploaded_by=tenant).count() == 1
    # The landlord who opened it cannot answer their own dispute.
    client.force_login(landlord)
    response = _answer(client, agreement, dispute, portal=True)
    assert response.status_code == 200
    assert Evidence.objects.filter(dispute=dispute).count() == 1
