"""Issue 13, item 5: SMS pumping and an account oracle.

A pumper makes us text premium or foreign numbers (the operator pays them per text), or floods one
number; a snoop asks for a code to a number to learn whether an account already holds it. Texts go
only to Korean mobiles (+8210), are counted per account, per number, per address and in all, and a
number held by another account is answered exactly like a free one until the code is confirmed.
"""

import re

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from tests.factories import UserFactory
from tests.race import race
from trustplatform.accounts import services
from trustplatform.api.throttling import budget_spend
from trustplatform.notifications.models import OutboundMessage

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-pass-phrase-42"


def _caller(user, address: str = "198.51.100.1") -> APIClient:
    client = APIClient(REMOTE_ADDR=address)
    client.force_authenticate(user)
    return client


def _texts() -> int:
    return OutboundMessage.objects.filter(channel=OutboundMessage.Channel.SMS).count()


def _latest_code(to: str) -> str:
    # The recipient is stored encrypted: found by reading, not by a query.
    body = next(
        message.body for message in OutboundMessage.objects.order_by("-pk") if message.recipient == to
    )
    return re.search(r"(?<!\d)(\d{6})(?!\d)", body).group(1)


@pytest.mark.parametrize(
    "number",
    [
        "+1 202 555 0143",  # a US number
        "+44 7700 900123",  # a UK mobile
        "+882 1234 5678",  # an international premium-rate range
        "+82 2 123 4567",  # a Seoul landline
        "+82 11 234 5678",  # a retired 011 mobile prefix
        "+82 70 1234 5678",  # an internet phone
    ],
)
def test_codes_are_texted_to_korean_010_mobiles_only(number):
    response = _caller(UserFactory()).post(reverse("api:phone_start"), {"phone": number}, format="json")
    assert response.status_code == 400 and response.json()["code"] == "invalid_phone", response.content
    assert _texts() == 0


def test_a_korean_010_mobile_gets_its_code():
    response = _caller(UserFactory()).post(
        reverse("api:phone_start"), {"phone": "010-2345-6789"}, format="json"
    )
    assert response.status_code == 202
    assert OutboundMessage.objects.get().recipient == "+821023456789"


def test_one_number_gets_a_limited_number_of_texts_whoever_asks(settings):
    settings.PHONE_CODE_SENDS_PER_NUMBER_HOUR = 3
    answers = [
        _caller(UserFactory(), f"198.51.100.{index}")
        .post(reverse("api:phone_start"), {"phone": "010-2345-6789"}, format="json")
        .status_code
        for index in range(6)
    ]
    assert answers == [202, 202, 202, 429, 429, 429]
    assert _texts() == 3


def test_one_address_gets_a_limited_number_of_texts_sent(settings):
    settings.PHONE_CODE_SENDS_PER_ADDRESS_HOUR = 4
    answers = [
        _caller(UserFactory(), "203.0.113.9")
        .post(reverse("api:phone_start"), {"phone": f"010-2345-{6700 + index}"}, format="json")
        .status_code
        for index in range(6)
    ]
    assert answers == [202, 202, 202, 202, 429, 429]
    assert _texts() == 4
    # Another address has its own budget.
    response = _caller(UserFactory(), "203.0.113.10").post(
        reverse("api:phone_start"), {"phone": "010-3456-0001"}, format="json"
    )
    assert response.status_code == 202


def test_all_verification_texts_together_are_capped(settings):
    settings.PHONE_CODE_SENDS_GLOBAL_HOUR = 5
    answers = [
        _caller(UserFactory(), f"192.0.2.{index}")
        .post(reverse("api:phone_start"), {"phone": f"010-4567-{1000 + index}"}, format="json")
        .status_code
        for index in range(7)
    ]
    assert answers == [202] * 5 + [429] * 2
    assert _texts() == 5


def test_a_refused_send_answers_in_the_api_shape(settings):
    settings.PHONE_CODE_SENDS_PER_NUMBER_HOUR = 1
    _caller(UserFactory()).post(reverse("api:phone_start"), {"phone": "010-2345-6789"}, format="json")
    response = _caller(UserFactory()).post(
        reverse("api:phone_start"), {"phone": "010-2345-6789"}, format="json"
    )
    assert response.status_code == 429
    assert response.json()["code"] == "too_many_codes" and set(response.json()) == {
        "code",
        "detail",
        "fields",
    }


def test_signing_up_again_and_again_texts_no_one(client):
    """A sign-up form that texts every new account is a free SMS gateway: texts wait for the email."""
    for index in range(8):
        client.post(
            reverse("accounts:signup"),
            {
                "email": f"pump{index}@example.kr",
                "full_name": "Pump",
                "phone": "010-2345-6789",
                "password1": PASSWORD,
                "password2": PASSWORD,
            },
            REMOTE_ADDR="203.0.113.50",
        )
    assert _texts() == 0


def test_finished_sign_ups_from_one_address_text_a_limited_number_of_codes(client, settings):
    settings.PHONE_CODE_SENDS_PER_ADDRESS_HOUR = 2
    for index in range(4):
        client.logout()
        client.post(
            reverse("accounts:signup"), {"email": f"new{index}@example.kr"}, REMOTE_ADDR="203.0.113.60"
        )
        link = re.search(r"https?://[^/\s]+(/accounts/signup/\S+/)", mail.outbox[-1].body).group(1)
        response = client.post(
            link,
            {
                "full_name": "New",
                "phone": f"010-5678-{1000 + index}",
                "password1": PASSWORD,
                "password2": PASSWORD,
            },
            REMOTE_ADDR="203.0.113.60",
        )
        assert response.status_code == 302
    assert _texts() == 2


def test_a_number_held_by_another_account_answers_like_a_free_one():
    holder = UserFactory()
    services.phone_verification_start(user=holder, phone="010-5555-1234")
    services.phone_verification_confirm(user=holder, code=_latest_code("+821055551234"))
    snoop, other = UserFactory(), UserFactory()

    answers = []
    for user, number in [(snoop, "010-5555-1234"), (other, "010-5555-9876")]:
        with CaptureQueriesContext(connection) as queries:
            response = _caller(user).post(reverse("api:phone_start"), {"phone": number}, format="json")
        answers.append((response.status_code, response.content, len(queries)))
    # Same status, same body, the same work done (a text sent, the same queries) either way.
    assert answers[0] == answers[1]
    assert answers[0][0] == 202
    assert [message.recipient for message in OutboundMessage.objects.all()].count("+821055551234") == 2

    # The duplicate shows only when the code is confirmed, and names no account.
    response = _caller(snoop).post(
        reverse("api:phone_confirm"), {"code": _latest_code("+821055551234")}, format="json"
    )
    assert response.status_code == 409 and response.json()["code"] == "phone_taken"
    assert holder.email not in response.content.decode() and str(holder.pk) not in response.json()["detail"]
    snoop.refresh_from_db()
    assert not snoop.phone_verified


def test_parallel_spends_cannot_slip_past_a_budget():
    """The counters are atomic: forty simultaneous spends of a budget of five leave exactly five."""
    outcomes = race(lambda index: budget_spend(scope="test", ident="parallel", limit=5, seconds=3600), 40)
    assert outcomes.count(True) == 5


@pytest.mark.django_db(transaction=True)
def test_parallel_requests_for_one_number_send_no_more_than_its_limit(settings):
    settings.PHONE_CODE_SENDS_PER_NUMBER_HOUR = 3
    users = [UserFactory() for _ in range(24)]
    outcomes = race(
        lambda index: services.phone_verification_start(
            user=users[index], phone="010-2345-6789", client_ip=f"198.51.100.{index}"
        ),
        len(users),
    )
    sent = [outcome for outcome in outcomes if not isinstance(outcome, Exception)]
    assert len(sent) == 3
    assert all(outcome.code == "too_many_codes" for outcome in outcomes if isinstance(outcome, Exception))
    assert _texts() == 3
