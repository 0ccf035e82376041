from datetime import timedelta

import pytest
from django.utils import timezone

from escrow.models import Dispute, EscrowAgreement, GuaranteeClaim, Milestone
from escrow.services import agreements, disputes, release
from escrow.services.common import holding_account
from tests.factories import MembershipFactory, PartnerFactory, PayoutAccountFactory, UserFactory
from trustplatform.errors import DomainError
from trustplatform.ledger import services as ledger
from trustplatform.ledger.models import Transfer
from trustplatform.ledger.selectors import ledger_reconcile
from trustplatform.ledger.services import consumer_payable, partner_payable
from trustplatform.payments import payouts
from trustplatform.payments import services as platform_payments

from .factories import agreed_rental, fund, staff_with

pytestmark = pytest.mark.django_db


def funded_renovation(amount_krw=20_000_000):
    customer = UserFactory(full_name="최고객")
    contractor = MembershipFactory(partner=PartnerFactory(kind="contractor", name="바른손 인테리어"))
    agreement = agreements.agreement_create(
        created_by=contractor.user,
        payer=customer,
        payee=contractor.partner,
        template="renovation",
        title="욕실 리모델링",
        amount_krw=amount_krw,
    )
    agreement = agreements.agreement_propose(agreement=agreement, actor=contractor.user)
    agreement = agreements.agreement_accept(
        agreement=agreement, actor=customer, accepted_hash=agreement.terms_hash
    )
    fund(agreement, customer)
    return agreement, customer, contractor.user


def test_renovation_milestones_add_up_and_release_one_by_one(settings):
    settings.ESCROW_FEE_BPS = 0
    agreement, customer, contractor = funded_renovation(20_000_001)
    amounts = list(agreement.milestones.values_list("kind", "amount_krw"))
    assert sum(a for _k, a in amounts) == 20_000_001
    down = agreement.milestones.get(kind=Milestone.Kind.DOWN_PAYMENT)
    release.milestone_submit(milestone=down, actor=contractor)
    with pytest.raises(DomainError):  # the contractor cannot approve their own work
        release.milestone_approve(milestone=down, actor=contractor)
    release.milestone_approve(milestone=down, actor=customer)
    assert partner_payable(agreement.payee).balance_krw == 6_000_000
    assert ledger_reconcile() == []


def test_a_silent_payer_is_reminded_then_approved_automatically():
    agreement, customer, contractor = funded_renovation()
    interim = agreement.milestones.get(kind=Milestone.Kind.INTERIM)
    release.milestone_submit(milestone=interim, actor=contractor)
    Milestone.objects.filter(pk=interim.pk).update(approve_by=timezone.now() + timedelta(days=2))
    due = release.milestones_due()
    assert due["remind"] == [interim.pk] and due["approve"] == []
    release.milestone_remind(milestone_id=interim.pk)
    release.milestone_remind(milestone_id=interim.pk)
    assert customer.notifications.filter(title__contains="2").count() >= 1
    Milestone.objects.filter(pk=interim.pk).update(approve_by=timezone.now() - timedelta(seconds=1))
    assert release.milestones_due()["approve"] == [interim.pk]
    release.milestone_auto_approve(milestone_id=interim.pk)
    release.milestone_auto_approve(milestone_id=interim.pk)
    interim.refresh_from_db()
    assert interim.status == Milestone.Status.RELEASED and interim.auto_approved
    assert Transfer.objects.filter(idempotency_key__contains="milestone-2").count() == 2  # payee + fee


def test_retention_waits_for_the_warranty_and_open_claims():
    agreement, customer, contractor = funded_renovation()
    retention = agreement.milestones.get(kind=Milestone.Kind.RETENTION)
    release.milestone_submit(milestone=retention, actor=contractor)
    release.milestone_approve(milestone=retention, actor=customer)
    retention.refresh_from_db()
    assert retention.status == Milestone.Status.APPROVED and retention.release_after > timezone.now()
    Milestone.objects.filter(pk=retention.pk).update(release_after=timezone.now() - timedelta(days=1))
    claim = disputes.claim_file(
        agreement=agreement,
        actor=customer,
        accident="as_not_done",
        description="누수 보수 미이행",
        amount_krw=500_000,
    )
    release.retention_release(milestone_id=retention.pk)
    retention.refresh_from_db()
    assert retention.status == Milestone.Status.APPROVED  # held while the claim is open
    disputes.claim_decide(
        claim=claim, actor=staff_with("decide_claim"), approve=False, reason="보수 완료 확인"
    )
    release.retention_release(milestone_id=retention.pk)
    retention.refresh_from_db()
    assert retention.status == Milestone.Status.RELEASED


def test_dispute_freezes_the_money_and_a_large_decision_needs_a_second_approver(settings, settled):
    settings.ESCROW_FOUR_EYES_THRESHOLD_KRW = 1_000_000
    agreement, tenant, landlord = agreed_rental(amount_krw=10_000_000)
    fund(agreement, tenant)
    dispute = disputes.dispute_open(agreement=agreement, actor=tenant, reasons="집 상태가 계약과 다릅니다")
    agreement.refresh_from_db()
    assert agreement.status == EscrowAgreement.Status.DISPUTED
    assert release.agreement_evaluate(agreement_id=agreement.pk) == "not_live"

    agent = staff_with("decide_dispute", "approve_dispute")
    finance = staff_with("approve_dispute")
    dispute = disputes.dispute_decide(
        dispute=dispute,
        actor=agent,
        outcome="split",
        payee_amount_krw=7_000_000,
        payer_amount_krw=3_000_000,
        note="수리비 300만원 공제",
    )
    with pytest.raises(DomainError) as exc:
        disputes.dispute_execute(dispute=dispute, actor=agent)
    assert exc.value.code == "approval_required"
    with pytest.raises(DomainError) as exc:  # the requester can never approve
        disputes.dispute_approve(dispute=dispute, actor=agent, decision_hash=dispute.decision_hash)
    assert exc.value.code == "four_eyes"
    disputes.dispute_approve(dispute=dispute, actor=finance, decision_hash=dispute.decision_hash)
    # The agent changes the decision: the approval was for the old one and no longer counts.
    dispute = disputes.dispute_decide(
        dispute=dispute,
        actor=agent,
        outcome="split",
        payee_amount_krw=6_000_000,
        payer_amount_krw=4_000_000,
        note="수리비 400만원 공제",
    )
    with pytest.raises(DomainError) as exc:
        disputes.dispute_execute(dispute=dispute, actor=agent)
    assert exc.value.code == "approval_required"
    disputes.dispute_approve(dispute=dispute, actor=finance, decision_hash=dispute.decision_hash)
    with settled():
        disputes.dispute_execute(dispute=dispute, actor=agent)
    with settled():
        disputes.dispute_execute(dispute=dispute, actor=agent)  # a repeat moves nothing
    agreement.refresh_from_db()
    assert agreement.status == EscrowAgreement.Status.RESOLVED
    assert holding_account(agreement).balance_krw == 0
    assert Dispute.objects.get().status == Dispute.Status.EXECUTED
    assert ledger_reconcile() == []


def test_a_decision_must_split_exactly_what_is_held():
    agreement, tenant, landlord = agreed_rental(amount_krw=10_000_000)
    fund(agreement, tenant)
    dispute = disputes.dispute_open(agreement=agreement, actor=landlord, reasons="월세 미납")
    with pytest.raises(DomainError) as exc:
        disputes.dispute_decide(
            dispute=dispute,
            actor=staff_with("decide_dispute"),
            outcome="split",
            payee_amount_krw=9_000_000,
            payer_amount_krw=2_000_000,
            note="",
        )
    assert exc.value.code == "amounts_mismatch"


def test_guarantee_claim_pays_from_retention_then_the_fund_up_to_the_cap(settings):
    settings.ESCROW_GUARANTEE_CAP_KRW = 3_000_000
    agreement, customer, contractor = funded_renovation(20_000_000)  # retention ₩2,000,000
    capital = ledger.platform_account("platform-capital")
    ledger.ledger_transfer(
        debit=capital,
        credit=ledger.platform_account("platform-guarantee-fund"),
        amount_krw=100_000_000,
        key="seed-fund",
        reason="fund the guarantee",
    )
    claim = disputes.claim_file(
        agreement=agreement,
        actor=customer,
        accident="vanished",
        description="계약금 받고 연락 두절",
        amount_krw=5_000_000,
    )
    staff = staff_with("decide_claim")
    with pytest.raises(DomainError) as exc:
        disputes.claim_decide(claim=claim, actor=staff, approve=True, amount_krw=5_000_000)
    assert exc.value.code == "over_cap"
    disputes.claim_decide(claim=claim, actor=staff, approve=True, amount_krw=3_000_000)
    disputes.claim_pay(claim=claim, actor=staff)
    disputes.claim_pay(claim=claim, actor=staff)
    claim.refresh_from_db()
    assert claim.status == GuaranteeClaim.Status.PAID
    assert consumer_payable(customer).balance_krw == 3_000_000
    assert Transfer.objects.get(idempotency_key=f"claim:{claim.pk}:retention").amount_krw == 2_000_000
    assert Transfer.objects.get(idempotency_key=f"claim:{claim.pk}:fund").amount_krw == 1_000_000
    assert ledger_reconcile() == []


def test_payout_is_held_until_the_provider_confirms():
    from trustplatform.payments.models import Payout
    from trustplatform.payments.providers import SandboxProvider

    agreement, customer, contractor = funded_renovation()
    down = agreement.milestones.get(kind=Milestone.Kind.DOWN_PAYMENT)
    release.milestone_submit(milestone=down, actor=contractor)
    release.milestone_approve(milestone=down, actor=customer)
    payable = partner_payable(agreement.payee)
    available = payable.balance_krw
    PayoutAccountFactory(partner=agreement.payee)
    payout = payouts.payout_request(partner=agreement.payee, amount_krw=available, actor=contractor)
    payable.refresh_from_db()
    assert payable.available_krw == 0 and payable.balance_krw == available
    with pytest.raises(DomainError):  # the reserved money cannot be paid out twice
        payouts.payout_request(partner=agreement.payee, amount_krw=1, actor=contractor)
    body, headers = SandboxProvider().event(
        event_type="payout.paid", data={"payout_id": payout.provider_payout_id}
    )
    event = SandboxProvider().parse_webhook(body=body, headers=headers)
    assert platform_payments.provider_event_receive(provider="sandbox", event=event) == "payout_paid"
    payable.refresh_from_db()
    assert payable.balance_krw == 0 and Payout.objects.get().status == Payout.Status.PAID
    assert ledger_reconcile() == []


def test_what_a_partner_owes_the_platform_is_settled_before_a_payout():
    from trustplatform.ledger.models import LedgerAccount
    from trustplatform.ledger.services import account_open, ledger_transfer, platform_account

    agreement, customer, contractor = funded_renovation()
    down = agreement.milestones.get(kind=Milestone.Kind.DOWN_PAYMENT)
    release.milestone_submit(milestone=down, actor=contractor)
    release.milestone_approve(milestone=down, actor=customer)
    payable = partner_payable(agreement.payee)
    earned = payable.balance_krw
    # The partner owes 400,000 (e.g. the guarantee charge of a stay it cancelled elsewhere).
    debt = account_open(code=f"partner-{agreement.payee.pk}-test-charges", name="Charges",
                        kind=LedgerAccount.Kind.PARTNER, allow_negative=True, partner=agreement.payee)
    ledger_transfer(debit=debt, credit=platform_account("platform-guarantee-fund"), amount_krw=400_000,
                    key="charge-1", reason="guarantee charge")
    PayoutAccountFactory(partner=agreement.payee)
    with pytest.raises(DomainError) as refused:  # only what is left after the debt can leave
        payouts.payout_request(
            partner=agreement.payee, amount_krw=earned - 399_999, actor=contractor)
    assert refused.value.code == "insufficient_funds", refused.value.code
    debt.refresh_from_db()
    assert debt.balance_krw == -400_000  # the refused payout settled nothing
    payout = payouts.payout_request(
        partner=agreement.payee, amount_krw=earned - 400_000, actor=contractor)
    debt.refresh_from_db()
    payable.refresh_from_db()
    assert debt.balance_krw == 0 and payable.available_krw == 0 and payout.amount_krw == earned - 400_000
    assert Transfer.objects.filter(debit_account=payable, credit_account=debt).count() == 1
    assert ledger_reconcile() == []
