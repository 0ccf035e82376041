import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.db.models import F
from django.urls import reverse

from escrow.models import (
    Condition,
    Dispute,
    DisputeApproval,
    EscrowAgreement,
    GuaranteeClaim,
    Milestone,
)
from escrow.services import disputes, release
from escrow.services.common import holding_account
from tests.factories import PayoutAccountFactory, SandboxRegistryRecordFactory, UserFactory
from tests.files import pdf_bytes, pdf_upload
from trustplatform.audit.models import AuditEntry
from trustplatform.ledger import services as ledger
from trustplatform.ledger.models import LedgerAccount
from trustplatform.payments import payouts

from .factories import ADDRESS, agreed_rental, fund
from .test_api import funded_renovation

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(settings):
    """These tests read staff and API messages in English, the source language."""
    settings.LANGUAGE_CODE = "en"



@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def staff_in(group: str):
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def agent():
    return staff_in("agents")


@pytest.fixture
def finance():
    return staff_in("finance")


def messages_of(response) -> str:
    return " ".join(str(message) for message in response.context["messages"])


def funded_rental():
    agreement, tenant, landlord = agreed_rental()
    fund(agreement, tenant)
    return agreement, tenant, landlord


# --- evidence review -------------------------------------------------------------------------


def test_evidence_review_queue_shows_documents_with_their_sha256_and_accepting_is_audited(client, agent):
    agreement, tenant, _landlord = funded_rental()
    document = agreement.conditions.get(kind=Condition.Kind.DOCUMENT)
    evidence = release.evidence_add(
        actor=tenant, condition=document, upload=pdf_upload("전입신고.pdf", "move-in report")
    )
    client.force_login(agent)
    changelist = reverse("admin:escrow_condition_changelist")
    page = client.get(changelist).content.decode()
    assert "Evidence review" in page and document.label in page and evidence.sha256 in page
    # Only documents waiting for staff are in the queue.
    assert agreement.conditions.get(kind=Condition.Kind.COUNTERPARTY).label not in page

    response = client.post(
        changelist, {"action": "accept_documents", "_selected_action": [document.pk], "index": 0}
    )
    assert response.status_code == 302
    document.refresh_from_db()
    assert document.status == Condition.Status.SATISFIED and document.decided_by == agent
    assert AuditEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Condition),
        object_id=str(document.pk),
        action="satisfy",
        actor=agent,
        source="pending",
        target="satisfied",
    ).exists()
    download = client.get(reverse("admin:escrow_evidence_download", args=[evidence.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content) == pdf_bytes("move-in report")


def test_refusing_a_document_from_its_page_asks_for_a_reason(client, agent):
    agreement, _tenant, _landlord = funded_rental()
    document = agreement.conditions.get(kind=Condition.Kind.DOCUMENT)
    client.force_login(agent)
    change = reverse("admin:escrow_condition_change", args=[document.pk])
    assert "Accept document" in client.get(change).content.decode()
    response = client.post(change, {"_fsm_transition_to": "fail"})
    form_url = reverse("admin:escrow_condition_transition", args=[document.pk, "fail"])
    assert response.status_code == 302 and response.url == form_url
    assert client.post(form_url, {"reason": ""}).status_code == 200  # a reason is required
    document.refresh_from_db()
    assert document.status == Condition.Status.PENDING
    client.post(form_url, {"reason": "확정일자 도장이 보이지 않습니다"})
    document.refresh_from_db()
    assert document.status == Condition.Status.FAILED and "확정일자" in document.note


def test_bulk_refusal_asks_for_one_reason_first(client, agent):
    agreement, _tenant, _landlord = funded_rental()
    document = agreement.conditions.get(kind=Condition.Kind.DOCUMENT)
    client.force_login(agent)
    changelist = reverse("admin:escrow_condition_changelist")
    page = client.post(
        changelist, {"action": "refuse_documents", "_selected_action": [document.pk], "index": 0}
    )
    assert page.status_code == 200 and "Refuse documents" in page.content.decode()
    client.post(
        changelist,
        {
            "action": "refuse_documents",
            "_selected_action": [document.pk],
            "confirm": "yes",
            "reason": "서류가 흐립니다",
        },
    )
    document.refresh_from_db()
    assert document.status == Condition.Status.FAILED and document.note == "서류가 흐립니다"


def test_other_conditions_have_no_review_buttons(client, agent):
    agreement, _tenant, _landlord = funded_rental()
    keys = agreement.conditions.get(kind=Condition.Kind.COUNTERPARTY)
    client.force_login(agent)
    change = reverse("admin:escrow_condition_change", args=[keys.pk])
    assert "Accept document" not in client.get(change).content.decode()
    client.post(change, {"_fsm_transition_to": "satisfy"})
    keys.refresh_from_db()
    assert keys.status == Condition.Status.PENDING


# --- disputes: decide, four-eyes, execute ----------------------------------------------------


def test_a_non_finance_agent_cannot_approve_a_dispute_decision(client, agent, finance, settings, settled):
    settings.ESCROW_FOUR_EYES_THRESHOLD_KRW = 1_000_000
    agreement, tenant, _landlord = funded_rental()
    dispute = disputes.dispute_open(agreement=agreement, actor=tenant, reasons="보일러 고장 미수리")
    client.force_login(agent)
    change = reverse("admin:escrow_dispute_change", args=[dispute.pk])
    assert 'value="decide"' in client.get(change).content.decode()
    client.post(
        reverse("admin:escrow_dispute_transition", args=[dispute.pk, "decide"]),
        {
            "outcome": "split",
            "payee_amount_krw": 9_000_000,
            "payer_amount_krw": 1_000_000,
            "note": "수리비 공제",
        },
    )
    dispute.refresh_from_db()
    assert dispute.status == Dispute.Status.DECIDED and dispute.decided_by == agent

    approve = reverse("admin:escrow_dispute_approve", args=[dispute.pk])
    page = client.get(change).content.decode()
    # The decider is not offered the second approval: that button is finance's.
    assert approve not in page and 'value="execute"' in page and dispute.decision_hash in page
    assert dispute.decision_hash in client.get(approve).content.decode()
    response = client.post(approve, {"decision_hash": dispute.decision_hash}, follow=True)
    assert "not allowed" in messages_of(response)
    assert not DisputeApproval.objects.exists()
    response = client.post(change, {"_fsm_transition_to": "execute"}, follow=True)
    assert "second finance approval" in messages_of(response)
    assert holding_account(agreement).balance_krw == agreement.amount_krw

    client.force_login(finance)
    response = client.post(approve, {"decision_hash": dispute.decision_hash}, follow=True)
    assert "approved" in messages_of(response)
    assert DisputeApproval.objects.get().approver == finance

    client.force_login(agent)
    with settled():  # the payer's share is cancelled at the payment company, which confirms it
        client.post(change, {"_fsm_transition_to": "execute"})
    dispute.refresh_from_db()
    agreement.refresh_from_db()
    assert dispute.status == Dispute.Status.EXECUTED and agreement.status == EscrowAgreement.Status.RESOLVED
    assert holding_account(agreement).balance_krw == 0


def test_an_approval_of_a_stale_decision_is_refused(client, agent, finance, settings):
    settings.ESCROW_FOUR_EYES_THRESHOLD_KRW = 1_000_000
    agreement, tenant, _landlord = funded_rental()
    dispute = disputes.dispute_open(agreement=agreement, actor=tenant, reasons="하자")
    dispute = disputes.dispute_decide(
        dispute=dispute,
        actor=agent,
        outcome="refund",
        payee_amount_krw=0,
        payer_amount_krw=10_000_000,
        note="전액 반환",
    )
    seen = dispute.decision_hash
    disputes.dispute_decide(
        dispute=dispute,
        actor=agent,
        outcome="split",
        payee_amount_krw=1_000_000,
        payer_amount_krw=9_000_000,
        note="일부 반환",
    )
    client.force_login(finance)
    response = client.post(
        reverse("admin:escrow_dispute_approve", args=[dispute.pk]), {"decision_hash": seen}, follow=True
    )
    assert "changed" in messages_of(response) and not DisputeApproval.objects.exists()


# --- guarantee claims ------------------------------------------------------------------------


def test_an_agent_approves_and_pays_a_claim_from_the_retention_and_the_fund(client, agent):
    ledger.ledger_transfer(
        debit=ledger.platform_account("platform-capital"),
        credit=ledger.platform_account("platform-guarantee-fund"),
        amount_krw=50_000_000,
        key="test:fund",
        reason="fund",
    )
    agreement, customer, _contractor = funded_renovation()
    claim = disputes.claim_file(
        agreement=agreement,
        actor=customer,
        accident="vanished",
        description="연락 두절",
        amount_krw=3_000_000,
    )
    client.force_login(agent)
    page = client.get(reverse("admin:escrow_guaranteeclaim_change", args=[claim.pk])).content.decode()
    assert "50,000,000" in page  # the fund available is shown
    client.post(
        reverse("admin:escrow_guaranteeclaim_transition", args=[claim.pk, "approve"]),
        {"amount_krw": 3_000_000, "pay_to": "customer", "reason": "잠적 확인"},
    )
    claim.refresh_from_db()
    assert claim.status == GuaranteeClaim.Status.APPROVED and claim.amount_approved_krw == 3_000_000
    change = reverse("admin:escrow_guaranteeclaim_change", args=[claim.pk])
    client.post(change, {"_fsm_transition_to": "mark_paid"})
    client.post(change, {"_fsm_transition_to": "mark_paid"})  # a second click pays nothing more
    claim.refresh_from_db()
    assert claim.status == GuaranteeClaim.Status.PAID
    assert LedgerAccount.objects.get(code="platform-guarantee-fund").balance_krw == 49_000_000


# --- agreements ------------------------------------------------------------------------------


def test_finance_refunds_an_agreement_with_a_reason_and_nothing_else_can_be_posted(
        client, finance, settled):
    agreement, _tenant, _landlord = funded_rental()
    client.force_login(finance)
    change = reverse("admin:escrow_escrowagreement_change", args=[agreement.pk])
    page = client.get(change).content.decode()
    assert "Refund to the payer" in page and "Keys handed over" in page
    # A transition without a service (moving no money) cannot be posted by hand.
    client.post(change, {"_fsm_transition_to": "release"})
    assert (
        client.get(
            reverse("admin:escrow_escrowagreement_transition", args=[agreement.pk, "release"])
        ).status_code
        == 403
    )
    agreement.refresh_from_db()
    assert agreement.status == EscrowAgreement.Status.FUNDED
    with settled():
        client.post(
            reverse("admin:escrow_escrowagreement_transition", args=[agreement.pk, "refund"]),
            {"reason": "임대인 계약 파기"},
        )
    agreement.refresh_from_db()
    assert agreement.status == EscrowAgreement.Status.REFUNDED and holding_account(agreement).balance_krw == 0


# --- ledger ----------------------------------------------------------------------------------


def test_the_reconciliation_button_reports_ok_then_a_planted_difference(client, finance):
    agreement, _tenant, _landlord = funded_rental()
    client.force_login(finance)
    reconcile = reverse("admin:ledger_reconcile")
    response = client.post(reconcile, follow=True)
    assert response.status_code == 200 and "Reconciliation OK" in messages_of(response)
    assert "Run reconciliation" in response.content.decode()
    LedgerAccount.objects.filter(code=agreement.holding_code).update(balance_krw=F("balance_krw") + 1)
    response = client.post(reconcile, follow=True)
    assert "Reconciliation found" in messages_of(response) and agreement.holding_code in messages_of(response)
    assert AuditEntry.objects.filter(action="ledger_reconcile_failed").exists()


def test_the_reconciliation_action_and_a_read_only_ledger(client, finance):
    funded_rental()
    client.force_login(finance)
    changelist = reverse("admin:ledger_ledgeraccount_changelist")
    account = LedgerAccount.objects.first()
    response = client.post(
        changelist, {"action": "reconcile", "_selected_action": [account.pk], "index": 0}, follow=True
    )
    assert "Reconciliation OK" in messages_of(response)
    change = reverse("admin:ledger_ledgeraccount_change", args=[account.pk])
    assert client.post(change, {"balance_krw": 1}).status_code == 403


def test_an_agent_cannot_reach_the_ledger(client, agent):
    client.force_login(agent)
    assert client.get(reverse("admin:ledger_ledgeraccount_changelist")).status_code == 403
    assert client.post(reverse("admin:ledger_reconcile")).status_code == 403


# --- sandbox registry and smoke --------------------------------------------------------------


def test_staff_add_a_lien_in_the_sandbox_registry(client, agent):
    record = SandboxRegistryRecordFactory(address=ADDRESS, owner_name="정하은")
    client.force_login(agent)
    client.post(
        reverse("admin:registries_sandboxregistryrecord_change", args=[record.pk]),
        {
            "address": ADDRESS,
            "owner_name": "정하은",
            "liens_text": "근저당권 설정 1억원\n\n가압류 2천만원\n",
        },
    )
    record.refresh_from_db()
    assert record.liens == ["근저당권 설정 1억원", "가압류 2천만원"]


def test_every_escrow_admin_page_opens_for_a_superuser(client):
    agreement, tenant, _landlord = funded_rental()
    release.evidence_add(
        actor=tenant,
        condition=agreement.conditions.first(),
        upload=pdf_upload("a.pdf"),
    )
    disputes.dispute_open(agreement=agreement, actor=tenant, reasons="이유")
    renovation, customer, contractor = funded_renovation()
    down = renovation.milestones.get(kind=Milestone.Kind.DOWN_PAYMENT)
    release.milestone_submit(milestone=down, actor=contractor)
    release.milestone_approve(milestone=down, actor=customer)
    PayoutAccountFactory(partner=renovation.payee)
    payouts.payout_request(partner=renovation.payee, amount_krw=1_000, actor=contractor)
    disputes.claim_file(
        agreement=renovation, actor=customer, accident="as_not_done", description="누수", amount_krw=100_000
    )
    SandboxRegistryRecordFactory(address=ADDRESS, owner_name="정하은")
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    for model, model_admin in admin.site._registry.items():
        if model._meta.app_label != "escrow":
            continue
        name = model._meta.model_name
        assert client.get(reverse(f"admin:escrow_{name}_changelist")).status_code == 200, name
        if any(getattr(f, "parameter_name", "") == "queue" for f in model_admin.list_filter):
            assert client.get(reverse(f"admin:escrow_{name}_changelist") + "?queue=all").status_code == 200
        obj = model._default_manager.first()
        assert obj is not None, name
        assert client.get(reverse(f"admin:escrow_{name}_change", args=[obj.pk])).status_code == 200, name
