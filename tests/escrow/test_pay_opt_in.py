"""The safe-number choice at the deposit's pay step: ticked, once the money arrives payer and payee
reach each other through proxy numbers only; unticked, the payee is given the payer's own number and no
safe number is opened; the answer is remembered, and the API takes and tells it."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from rest_framework.test import APIClient

from escrow.models import EscrowAgreement
from masking.models import MaskedSession, Preference
from tests.masking.factories import ProxyNumberFactory
from trustplatform.payments import services as platform_payments
from trustplatform.payments.models import Payment
from trustplatform.payments.providers import SandboxProvider

from .factories import agreed_rental

pytestmark = pytest.mark.django_db

PAYER, PAYEE = "+821066660101", "+821066660202"
PAYER_REAL = "010-6666-0101"


@pytest.fixture(autouse=True)
def _english_and_eager():
    from trustplatform.celery import app

    before, app.conf.task_always_eager = app.conf.task_always_eager, True
    with translation.override("en"):
        yield
    app.conf.task_always_eager = before


@pytest.fixture
def deal():
    """An agreed rental deposit whose payer and payee both have verified numbers, and a pool."""
    ProxyNumberFactory.create_batch(4)
    agreement, tenant, landlord = agreed_rental()
    for user, phone in ((tenant, PAYER), (landlord, PAYEE)):
        user.phone, user.phone_verified_at = phone, timezone.now()
        user.save()
    return agreement, tenant, landlord


def _pay_form(*, safe: bool | None) -> dict:
    form = {"method": "card"}
    if safe is not None:
        form["use_safe_number-shown"] = "1"
    if safe:
        form["use_safe_number"] = "on"
    return form


def _funded(agreement, capture) -> EscrowAgreement:
    """The PSP confirms the pending payment; the work after the commit (the safe number) runs."""
    payment = Payment.objects.get(agreement=agreement, status=Payment.Status.PENDING)
    body, headers = SandboxProvider().pay(provider_payment_id=payment.provider_payment_id)
    with capture(execute=True):
        platform_payments.provider_event_receive(
            provider="sandbox", event=SandboxProvider().parse_webhook(body=body, headers=headers))
    agreement.refresh_from_db()
    assert agreement.status == EscrowAgreement.Status.FUNDED
    return agreement


def _pages(client, agreement, tenant, landlord) -> tuple[str, str]:
    client.force_login(tenant)
    payer = client.get(reverse("escrow:detail", args=[agreement.pk])).content.decode()
    client.force_login(landlord)
    payee = client.get(reverse("escrow_portal:detail", args=[agreement.pk])).content.decode()
    return payer, payee


def test_ticked_both_sides_see_only_proxy_numbers(client, deal, django_capture_on_commit_callbacks):
    agreement, tenant, landlord = deal
    client.force_login(tenant)
    client.post(reverse("escrow:pay", args=[agreement.pk]), _pay_form(safe=True))
    _funded(agreement, django_capture_on_commit_callbacks)
    session = MaskedSession.objects.get(partner=agreement.payee)
    numbers = {p.side: p.proxy_number.display for p in session.participants.select_related("proxy_number")}
    payer, payee = _pages(client, agreement, tenant, landlord)
    assert f"data-safe-number>{numbers['consumer']}<" in payer
    assert f"data-safe-number>{numbers['business']}<" in payee
    assert PAYER_REAL not in payee and "data-payer-phone" not in payee


def test_unticked_the_payee_gets_the_payers_own_number_and_no_safe_number(
        client, deal, django_capture_on_commit_callbacks):
    agreement, tenant, landlord = deal
    client.force_login(tenant)
    client.post(reverse("escrow:pay", args=[agreement.pk]), _pay_form(safe=False))
    _, before = _pages(client, agreement, tenant, landlord)
    assert PAYER_REAL not in before  # not before the money arrives
    _funded(agreement, django_capture_on_commit_callbacks)
    assert not MaskedSession.objects.exists()
    payer, payee = _pages(client, agreement, tenant, landlord)
    assert f"data-payer-phone>{PAYER_REAL}<" in payee
    assert 'data-safe-number-used="false"' in payer and "data-safe-number>" not in payer


def test_the_answer_is_remembered_for_the_next_deposit(client, deal):
    agreement, tenant, _landlord = deal

    def ticked(target) -> bool:
        html = client.get(reverse("escrow:detail", args=[target.pk])).content.decode()
        return "checked" in re.search(r'<input[^>]*name="use_safe_number"[^>]*>', html).group(0)

    client.force_login(tenant)
    assert ticked(agreement)
    client.post(reverse("escrow:pay", args=[agreement.pk]), _pay_form(safe=False))
    assert Preference.objects.get(user=tenant).use_safe_number is False
    second, _other_tenant, _other_landlord = agreed_rental()
    EscrowAgreement.objects.filter(pk=second.pk).update(payer=tenant)
    second.refresh_from_db()
    assert not ticked(second)


@pytest.mark.parametrize(("sent", "used"), [(False, False), (True, True), (None, False)])
def test_the_api_takes_the_answer_and_tells_both_sides(deal, sent, used, django_capture_on_commit_callbacks):
    agreement, tenant, landlord = deal
    Preference.objects.create(user=tenant, use_safe_number=False)  # what "not sent" falls back to
    payer_api, payee_api = APIClient(), APIClient()
    payer_api.force_authenticate(tenant)
    payee_api.force_authenticate(landlord)
    body = {"method": "card"} if sent is None else {"method": "card", "use_safe_number": sent}
    response = payer_api.post(f"/api/v1/escrow/agreements/{agreement.pk}/payments/", body, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["use_safe_number"] is used
    assert payee_api.get(f"/api/v1/escrow/agreements/{agreement.pk}/").json()["contact"] is None
    _funded(agreement, django_capture_on_commit_callbacks)
    contact = payee_api.get(f"/api/v1/escrow/agreements/{agreement.pk}/").json()["contact"]
    assert contact["use_safe_number"] is used
    mine = payer_api.get(f"/api/v1/escrow/agreements/{agreement.pk}/").json()["contact"]
    if used:
        sides = {p.side: p.proxy_number.display
                 for p in MaskedSession.objects.get().participants.select_related("proxy_number")}
        assert (contact["number"], mine["number"]) == (sides["business"], sides["consumer"])
    else:
        assert (contact["number"], mine["number"]) == (PAYER_REAL, "")
        assert not MaskedSession.objects.exists()


def test_the_api_refuses_a_non_boolean_answer_with_a_400(deal):
    agreement, tenant, _landlord = deal
    api = APIClient()
    api.force_authenticate(tenant)
    response = api.post(f"/api/v1/escrow/agreements/{agreement.pk}/payments/",
                        {"method": "card", "use_safe_number": "perhaps"}, format="json")
    assert response.status_code == 400 and "use_safe_number" in response.json()["fields"]
    assert not Payment.objects.filter(agreement=agreement).exists()
