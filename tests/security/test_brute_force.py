"""Issue 13, item 7: brute force.

An attacker guesses passwords faster than the limits allow by changing what the limits count:
a made-up X-Forwarded-For header per request, a new address per guess at one account, one guess at
many accounts from one address, the email written in another case; or floods the sign-up and
password-reset forms, which had no limit at all.
"""

import uuid

import pytest
from django.core import mail
from django.urls import reverse
from rest_framework.settings import api_settings
from rest_framework.test import APIClient
from rest_framework.throttling import SimpleRateThrottle

from tests.factories import PASSWORD, PartnerFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def anonymous_rate(settings):
    """The anonymous API rate at 3 a minute (DRF's throttle class keeps the rates it read)."""
    before = SimpleRateThrottle.THROTTLE_RATES
    rates = {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "anon": "3/minute"}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
    SimpleRateThrottle.THROTTLE_RATES = api_settings.DEFAULT_THROTTLE_RATES
    yield
    SimpleRateThrottle.THROTTLE_RATES = before


def _public_url() -> str:
    return reverse("api:public_partner", args=[PartnerFactory().pk])


def test_a_made_up_forwarded_for_header_does_not_reset_the_anonymous_throttle(anonymous_rate):
    url, client = _public_url(), APIClient()
    answers = [
        client.get(url, HTTP_X_FORWARDED_FOR=f"10.{index}.{index}.{index}").status_code for index in range(5)
    ]
    assert answers == [200, 200, 200, 429, 429]


def test_behind_one_trusted_proxy_the_address_it_saw_is_the_one_counted(anonymous_rate, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    url, client = _public_url(), APIClient(REMOTE_ADDR="10.0.0.1")  # the proxy
    # The client may prepend anything; the proxy appends the address it saw, which is what counts.
    answers = [
        client.get(url, HTTP_X_FORWARDED_FOR=f"{uuid.uuid4().hex[:8]}, 203.0.113.7").status_code
        for _ in range(4)
    ]
    assert answers == [200, 200, 200, 429]
    assert client.get(url, HTTP_X_FORWARDED_FOR="203.0.113.8").status_code == 200


def _log_in(client, email: str, password: str, address: str):
    return client.post(
        reverse("accounts:login"), {"username": email, "password": password}, REMOTE_ADDR=address
    )


def test_guesses_at_one_account_from_many_addresses_lock_the_account(client, consumer, settings):
    for index in range(settings.AXES_FAILURE_LIMIT):
        _log_in(client, consumer.email, f"guess-{index}", f"198.51.100.{index}")
    response = _log_in(client, consumer.email, PASSWORD, "198.51.100.200")
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_writing_the_email_in_another_case_counts_against_the_same_account(client, consumer, settings):
    for index in range(settings.AXES_FAILURE_LIMIT):
        variant = "".join(
            ch.upper() if (index >> position) & 1 else ch for position, ch in enumerate(consumer.email)
        )
        _log_in(client, f" {variant} ", "wrong-password", f"198.51.100.{index}")
    assert _log_in(client, consumer.email, PASSWORD, "198.51.100.99").status_code == 429


def test_api_guesses_from_many_addresses_lock_the_account_too(consumer, settings):
    for index in range(settings.AXES_FAILURE_LIMIT):
        APIClient(REMOTE_ADDR=f"198.51.100.{index}").post(
            reverse("api:token"), {"email": consumer.email, "password": "nope"}, format="json"
        )
    response = APIClient(REMOTE_ADDR="198.51.100.77").post(
        reverse("api:token"), {"email": consumer.email, "password": PASSWORD}, format="json"
    )
    assert response.status_code == 429 and response.json()["code"] == "locked_out"


def test_spraying_one_password_over_many_accounts_from_one_address_is_stopped(client, settings):
    settings.LOGIN_FAILURE_LIMIT_PER_ADDRESS = 8
    own = UserFactory()
    for index in range(8):
        _log_in(client, f"someone{index}@example.kr", "Password1!", "203.0.113.20")
        if index == 5:  # a login to the sprayer's own account does not wipe the address's count
            assert _log_in(client, own.email, PASSWORD, "203.0.113.20").status_code == 302
            client.logout()
    victim = UserFactory()
    assert _log_in(client, victim.email, PASSWORD, "203.0.113.20").status_code == 429
    # Fewer failures than that from an address (an office, a mobile carrier's shared address) lock nothing.
    client.logout()
    for index in range(settings.AXES_FAILURE_LIMIT - 1):
        _log_in(client, f"typo{index}@example.kr", "Password1!", "203.0.113.21")
    assert _log_in(client, victim.email, PASSWORD, "203.0.113.21").status_code == 302


def test_the_sign_up_form_is_throttled_per_address(client, settings):
    settings.SIGNUPS_PER_ADDRESS_HOUR = 3
    answers = [
        client.post(
            reverse("accounts:signup"), {"email": f"flood{index}@example.kr"}, REMOTE_ADDR="203.0.113.30"
        ).status_code
        for index in range(5)
    ]
    assert answers == [302, 302, 302, 429, 429]
    assert len(mail.outbox) == 3
    assert (
        client.post(
            reverse("accounts:signup"), {"email": "calm@example.kr"}, REMOTE_ADDR="203.0.113.31"
        ).status_code
        == 302
    )


def test_the_password_reset_form_is_throttled_per_address(client, settings):
    settings.PASSWORD_RESETS_PER_ADDRESS_HOUR = 3
    answers = [
        client.post(
            reverse("accounts:password_reset"),
            {"email": f"who{index}@example.kr"},
            REMOTE_ADDR="203.0.113.40",
        ).status_code
        for index in range(5)
    ]
    assert answers == [302, 302, 302, 429, 429]
    assert len(mail.outbox) == 3


def test_one_mailbox_gets_a_limited_number_of_reset_mails(client, consumer, settings):
    settings.PASSWORD_RESETS_PER_EMAIL_HOUR = 2
    answers = [
        client.post(
            reverse("accounts:password_reset"), {"email": consumer.email}, REMOTE_ADDR=f"203.0.113.{index}"
        ).status_code
        for index in range(4)
    ]
    # The answer stays the same (it must not tell whether the address has an account); the mails stop.
    assert answers == [302, 302, 302, 302]
    assert len(mail.outbox) == 2
