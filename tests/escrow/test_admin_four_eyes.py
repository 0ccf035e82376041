"""Money pages offer each person only the buttons they may use, and keep the four-eyes record (who
decided, who gave the second approval, who executed) on the page after the money moved."""

import re

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from escrow.models import Dispute
from escrow.services import disputes
from tests.factories import UserFactory
from trustplatform.ledger import treasury
from trustplatform.ledger.models import FundTopUp

from .factories import agreed_rental, fund

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"


def staff_in(group: str, name: str):
    user = UserFactory(is_staff=True, full_name=name)
    user.groups.add(Group.objects.get(name=group))
    return user


def buttons(page: str) -> set[str]:
    return set(re.findall(r'name="_fsm_transition_to" value="([^"]+)"', page))


def four_eyes(page: str) -> str:
    match = re.search(r"<ul class=\"four-eyes\" data-four-eyes>(.*?)</ul>", page, flags=re.S)
    assert match, "the four-eyes record is on the page"
    return match.group(1)


@pytest.fixture
def decided(settings):
    """A dispute over more than the four-eyes threshold, decided by an agent."""
    settings.ESCROW_FOUR_EYES_THRESHOLD_KRW = 1_000_000
    agreement, tenant, _landlord = agreed_rental()
    fund(agreement, tenant)
    agent = staff_in("agents", "상담원 이")
    dispute = disputes.dispute_open(agreement=agreement, actor=tenant, reasons="보일러 고장 미수리")
    dispute = disputes.dispute_decide(
        dispute=dispute, actor=agent, outcome="split", payee_amount_krw=9_000_000,
        payer_amount_krw=1_000_000, note="수리비 공제",
    )
    return dispute, agent


def test_finance_is_not_shown_execute_but_is_offered_the_second_approval(client, decided):
    dispute, _agent = decided
    finance = staff_in("finance", "재무 김")
    client.force_login(finance)
    page = client.get(reverse("admin:escrow_dispute_change", args=[dispute.pk])).content.decode()

    assert "execute" not in buttons(page) and "decide" not in buttons(page)
    assert reverse("admin:escrow_dispute_approve", args=[dispute.pk]) in page


def test_the_agent_sees_execute_but_not_the_approval_meant_for_finance(client, decided):
    dispute, agent = decided
    client.force_login(agent)
    page = client.get(reverse("admin:escrow_dispute_change", args=[dispute.pk])).content.decode()
    assert "execute" in buttons(page)
    assert reverse("admin:escrow_dispute_approve", args=[dispute.pk]) not in page


def test_after_execution_the_page_keeps_who_decided_approved_and_executed(client, decided, settled):
    dispute, agent = decided
    finance = staff_in("finance", "재무 김")
    disputes.dispute_approve(dispute=dispute, actor=finance, decision_hash=dispute.decision_hash)
    client.force_login(agent)
    change = reverse("admin:escrow_dispute_change", args=[dispute.pk])
    with settled():
        client.post(change, {"_fsm_transition_to": "execute"})
    dispute.refresh_from_db()
    assert dispute.status == Dispute.Status.EXECUTED

    for viewer in (agent, finance):
        client.force_login(viewer)
        page = client.get(change).content.decode()
        record = four_eyes(page)
        assert str(agent) in record and str(finance) in record
        assert record.count(str(agent)) == 2  # decided and executed
        assert "✓" in page and not buttons(page)


def test_the_fund_top_up_offers_approval_to_the_second_person_only_and_keeps_the_record(client, settings):
    settings.GUARANTEE_FUND_FOUR_EYES_KRW = 1_000
    requester, approver = staff_in("finance", "재무 김"), staff_in("finance", "재무 박")
    treasury.capital_record(actor=requester, amount_krw=50_000, reference="BANK-1", reason="capital")
    topup = treasury.fund_topup_request(actor=requester, amount_krw=20_000, reason="claims")
    change = reverse("admin:ledger_fundtopup_change", args=[topup.pk])

    client.force_login(requester)
    assert buttons(client.get(change).content.decode()) == {"reject"}  # no approve, no execute yet
    client.force_login(approver)
    assert {"approve", "reject"} <= buttons(client.get(change).content.decode())
    client.post(change, {"_fsm_transition_to": "approve"})
    client.force_login(requester)
    assert "execute" in buttons(client.get(change).content.decode())
    client.post(change, {"_fsm_transition_to": "execute"})

    topup.refresh_from_db()
    assert topup.status == FundTopUp.Status.EXECUTED
    record = four_eyes(client.get(change).content.decode())
    assert str(requester) in record and str(approver) in record
