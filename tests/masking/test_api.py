from datetime import timedelta

import pytest
from django.utils import timezone

from masking.models import Interaction, MaskedSession

from .conftest import mobile

pytestmark = pytest.mark.django_db

URL = "/api/v1/masking/sessions/"


@pytest.fixture
def partner_client(api_client, owner_membership):
    api_client.force_authenticate(owner_membership.user)
    api_client.partner = owner_membership.partner
    return api_client


def _open(client, **overrides):
    body = {"reference": "order-77", "expires_at": (timezone.now() + timedelta(hours=3)).isoformat(),
            "consumer": {"phone": "010-2000-0001", "label": "고객"},
            "business": {"phone": "010-2000-0002", "label": "라이더"}, **overrides}
    return client.post(URL, body, format="json")


def test_open_read_and_close_a_session_without_any_real_number(partner_client, pool):
    numbers = pool(2)
    response = _open(partner_client)
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["reference"] == "order-77" and data["status"] == "open"
    assert {side["side"]: side["dials"] for side in data["sides"]} == {
        "consumer": numbers[0].e164, "business": numbers[0].e164}
    assert "2000-0001" not in response.content.decode() and "20000001" not in response.content.decode()
    detail = partner_client.get(f"{URL}{data['id']}/")
    assert detail.json() == data
    listing = partner_client.get(URL + "?status=open").json()
    assert listing["count"] == 1 and listing["results"][0]["id"] == data["id"]
    closed = partner_client.post(f"{URL}{data['id']}/close/")
    assert closed.status_code == 200 and closed.json()["close_reason"] == "completed"
    assert partner_client.post(f"{URL}{data['id']}/close/").status_code == 200


def test_another_partners_session_is_a_404(partner_client, pool, make_membership, api_client):
    pool(1)
    session_id = _open(partner_client).json()["id"]
    from rest_framework.test import APIClient

    stranger = APIClient()
    stranger.force_authenticate(make_membership().user)
    for method, path in [("get", ""), ("post", "close/"), ("post", "calls/")]:
        assert getattr(stranger, method)(f"{URL}{session_id}/{path}").status_code == 404
    assert stranger.get(URL).json()["count"] == 0


def test_pool_exhausted_answers_409_with_a_stable_code(partner_client, pool):
    pool(1)
    assert _open(partner_client).status_code == 201
    response = _open(partner_client, consumer={"phone": "010-2000-0003", "label": "고객"})
    assert response.status_code == 409 and response.json()["code"] == "pool_exhausted"


def test_bad_input_is_a_400_never_a_500(partner_client, pool):
    pool(1)
    assert _open(partner_client, consumer={"phone": "abc", "label": "x"}).json()["code"] == "invalid_phone"
    assert _open(partner_client, expires_at="yesterday").status_code == 400
    assert _open(partner_client, colour="red").json()["code"] == "unknown_field"


def test_status_text_and_click_to_call(partner_client, pool, django_capture_on_commit_callbacks):
    pool(1)
    session_id = _open(partner_client).json()["id"]
    with django_capture_on_commit_callbacks(execute=True):
        text = partner_client.post(f"{URL}{session_id}/texts/", {"body": "배달 완료"}, format="json")
        call = partner_client.post(f"{URL}{session_id}/calls/")
    assert text.status_code == 202 and text.json()["outcome"] == "queued"
    assert call.status_code == 202 and call.json()["kind"] == "click_to_call"
    assert sorted(Interaction.objects.values_list("outcome", flat=True)) == ["ringing", "sent"]
    MaskedSession.objects.filter(pk=session_id).update(expires_at=timezone.now() - timedelta(seconds=1),
                                                       opens_at=timezone.now() - timedelta(hours=1))
    refused = partner_client.post(f"{URL}{session_id}/texts/", {"body": "늦었어요"}, format="json")
    assert refused.status_code == 409 and refused.json()["code"] == "session_closed"


def test_a_user_without_a_partner_is_refused(api_client, make_user):
    api_client.force_authenticate(make_user())
    assert api_client.get(URL).status_code == 403
    assert mobile(1)
