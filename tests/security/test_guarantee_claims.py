"""Issue 13, item 2: guarantee claims bypass their cap and four-eyes.

The per-agreement cap counted only paid claims, so claims approved before any was paid each got the
whole cap; and one agent could approve and pay a claim six times the four-eyes threshold alone.
"""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from escrow.models import GuaranteeClaim
from escrow.services import disputes
from tests.escrow.factories import staff_with
from tests.escrow.test_disputes_and_milestones import funded_renovation
from tests.factories import UserFactory
from tests.race import race
from trustplatform.errors import DomainError
from trustplatform.ledger import services as ledger
from trustplatform.ledger.selectors import ledger_reconcile
from trustplatform.ledger.services import consumer_payable

CAP = 30_000_000
THRESHOLD = 5_000_000


@pytest.fixture(autouse=True)
def _limits(settings):
    settings.ESCROW_GUARANTEE_CAP_KRW = CAP
    settings.ESCROW_FOUR_EYES_THRESHOLD_KRW = THRESHOLD


def _seed_fund(amount_krw: int = 500_000_000) -> None:
    ledger.ledger_transfer(
        debit=ledger.platform_account("platform-capital"),
        credit=ledger.platform_account("platform-guarantee-fund"),
        amount_krw=amount_krw,
        key="test:claims-fund",
        reason="fund the guarantee",
    )


def _claims(agreement, customer, count: int, amount_krw: int = CAP) -> list[GuaranteeClaim]:
    return [
        disputes.claim_file(
            agreement=agreement,
            actor=customer,
            accident="vanished",
            description=f"연락 두절 {number}",
            amount_krw=amount_krw,
        )
        for number in range(count)
    ]


@pytest.mark.django_db
def test_claims_approved_before_any_is_paid_share_one_cap(settings):
    settings.ESCROW_FOUR_EYES_THRESHOLD_KRW = CAP + 1  # the cap alone, here
    agreement, customer, _contractor = funded_renovation()
    first, second, third = _claims(agreement, customer, 3)
    agent = staff_with("decide_claim")
    disputes.claim_decide(claim=first, actor=agent, approve=True, amount_krw=20_000_000)
    with pytest.raises(DomainError) as refused:
        disputes.claim_decide(claim=second, actor=agent, approve=True, amount_krw=20_000_000)
    assert refused.value.code == "over_cap"
    disputes.claim_decide(claim=second, actor=agent, approve=True, amount_krw=10_000_000)
    with pytest.raises(DomainError) as refused:  # nothing is left under the cap
        disputes.claim_decide(claim=third, actor=agent, approve=True, amount_krw=1)
    assert refused.value.code == "over_cap"
    # Deciding an approved claim again counts its new amount, not its old one on top.
    disputes.claim_decide(claim=second, actor=agent, approve=True, amount_krw=9_000_000)
    disputes.claim_decide(claim=third, actor=agent, approve=True, amount_krw=1_000_000)
    approved = GuaranteeClaim.objects.filter(status=GuaranteeClaim.Status.APPROVED)
    assert sum(approved.values_list("amount_approved_krw", flat=True)) == CAP


@pytest.mark.django_db
def test_paying_re_checks_the_cap(settings):
    settings.ESCROW_FOUR_EYES_THRESHOLD_KRW = CAP + 1
    _seed_fund()
    agreement, customer, _contractor = funded_renovation()
    first, second = _claims(agreement, customer, 2)
    agent = staff_with("decide_claim")
    disputes.claim_decide(claim=first, actor=agent, approve=True, amount_krw=20_000_000)
    disputes.claim_decide(claim=second, actor=agent, approve=True, amount_krw=10_000_000)
    settings.ESCROW_GUARANTEE_CAP_KRW = 25_000_000  # lowered between the approvals and the payments
    disputes.claim_pay(claim=first, actor=agent)
    with pytest.raises(DomainError) as refused:
        disputes.claim_pay(claim=second, actor=agent)
    assert refused.value.code == "over_cap"
    second.refresh_from_db()
    assert second.status == GuaranteeClaim.Status.APPROVED
    assert consumer_payable(customer).balance_krw == 20_000_000


@pytest.mark.django_db
def test_one_agent_cannot_approve_and_pay_a_claim_six_times_the_four_eyes_threshold():
    _seed_fund()
    agreement, customer, _contractor = funded_renovation()
    (claim,) = _claims(agreement, customer, 1)
    agent = staff_with("decide_claim")
    claim = disputes.claim_decide(claim=claim, actor=agent, approve=True, amount_krw=6 * THRESHOLD)
    with pytest.raises(DomainError) as refused:
        disputes.claim_pay(claim=claim, actor=agent)
    assert refused.value.code == "approval_required"
    assert consumer_payable(customer).balance_krw == 0

    approver = staff_with("decide_claim", "approve_claim")
    finance = staff_with("approve_claim")
    seen = claim.decision_hash
    disputes.claim_countersign(claim=claim, actor=finance, decision_hash=seen)
    # The agent changes the decision: the approval was for the old one and no longer counts.
    claim = disputes.claim_decide(claim=claim, actor=agent, approve=True, amount_krw=5 * THRESHOLD)
    with pytest.raises(DomainError) as refused:
        disputes.claim_countersign(claim=claim, actor=finance, decision_hash=seen)
    assert refused.value.code == "decision_changed"
    with pytest.raises(DomainError) as refused:
        disputes.claim_pay(claim=claim, actor=agent)
    assert refused.value.code == "approval_required"
    # Whoever decides, someone else approves: a finance user's own decision needs another approver.
    claim = disputes.claim_decide(claim=claim, actor=approver, approve=True, amount_krw=5 * THRESHOLD)
    with pytest.raises(DomainError) as refused:
        disputes.claim_countersign(claim=claim, actor=approver, decision_hash=claim.decision_hash)
    assert refused.value.code == "four_eyes"
    disputes.claim_countersign(claim=claim, actor=finance, decision_hash=claim.decision_hash)
    disputes.claim_pay(claim=claim, actor=agent)
    disputes.claim_pay(claim=claim, actor=agent)  # a repeat pays nothing more
    claim.refresh_from_db()
    assert claim.status == GuaranteeClaim.Status.PAID
    assert consumer_payable(customer).balance_krw == 5 * THRESHOLD
    assert ledger_reconcile() == []


@pytest.mark.django_db
def test_below_the_threshold_one_agent_decides_and_pays():
    _seed_fund()
    agreement, customer, _contractor = funded_renovation()
    (claim,) = _claims(agreement, customer, 1, amount_krw=THRESHOLD - 1)
    agent = staff_with("decide_claim")
    disputes.claim_decide(claim=claim, actor=agent, approve=True, amount_krw=THRESHOLD - 1)
    assert disputes.claim_pay(claim=claim, actor=agent).status == GuaranteeClaim.Status.PAID


@pytest.mark.django_db
def test_a_claim_altered_after_its_decision_is_not_paid():
    _seed_fund()
    agreement, customer, _contractor = funded_renovation()
    (claim,) = _claims(agreement, customer, 1)
    agent = staff_with("decide_claim")
    claim = disputes.claim_decide(claim=claim, actor=agent, approve=True, amount_krw=THRESHOLD)
    disputes.claim_countersign(
        claim=claim, actor=staff_with("approve_claim"), decision_hash=claim.decision_hash
    )
    GuaranteeClaim.objects.filter(pk=claim.pk).update(amount_approved_krw=CAP)  # behind the services' back
    with pytest.raises(DomainError) as refused:
        disputes.claim_pay(claim=claim, actor=agent)
    assert refused.value.code == "decision_changed"
    assert consumer_payable(customer).balance_krw == 0


@pytest.mark.django_db
def test_a_used_up_guarantee_takes_no_new_claims():
    _seed_fund()
    agreement, customer, _contractor = funded_renovation()
    (claim,) = _claims(agreement, customer, 1)
    agent, finance = staff_with("decide_claim"), staff_with("approve_claim")
    claim = disputes.claim_decide(claim=claim, actor=agent, approve=True, amount_krw=CAP)
    disputes.claim_countersign(claim=claim, actor=finance, decision_hash=claim.decision_hash)
    disputes.claim_pay(claim=claim, actor=agent)
    with pytest.raises(DomainError) as refused:
        _claims(agreement, customer, 1, amount_krw=1_000)
    assert refused.value.code == "cap_used"


# --- the admin that drives it ----------------------------------------------------------------


def _in_group(name: str):
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name=name))
    return user


def _admin_login(client, user) -> None:
    """Signed in with a second factor, as staff who move money are (django-otp's verified session)."""
    device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


@pytest.mark.django_db
def test_the_admin_pays_a_large_claim_only_after_a_finance_approval(client, settings):
    settings.LANGUAGE_CODE = "en"
    _seed_fund()
    agreement, customer, _contractor = funded_renovation()
    (claim,) = _claims(agreement, customer, 1)
    agent, finance = _in_group("agents"), _in_group("finance")
    change = reverse("admin:escrow_guaranteeclaim_change", args=[claim.pk])
    _admin_login(client, agent)
    client.post(
        reverse("admin:escrow_guaranteeclaim_transition", args=[claim.pk, "approve"]),
        {"amount_krw": 6 * THRESHOLD, "pay_to": "customer", "reason": "잠적 확인"},
    )
    claim.refresh_from_db()
    assert claim.status == GuaranteeClaim.Status.APPROVED and claim.amount_approved_krw == 6 * THRESHOLD
    client.post(change, {"_fsm_transition_to": "mark_paid"})
    claim.refresh_from_db()
    assert claim.status == GuaranteeClaim.Status.APPROVED  # refused: no second approval yet
    assert consumer_payable(customer).balance_krw == 0

    approve = reverse("admin:escrow_guaranteeclaim_approve", args=[claim.pk])
    client.post(approve, {"decision_hash": claim.decision_hash})  # the decider cannot approve
    assert not claim.approvals.exists()
    queue = reverse("admin:escrow_guaranteeclaim_changelist") + "?queue=approval"
    _admin_login(client, finance)
    assert claim in client.get(queue).context["cl"].result_list
    page = client.get(approve).content.decode()
    assert claim.decision_hash in page and "30,000,000" in page
    client.post(approve, {"decision_hash": claim.decision_hash})
    assert claim.approvals.filter(approver=finance).exists()
    assert claim not in client.get(queue).context["cl"].result_list

    _admin_login(client, agent)
    client.post(change, {"_fsm_transition_to": "mark_paid"})
    claim.refresh_from_db()
    assert claim.status == GuaranteeClaim.Status.PAID
    assert consumer_payable(customer).balance_krw == 6 * THRESHOLD


# --- concurrency -----------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_claims_approved_in_parallel_on_one_agreement_never_exceed_the_cap(settings):
    settings.ESCROW_FOUR_EYES_THRESHOLD_KRW = CAP + 1
    _seed_fund()
    agreement, customer, _contractor = funded_renovation()
    claims = _claims(agreement, customer, 12, amount_krw=10_000_000)
    agent = staff_with("decide_claim")

    outcomes = race(
        lambda i: disputes.claim_decide(claim=claims[i], actor=agent, approve=True, amount_krw=10_000_000),
        len(claims),
        expected=(DomainError,),
    )
    won = [o for o in outcomes if isinstance(o, GuaranteeClaim)]
    assert len(won) == CAP // 10_000_000
    assert {o.code for o in outcomes if isinstance(o, DomainError)} == {"over_cap"}
    committed = GuaranteeClaim.objects.filter(
        status__in=[GuaranteeClaim.Status.APPROVED, GuaranteeClaim.Status.PAID]
    )
    assert sum(committed.values_list("amount_approved_krw", flat=True)) == CAP

    # Paying them all in parallel, each twice, moves each once and the cap's worth in total.
    approved = list(committed)
    race(lambda i: disputes.claim_pay(claim=approved[i % len(approved)], actor=agent), 2 * len(approved))
    assert consumer_payable(customer).balance_krw == CAP
    assert GuaranteeClaim.objects.filter(status=GuaranteeClaim.Status.PAID).count() == len(approved)
    assert ledger_reconcile() == []
