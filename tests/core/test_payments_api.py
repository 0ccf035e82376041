"""The payments API: a consumer's credit and withdrawals, a partner's payout account and payouts; each
scoped to its caller, account numbers masked, refusals as JSON with a stable code."""

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from tests.factories import MembershipFactory, PartnerFactory, UserFactory
from trustplatform.ledger.services import consumer_payable, ledger_transfer, partner_payable, platform_account
from trustplatform.payments.models import Payout, PayoutAccount

pytestmark = pytest.mark.django_db


def client_for(user, partner_id=None) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    if partner_id is not None:
        client.credentials(HTTP_X_PARTNER_ID=str(partner_id))
    return client


def url(name: str) -> str:
    return reverse(f"api:payments_api:{name}")


def credit(account, amount_krw=300_000, key="api-credit"):
    ledger_transfer(
        debit=platform_account("platform-capital"),
        credit=account,
        amount_krw=amount_krw,
        key=key,
        reason="test credit",
    )


def error(response, status: int) -> str:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    return response.json()["code"]


def test_a_consumer_sees_their_credit_registers_their_account_and_withdraws_once(settled):
    consumer = UserFactory(full_name="이소비", phone="+821055551234", phone_verified_at=timezone.now())
    api = client_for(consumer)
    credit(consumer_payable(consumer))
    body = api.get(url("credit")).json()
    assert (body["available_krw"], body["account"], body["payouts"]) == (300_000, None, [])
    assert [source["amount_krw"] for source in body["sources"]] == [300_000]

    assert (
        error(api.post(url("credit_withdraw"), {"amount_krw": 1_000}, format="json"), 409)
        == "no_payout_account"
    )
    answer = api.post(
        url("credit_account"),
        {"bank": "SHINHAN", "number": "110-222-333444", "holder": "이소비"},
        format="json",
    )
    assert answer.status_code == 201, answer.content
    assert answer.json()["number_hint"] == "•••• 3444" and "110222333444" not in answer.content.decode()
    assert (
        error(api.post(url("credit_withdraw"), {"amount_krw": 300_001}, format="json"), 400)
        == "insufficient_credit"
    )
    assert error(api.post(url("credit_withdraw"), {"amount_krw": "all"}, format="json"), 400) == "invalid"

    with settled():
        first = api.post(
            url("credit_withdraw"),
            {"amount_krw": 120_000},
            format="json",
            headers={"Idempotency-Key": "withdraw-1"},
        )
    again = api.post(
        url("credit_withdraw"),
        {"amount_krw": 120_000},
        format="json",
        headers={"Idempotency-Key": "withdraw-1"},
    )
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json() and again["Idempotent-Replayed"] == "true"
    assert first.json()["payout"]["amount_krw"] == 120_000 and first.json()["refunds"] == []
    assert Payout.objects.filter(user=consumer).count() == 1
    body = api.get(url("credit")).json()
    assert body["available_krw"] == 180_000
    assert [(p["amount_krw"], p["status"]) for p in body["payouts"]] == [(120_000, "paid")]


def test_a_consumer_without_a_verified_mobile_cannot_name_an_account():
    api = client_for(UserFactory(full_name="박미인증"))
    answer = api.post(
        url("credit_account"),
        {"bank": "SHINHAN", "number": "110222333444", "holder": "박미인증"},
        format="json",
    )
    assert error(answer, 409) == "phone_not_verified"
    assert not PayoutAccount.objects.exists()


def test_an_unknown_bank_or_field_is_refused_with_its_field_named():
    consumer = UserFactory(full_name="이소비", phone="+821055551235", phone_verified_at=timezone.now())
    api = client_for(consumer)
    answer = api.post(
        url("credit_account"), {"bank": "NOBANK", "number": "110222333444", "holder": "이소비"}, format="json"
    )
    assert error(answer, 400) == "invalid" and set(answer.json()["fields"]) == {"bank"}
    answer = api.post(
        url("credit_account"),
        {"bank": "SHINHAN", "number": "110222333444", "holder": "이소비", "x": 1},
        format="json",
    )
    assert error(answer, 400) == "unknown_field" and set(answer.json()["fields"]) == {"x"}
    assert not PayoutAccount.objects.exists()


def test_a_partners_payouts_are_its_owners_and_managers_and_only_its_own(settled):
    partner = PartnerFactory(representative="박대표")
    owner = MembershipFactory(partner=partner, role="owner").user
    manager = MembershipFactory(partner=partner, role="manager").user
    staff = MembershipFactory(partner=partner, role="staff").user
    other = MembershipFactory(partner=PartnerFactory()).user
    credit(partner_payable(partner), amount_krw=500_000, key="partner-credit")

    account = {"bank": "SHINHAN", "number": "110000123456", "holder": "박대표"}
    assert (
        error(
            client_for(manager, partner.pk).post(url("partner_payout_account"), account, format="json"), 403
        )
        == "forbidden"
    )
    answer = client_for(owner, partner.pk).post(url("partner_payout_account"), account, format="json")
    assert answer.status_code == 201 and answer.json()["number_hint"] == "•••• 3456"

    assert (
        error(
            client_for(staff, partner.pk).post(url("partner_payouts"), {"amount_krw": 1_000}, format="json"),
            403,
        )
        == "forbidden"
    )
    with settled():
        paid = client_for(manager, partner.pk).post(
            url("partner_payouts"), {"amount_krw": 200_000}, format="json"
        )
    assert paid.status_code == 201, paid.content
    body = client_for(owner, partner.pk).get(url("partner_payouts")).json()
    assert body["available_krw"] == 300_000
    assert [(p["amount_krw"], p["status"]) for p in body["payouts"]] == [(200_000, "paid")]
    assert body["account"]["number_hint"] == "•••• 3456"

    # Someone of another business naming this one gets nothing, not even its existence.
    assert client_for(other, partner.pk).get(url("partner_payouts")).status_code == 404
    assert client_for(other).get(url("partner_payouts")).json()["payouts"] == []


def test_the_money_api_needs_a_signed_in_caller():
    for name in ("credit", "partner_payouts"):
        assert APIClient().get(url(name)).status_code in (401, 403)
