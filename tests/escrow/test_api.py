import hashlib
from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from rest_framework.test import APIClient

from escrow.models import Condition, EscrowAgreement, Evidence, GuaranteeClaim, Milestone
from escrow.services import agreements
from escrow.services.common import holding_account
from tests.factories import (
    IdempotentRequestFactory,
    MembershipFactory,
    PartnerFactory,
    PayoutAccountFactory,
    UserFactory,
)
from tests.files import jpeg_upload, pdf_bytes, pdf_upload
from tests.race import race
from trustplatform.api.models import IdempotentRequest
from trustplatform.ledger import services as ledger
from trustplatform.ledger.models import Hold
from trustplatform.ledger.services import partner_payable
from trustplatform.payments.models import Payout

from .factories import ADDRESS, agreed_rental, fund

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(settings):
    """These tests read staff and API messages in English, the source language."""
    settings.LANGUAGE_CODE = "en"


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def client_for(user, partner_id=None) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    if partner_id is not None:
        client.credentials(HTTP_X_PARTNER_ID=str(partner_id))
    return client


def url(name, *args):
    return reverse(f"api:escrow_api:{name}", args=args)


def assert_error(response, status, code):
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"code", "detail", "fields"} and body["code"] == code and body["detail"]
    return body


def funded_renovation():
    customer = UserFactory(full_name="최고객")
    contractor = MembershipFactory(partner=PartnerFactory(kind="contractor", name="바른손 인테리어"))
    agreement = agreements.agreement_create(
        created_by=contractor.user,
        payer=customer,
        payee=contractor.partner,
        template="renovation",
        title="욕실 리모델링",
        amount_krw=20_000_000,
    )
    agreement = agreements.agreement_propose(agreement=agreement, actor=contractor.user)
    agreement = agreements.agreement_accept(
        agreement=agreement, actor=customer, accepted_hash=agreement.terms_hash
    )
    fund(agreement, customer)
    return agreement, customer, contractor.user


def credit_partner(partner, amount_krw=1_000_000):
    """Money the partner may be paid, and the verified bank account it is paid to."""
    if not partner.payout_accounts.exists():
        PayoutAccountFactory(partner=partner)
    ledger.ledger_transfer(
        debit=ledger.platform_account("platform-capital"),
        credit=partner_payable(partner),
        amount_krw=amount_krw,
        key=f"test:credit:{partner.pk}",
        reason="test credit",
    )


# --- scoping -----------------------------------------------------------------------------------


def test_a_consumer_sees_only_the_agreements_they_pay_into():
    agreement, tenant, _landlord = agreed_rental()
    mine = client_for(tenant).get(url("agreements")).json()
    assert [item["id"] for item in mine["results"]] == [agreement.pk]
    assert mine["results"][0]["your_side"] == "payer"
    stranger = client_for(UserFactory())
    assert stranger.get(url("agreements")).json()["results"] == []
    assert_error(stranger.get(url("agreement", agreement.pk)), 404, "not_found")
    assert_error(
        stranger.post(url("accept", agreement.pk), {"terms_hash": agreement.terms_hash}, format="json"),
        404,
        "not_found",
    )


def test_a_partner_sees_agreements_paid_to_it_and_another_partner_gets_404():
    agreement, _tenant, landlord = agreed_rental()
    partner_id = agreement.payee_id
    for client in (client_for(landlord), client_for(landlord, partner_id)):
        body = client.get(url("agreement", agreement.pk)).json()
        assert body["id"] == agreement.pk and body["your_side"] == "payee"
    other = MembershipFactory()
    assert_error(client_for(other.user).get(url("agreement", agreement.pk)), 404, "not_found")
    assert client_for(other.user).get(url("agreements")).json()["results"] == []
    # Naming a partner one does not belong to is a 404 too, never a way in.
    assert_error(client_for(other.user, partner_id).get(url("agreement", agreement.pk)), 404, "not_found")


def test_the_detail_says_what_every_held_amount_waits_for():
    agreement, tenant, _landlord = agreed_rental()
    fund(agreement, tenant)
    body = client_for(tenant).get(url("agreement", agreement.pk)).json()
    assert body["status"] == "funded" and body["payments"][0]["status"] == "paid"
    [held] = body["held"]
    assert held["amount_krw"] == agreement.amount_krw
    assert "Keys handed over to the tenant" in held["waits_for"] and held["next_step"]
    assert {c["kind"] for c in body["conditions"]} == {"counterparty", "document", "registry", "date"}


# --- the agreement flow through the API ---------------------------------------------------------


# The API refuses a move-in date already past, as the portal does.
MOVE_IN = date.today() + timedelta(days=60)


def test_a_partner_proposes_from_a_template_and_the_payer_accepts_and_pays():
    tenant = UserFactory(email="tenant@example.kr")
    landlord = MembershipFactory(partner=PartnerFactory(kind="landlord"))
    partner_client = client_for(landlord.user)
    response = partner_client.post(
        url("agreements"),
        {
            "template": "rental_deposit",
            "title": "성수 302호 보증금",
            "amount_krw": 10_000_000,
            "payer_email": "TENANT@example.kr",
            "property_address": ADDRESS,
            "move_in_date": MOVE_IN.isoformat(),
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "proposed" and body["accepted_by_payee"] and not body["accepted_by_payer"]
    date_condition = next(c for c in body["conditions"] if c["kind"] == "date")
    assert date_condition["due_date"] == MOVE_IN.isoformat()

    tenant_client = client_for(tenant)
    accepted = tenant_client.post(
        url("accept", body["id"]), {"terms_hash": body["terms_hash"]}, format="json"
    )
    assert accepted.status_code == 200 and accepted.json()["status"] == "agreed"
    payment = tenant_client.post(url("payments", body["id"]), {"method": "virtual_account"}, format="json")
    assert payment.status_code == 201
    assert payment.json()["provider_payment_id"].startswith("sbx_pay_") and payment.json()["virtual_account"]


def _proposal_answer(client, payer_email: str) -> dict:
    response = client.post(
        url("agreements"),
        {"template": "renovation", "title": "욕실 공사", "amount_krw": 3_000_000, "payer_email": payer_email},
        format="json",
    )
    assert response.status_code == 201, response.content
    return response.json()


def _without_identity(value):
    """An answer with what differs between any two agreements (ids, times, the fingerprint of terms
    that name the agreement, the address typed) left out."""
    volatile = {"id", "milestone", "terms_hash", "created_at", "proposed_at", "fund_by", "payer_email"}
    if isinstance(value, dict):
        return {key: _without_identity(item) for key, item in value.items() if key not in volatile}
    if isinstance(value, list):
        return [_without_identity(item) for item in value]
    return value


def test_a_proposal_is_answered_the_same_whether_or_not_the_email_has_an_account():
    UserFactory(email="known@example.kr", full_name="김민지")
    contractor = MembershipFactory(partner=PartnerFactory(kind="contractor"))
    client = client_for(contractor.user)
    known = _proposal_answer(client, "Known@Example.kr")
    unknown = _proposal_answer(client, "nobody@example.kr")
    assert _without_identity(known) == _without_identity(unknown)
    assert known["payer_name"] == "" and known["status"] == "proposed" and known["accepted_by_payee"]
    assert (known["payer_email"], unknown["payer_email"]) == ("known@example.kr", "nobody@example.kr")
    # The business reads both back the same way too.
    listed = client.get(url("agreements")).json()["results"]
    assert [_without_identity(item) for item in listed] == [_without_identity(known)] * 2


def test_refusals_have_the_error_shape():
    agreement, tenant, landlord = agreed_rental()
    tenant_client = client_for(tenant)
    # A consumer is not a partner: cannot propose.
    assert_error(tenant_client.post(url("agreements"), {}, format="json"), 403, "permission_denied")
    assert_error(
        client_for(landlord).post(
            url("agreements"),
            {
                "template": "rental_deposit",
                "title": "t",
                "amount_krw": 1_000,
                "payer_email": tenant.email,
            },
            format="json",
        ),
        400,
        "invalid",
    )
    assert_error(
        tenant_client.post(url("payments", agreement.pk), {"method": "card", "tip": 1}, format="json"),
        400,
        "unknown_field",
    )
    # A domain refusal keeps its code: the landlord is not the payer.
    assert_error(
        client_for(landlord).post(url("payments", agreement.pk), {"method": "card"}, format="json"),
        404,
        "not_found",
    )
    fund(agreement, tenant)
    assert_error(
        tenant_client.post(url("payments", agreement.pk), {"method": "card"}, format="json"),
        409,
        "not_payable",
    )


def test_confirm_evidence_milestones_disputes_and_claims():
    agreement, customer, contractor = funded_renovation()
    down = agreement.milestones.get(kind=Milestone.Kind.DOWN_PAYMENT)
    contractor_client, customer_client = client_for(contractor), client_for(customer)
    # The customer cannot submit the contractor's work, nor the contractor approve it.
    assert_error(customer_client.post(url("milestone_submit", agreement.pk, down.pk)), 404, "not_found")
    assert (
        contractor_client.post(url("milestone_submit", agreement.pk, down.pk)).json()["status"] == "submitted"
    )
    assert (
        customer_client.post(url("milestone_approve", agreement.pk, down.pk)).json()["status"] == "released"
    )
    assert partner_payable(agreement.payee).balance_krw > 0

    claim = customer_client.post(
        url("claims", agreement.pk),
        {
            "accident": "materials_swapped",
            "description": "타일 등급이 계약과 다름",
            "amount_krw": 500_000,
        },
        format="json",
    )
    assert claim.status_code == 201 and GuaranteeClaim.objects.get().status == "filed"
    dispute = contractor_client.post(
        url("disputes", agreement.pk), {"reasons": "추가 공사비 미지급"}, format="json"
    )
    assert dispute.status_code == 201 and dispute.json()["status"] == "open"
    agreement.refresh_from_db()
    assert agreement.status == EscrowAgreement.Status.DISPUTED
    upload = pdf_upload("견적서.pdf", "quote")
    evidence = contractor_client.post(
        url("dispute_evidence", agreement.pk, dispute.json()["id"]), {"file": upload}, format="multipart"
    )
    assert evidence.status_code == 201
    assert evidence.json()["sha256"] == hashlib.sha256(pdf_bytes("quote")).hexdigest()


def test_the_tenant_confirms_the_keys():
    agreement, tenant, landlord = agreed_rental()
    fund(agreement, tenant)
    keys = agreement.conditions.get(kind=Condition.Kind.COUNTERPARTY)
    assert_error(
        client_for(landlord).post(url("condition_confirm", agreement.pk, keys.pk)), 403, "not_your_condition"
    )
    response = client_for(tenant).post(url("condition_confirm", agreement.pk, keys.pk))
    assert response.status_code == 200 and response.json()["status"] == "satisfied"


def test_multipart_evidence_upload_stores_the_sha256():
    agreement, tenant, _landlord = agreed_rental()
    document = agreement.conditions.get(kind=Condition.Kind.DOCUMENT)
    content = pdf_bytes("move-in report 2026-03-01 " * 100)
    upload = SimpleUploadedFile("전입신고.pdf", content, content_type="application/pdf")
    client = client_for(tenant)
    response = client.post(
        url("condition_evidence", agreement.pk, document.pk),
        {"file": upload, "description": "주민센터 발급"},
        format="multipart",
    )
    assert response.status_code == 201, response.content
    evidence = Evidence.objects.get()
    assert response.json()["sha256"] == evidence.sha256 == hashlib.sha256(content).hexdigest()
    assert evidence.condition == document and evidence.size_bytes == len(content)
    evidence.file.open("rb")
    assert hashlib.sha256(evidence.file.read()).hexdigest() == evidence.sha256
    # JSON is not accepted on the upload endpoint.
    assert_error(
        client.post(url("condition_evidence", agreement.pk, document.pk), {"file": "x"}, format="json"),
        415,
        "unsupported_media_type",
    )
    assert_error(
        client_for(UserFactory()).post(
            url("condition_evidence", agreement.pk, document.pk),
            {"file": SimpleUploadedFile("a.txt", b"a")},
            format="multipart",
        ),
        404,
        "not_found",
    )


# --- Idempotency-Key ---------------------------------------------------------------------------


def test_a_repeated_key_replays_the_first_answer_and_moves_money_once():
    member = MembershipFactory(partner=PartnerFactory(kind="contractor"))
    credit_partner(member.partner)
    client = client_for(member.user)
    first = client.post(url("payouts"), {"amount_krw": 300_000}, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    again = client.post(url("payouts"), {"amount_krw": 300_000}, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert "Idempotent-Replayed" not in first.headers and again.headers["Idempotent-Replayed"] == "true"
    assert Payout.objects.count() == Hold.objects.count() == 1
    assert partner_payable(member.partner).available_krw == 700_000
    # Without a key, the same request is a new payout.
    client.post(url("payouts"), {"amount_krw": 300_000}, format="json")
    assert Payout.objects.count() == 2


def test_the_same_key_with_another_body_is_refused():
    member = MembershipFactory()
    credit_partner(member.partner)
    client = client_for(member.user)
    assert (
        client.post(
            url("payouts"), {"amount_krw": 1_000}, format="json", HTTP_IDEMPOTENCY_KEY="k-2"
        ).status_code
        == 201
    )
    assert_error(
        client.post(url("payouts"), {"amount_krw": 2_000}, format="json", HTTP_IDEMPOTENCY_KEY="k-2"),
        409,
        "idempotency_key_reused",
    )
    # Keys belong to their user: another member's k-2 is a different request.
    colleague = MembershipFactory(partner=member.partner, role="manager").user
    assert (
        client_for(colleague)
        .post(url("payouts"), {"amount_krw": 2_000}, format="json", HTTP_IDEMPOTENCY_KEY="k-2")
        .status_code
        == 201
    )
    assert Payout.objects.count() == 2


def test_a_failed_request_is_not_remembered_and_can_be_retried_with_its_key():
    member = MembershipFactory()
    PayoutAccountFactory(partner=member.partner)
    client = client_for(member.user)
    assert_error(
        client.post(url("payouts"), {"amount_krw": 5_000}, format="json", HTTP_IDEMPOTENCY_KEY="k-3"),
        409,
        "insufficient_funds",
    )
    assert not IdempotentRequest.objects.exists()
    credit_partner(member.partner)
    assert (
        client.post(
            url("payouts"), {"amount_krw": 5_000}, format="json", HTTP_IDEMPOTENCY_KEY="k-3"
        ).status_code
        == 201
    )


def test_a_repeated_upload_with_a_key_stores_one_file():
    agreement, tenant, _landlord = agreed_rental()
    document = agreement.conditions.get(kind=Condition.Kind.DOCUMENT)
    client = client_for(tenant)
    answers = [
        client.post(
            url("condition_evidence", agreement.pk, document.pk),
            {"file": jpeg_upload("확정일자.jpg")},
            format="multipart",
            HTTP_IDEMPOTENCY_KEY="upload-1",
        )
        for _ in range(2)
    ]
    assert [a.status_code for a in answers] == [201, 201] and answers[0].json() == answers[1].json()
    assert Evidence.objects.count() == 1
    other_file = client.post(
        url("condition_evidence", agreement.pk, document.pk),
        {"file": jpeg_upload("확정일자.jpg", color="navy")},
        format="multipart",
        HTTP_IDEMPOTENCY_KEY="upload-1",
    )
    assert_error(other_file, 409, "idempotency_key_reused")


def test_an_overlong_key_is_a_400():
    member = MembershipFactory()
    assert_error(
        client_for(member.user).post(
            url("payouts"), {"amount_krw": 1}, format="json", HTTP_IDEMPOTENCY_KEY="k" * 201
        ),
        400,
        "invalid_idempotency_key",
    )


def _race(work, count):
    return race(work, count, expected=(), timeout=30)


@pytest.mark.django_db(transaction=True)
def test_concurrent_duplicates_with_one_key_run_once():
    member = MembershipFactory()
    credit_partner(member.partner)

    def post(index):
        return client_for(member.user).post(
            url("payouts"), {"amount_krw": 10_000}, format="json", HTTP_IDEMPOTENCY_KEY="same-key"
        )

    answers = _race(post, 8)
    assert {answer.status_code for answer in answers} == {201}
    assert len({answer.json()["id"] for answer in answers}) == 1
    assert sum(answer.headers.get("Idempotent-Replayed") == "true" for answer in answers) == 7
    assert Payout.objects.count() == 1
    assert partner_payable(member.partner).available_krw == 990_000


@pytest.mark.django_db(transaction=True)
def test_control_concurrent_requests_without_a_key_all_run():
    member = MembershipFactory()
    credit_partner(member.partner)

    def post(index):
        return client_for(member.user).post(url("payouts"), {"amount_krw": 10_000}, format="json")

    answers = _race(post, 4)
    assert {answer.status_code for answer in answers} == {201}
    assert Payout.objects.count() == 4  # what the key prevents


def test_every_escrow_post_documents_the_idempotency_key():
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    posts = {
        path: item["post"]
        for path, item in schema["paths"].items()
        if path.startswith("/api/v1/escrow/") and "post" in item
    }
    assert len(posts) >= 10
    for path, operation in posts.items():
        assert "Idempotency-Key" in {p["name"] for p in operation.get("parameters", [])}, path


def test_holding_account_is_untouched_by_a_refused_request():
    agreement, tenant, _landlord = agreed_rental(move_in=date(2099, 1, 1))
    fund(agreement, tenant)
    before = holding_account(agreement).balance_krw
    assert_error(
        client_for(tenant).post(
            url("payments", agreement.pk), {"method": "card"}, format="json", HTTP_IDEMPOTENCY_KEY="pay-again"
        ),
        409,
        "not_payable",
    )
    assert holding_account(agreement).balance_krw == before and not IdempotentRequest.objects.exists()


def test_stored_idempotent_answers_are_forgotten_after_a_day():
    from datetime import timedelta

    from django.utils import timezone

    from trustplatform.api.idempotency import idempotent_requests_purge

    user = UserFactory()
    old = IdempotentRequestFactory(user=user, key="old")
    fresh = IdempotentRequestFactory(user=user, key="new")
    IdempotentRequest.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(hours=25))
    assert idempotent_requests_purge() == 1
    assert list(IdempotentRequest.objects.values_list("pk", flat=True)) == [fresh.pk]
