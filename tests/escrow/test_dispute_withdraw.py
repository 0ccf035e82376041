"""Whoever opened an undecided dispute can withdraw it: on the service, the pages and the API."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from rest_framework.test import APIClient

from escrow import tasks
from escrow.models import Condition, Dispute, EscrowAgreement
from escrow.services import disputes, release
from escrow.services.common import holding_account
from tests.factories import UserFactory
from trustplatform.errors import DomainError
from trustplatform.notifications.models import Notification

from .factories import agreed_rental, fund, staff_with

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def evaluations(monkeypatch) -> list[int]:
    """The agreements whose conditions are re-evaluated after commit (the worker's job)."""
    scheduled = []
    monkeypatch.setattr(tasks.agreement_evaluate_task, "delay_on_commit", scheduled.append)
    return scheduled


def disputed_rental(amount_krw=10_000_000):
    agreement, tenant, landlord = agreed_rental(amount_krw=amount_krw)
    fund(agreement, tenant)
    dispute = disputes.dispute_open(agreement=agreement, actor=tenant, reasons="열쇠를 받지 못했습니다.")
    return agreement, tenant, landlord, dispute


def test_the_opener_withdraws_and_the_money_is_held_under_the_conditions_again(evaluations):
    agreement, tenant, landlord, dispute = disputed_rental()
    agent = UserFactory(is_staff=True)
    agent.groups.add(Group.objects.get(name="agents"))
    assert release.agreement_evaluate(agreement_id=agreement.pk) == "not_live"
    held = holding_account(agreement).balance_krw
    evaluations.clear()

    dispute = disputes.dispute_withdraw(dispute=dispute, actor=tenant)

    agreement.refresh_from_db()
    assert dispute.status == Dispute.Status.WITHDRAWN
    assert agreement.status == EscrowAgreement.Status.FUNDED
    assert holding_account(agreement).balance_krw == held  # nothing moved
    assert evaluations == [agreement.pk]  # conditions that held meanwhile release it at once
    assert release.agreement_evaluate(agreement_id=agreement.pk) != "not_live"
    told = set(Notification.objects.filter(title__contains="withdrawn").values_list("user", flat=True))
    assert told == {landlord.pk, agent.pk}  # the other party and the agents; not the one who withdrew
    # A new dispute can be opened again later: only one live dispute at a time, and this one is not.
    again = disputes.dispute_open(agreement=agreement, actor=tenant, reasons="다시 문제가 생겼습니다.")
    assert again.status == Dispute.Status.OPEN


def test_a_withdrawal_whose_conditions_already_hold_releases_the_money(evaluations, settings):
    settings.ESCROW_FEE_BPS = 0
    agreement, tenant, _landlord, dispute = disputed_rental()
    for condition in agreement.conditions.all():  # everything was settled while the dispute stood
        Condition.objects.filter(pk=condition.pk).update(status=Condition.Status.SATISFIED)
    evaluations.clear()
    disputes.dispute_withdraw(dispute=dispute, actor=tenant)
    assert evaluations == [agreement.pk]
    assert release.agreement_evaluate(agreement_id=agreement.pk) == "released"
    agreement.refresh_from_db()
    assert agreement.status == EscrowAgreement.Status.RELEASED and holding_account(agreement).balance_krw == 0


def test_only_the_opener_may_withdraw_and_only_while_undecided():
    agreement, tenant, landlord, dispute = disputed_rental()
    with pytest.raises(DomainError) as refused:
        disputes.dispute_withdraw(dispute=dispute, actor=landlord)
    assert (refused.value.code, refused.value.status) == ("forbidden", 403)

    agent = staff_with("decide_dispute")
    held = holding_account(agreement).balance_krw
    dispute = disputes.dispute_decide(dispute=dispute, actor=agent, outcome="refund", payee_amount_krw=0,
                                      payer_amount_krw=held, note="열쇠 미인도")
    with pytest.raises(DomainError) as refused:
        disputes.dispute_withdraw(dispute=dispute, actor=tenant)
    assert (refused.value.code, refused.value.status) == ("invalid_transition", 409)
    agreement.refresh_from_db()
    assert agreement.status == EscrowAgreement.Status.DISPUTED
    assert Dispute.objects.get(pk=dispute.pk).status == Dispute.Status.DECIDED


def test_the_consumer_page_offers_the_withdrawal_naming_the_amount_and_it_works(client, evaluations):
    agreement, tenant, landlord, dispute = disputed_rental(amount_krw=12_500_000)
    detail = reverse("escrow:detail", args=[agreement.pk])
    action = reverse("escrow:dispute_withdraw", args=[agreement.pk, dispute.pk])
    client.force_login(tenant)
    page = client.get(detail, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f'action="{action}"' in page
    assert "Withdraw the dispute (₩12,500,000 held again)" in page

    response = client.post(action, {"confirmed": "yes"}, HTTP_ACCEPT_LANGUAGE="en", follow=True)
    assert response.redirect_chain[-1][0] == detail
    assert "Dispute withdrawn." in response.content.decode()
    assert Dispute.objects.get(pk=dispute.pk).status == Dispute.Status.WITHDRAWN
    assert f'action="{action}"' not in response.content.decode()  # nothing left to withdraw


def test_the_other_party_sees_no_withdrawal_and_cannot_post_one(client):
    agreement, _tenant, landlord, dispute = disputed_rental()
    client.force_login(landlord)
    portal_detail = reverse("escrow_portal:detail", args=[agreement.pk])
    action = reverse("escrow_portal:dispute_withdraw", args=[agreement.pk, dispute.pk])
    assert f'action="{action}"' not in client.get(portal_detail).content.decode()
    response = client.post(action, {"confirmed": "yes"}, HTTP_ACCEPT_LANGUAGE="en", follow=True)
    assert "Only the person who opened the dispute can withdraw it." in response.content.decode()
    assert Dispute.objects.get(pk=dispute.pk).status == Dispute.Status.OPEN
    # Someone who is no party at all does not find the agreement.
    stranger_action = reverse("escrow:dispute_withdraw", args=[agreement.pk, dispute.pk])
    assert client.post(stranger_action).status_code == 404


def test_a_partner_who_opened_a_dispute_withdraws_it_in_the_portal(client, evaluations):
    agreement, tenant, landlord = agreed_rental()
    fund(agreement, tenant)
    dispute = disputes.dispute_open(agreement=agreement, actor=landlord, reasons="관리비 정산이 남았습니다.")
    client.force_login(landlord)
    action = reverse("escrow_portal:dispute_withdraw", args=[agreement.pk, dispute.pk])
    page = client.get(reverse("escrow_portal:detail", args=[agreement.pk])).content.decode()
    assert f'action="{action}"' in page
    assert client.post(action, {"confirmed": "yes"}).status_code == 302
    assert Dispute.objects.get(pk=dispute.pk).status == Dispute.Status.WITHDRAWN
    assert Notification.objects.filter(user=tenant, title__contains="withdrawn").exists()


def _api(user) -> APIClient:
    api = APIClient()
    api.force_authenticate(user)
    return api


def test_the_api_withdraws_for_the_opener_and_answers_json_errors_otherwise(evaluations):
    agreement, tenant, landlord, dispute = disputed_rental()
    url = reverse("api:escrow_api:dispute_withdraw", args=[agreement.pk, dispute.pk])
    refused = _api(landlord).post(url)
    assert refused.status_code == 403 and refused.json()["code"] == "forbidden"
    unknown = reverse("api:escrow_api:dispute_withdraw", args=[agreement.pk, dispute.pk + 99])
    missing = _api(tenant).post(unknown)
    assert missing.status_code == 404 and missing["Content-Type"].startswith("application/json")

    answer = _api(tenant).post(url, HTTP_IDEMPOTENCY_KEY="withdraw-1")
    assert answer.status_code == 200 and answer.json()["status"] == "withdrawn"
    replay = _api(tenant).post(url, HTTP_IDEMPOTENCY_KEY="withdraw-1")
    assert replay.status_code == 200 and replay.json() == answer.json()
    again = _api(tenant).post(url)
    assert again.status_code == 409 and again.json()["code"] == "invalid_transition"
