import re

import pytest
from django.core import mail
from django.urls import reverse

from trustplatform import pii
from trustplatform.accounts import services
from trustplatform.accounts.models import PhoneVerification, User
from trustplatform.notifications.models import OutboundMessage

from ..factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def _latest_code() -> str:
    body = OutboundMessage.objects.order_by("-pk").first().body
    return re.search(r"(?<!\d)(\d{6})(?!\d)", body).group(1)


def _signup_link(client, email: str) -> str:
    """Sign-up starts with the address; the rest of the form is behind the link mailed to it."""
    response = client.post(reverse("accounts:signup"), {"email": email})
    assert response.status_code == 302 and response.url == reverse("accounts:signup_sent")
    return re.search(r"https?://[^/\s]+(/accounts/signup/\S+/)", mail.outbox[-1].body).group(1)


def test_signup_creates_account_with_encrypted_phone_and_sends_a_code(client):
    link = _signup_link(client, "Minji@Example.kr")
    assert not User.objects.exists() and not OutboundMessage.objects.exists()
    response = client.post(link, {
        "full_name": "김민지", "phone": "010-2345-6789",
        "password1": "a-long-pass-phrase-42", "password2": "a-long-pass-phrase-42",
    })
    assert response.status_code == 302 and response.url == reverse("accounts:phone_verify")
    user = User.objects.get(email="minji@example.kr")
    assert user.phone == "+821023456789"
    assert user.phone_hint == "010-****-6789"
    assert not user.phone_verified
    # The database holds ciphertext, never the digits.
    from django.db import connection
    with connection.cursor() as cursor:
        cursor.execute("SELECT phone FROM accounts_user WHERE id = %s", [user.pk])
        stored = cursor.fetchone()[0]
    assert "23456789" not in stored and stored.startswith("gAAAA")
    message = OutboundMessage.objects.get()
    assert message.recipient == "+821023456789" and message.recipient_hint == "010-****-6789"
    # The session is logged in as the new user.
    assert client.get(reverse("accounts:profile")).status_code == 200


@pytest.mark.parametrize("raw, reason", [
    ("02-123-4567", "mobile"),      # a Seoul landline is valid but not a mobile number
    ("010-12", "valid"),            # too short
    ("hello", "phone number"),      # not a number at all
])
def test_signup_rejects_a_non_mobile_number_with_a_clear_message(client, raw, reason, settings):
    settings.LANGUAGE_CODE = "en"
    response = client.post(_signup_link(client, "a@example.kr"), {
        "full_name": "A", "phone": raw,
        "password1": "a-long-pass-phrase-42", "password2": "a-long-pass-phrase-42",
    }, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert reason in response.content.decode()
    assert not User.objects.exists()


def test_phone_normalization_accepts_common_korean_forms():
    for raw in ["010-2345-6789", "01023456789", "+82 10 2345 6789", "010 2345 6789"]:
        assert pii.normalize_phone(raw) == "+821023456789"


def test_phone_verification_with_the_right_code_verifies(consumer):
    services.phone_verification_start(user=consumer, phone="010-9876-5432")
    services.phone_verification_confirm(user=consumer, code=_latest_code())
    consumer.refresh_from_db()
    assert consumer.phone_verified and consumer.phone == "+821098765432"


def test_wrong_codes_are_counted_and_lock_the_code(consumer, settings):
    settings.PHONE_CODE_MAX_ATTEMPTS = 3
    services.phone_verification_start(user=consumer, phone="010-9876-5432")
    right = _latest_code()
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    for _ in range(3):
        with pytest.raises(services.AccountError) as exc:
            services.phone_verification_confirm(user=consumer, code=wrong)
        assert exc.value.code == "wrong_code"
    assert PhoneVerification.objects.get().attempts == 3
    # Even the right code is refused once the attempts are spent.
    with pytest.raises(services.AccountError) as exc:
        services.phone_verification_confirm(user=consumer, code=right)
    assert exc.value.code == "too_many_attempts"
    consumer.refresh_from_db()
    assert not consumer.phone_verified


def test_code_sends_are_rate_limited(consumer, settings):
    settings.PHONE_CODE_SENDS_PER_HOUR = 2
    services.phone_verification_start(user=consumer, phone="010-9876-5432")
    services.phone_verification_start(user=consumer, phone="010-9876-5432")
    with pytest.raises(services.AccountError) as exc:
        services.phone_verification_start(user=consumer, phone="010-9876-5432")
    assert exc.value.code == "too_many_codes" and exc.value.status == 429


def test_a_number_verified_elsewhere_cannot_be_claimed(consumer):
    other = UserFactory()
    services.phone_verification_start(user=other, phone="010-5555-1234")
    services.phone_verification_confirm(user=other, code=_latest_code())
    # Asking for a code tells nothing (see tests/security/test_sms_pumping.py); confirming it does.
    services.phone_verification_start(user=consumer, phone="010-5555-1234")
    with pytest.raises(services.AccountError) as exc:
        services.phone_verification_confirm(user=consumer, code=_latest_code())
    assert exc.value.code == "phone_taken"
    consumer.refresh_from_db()
    assert not consumer.phone_verified


def test_login_and_logout(client, consumer):
    response = client.post(reverse("accounts:login"), {"username": consumer.email.upper(),
                                                        "password": PASSWORD})
    assert response.status_code == 302
    assert client.get(reverse("accounts:profile")).status_code == 200
    client.post(reverse("accounts:logout"))
    assert client.get(reverse("accounts:profile")).status_code == 302


def test_repeated_failed_logins_lock_the_account_out_even_for_the_right_password(client, consumer, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = client.post(reverse("accounts:login"), {"username": consumer.email,
                                                            "password": "wrong-password"})
    assert response.status_code == 429
    response = client.post(reverse("accounts:login"), {"username": consumer.email, "password": PASSWORD})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_api_token_login_is_locked_out_too(api_client, consumer, settings):
    url = reverse("api:token")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = api_client.post(url, {"email": consumer.email, "password": "nope"}, format="json")
        assert response.status_code == 400 and response.json()["code"] == "invalid_credentials"
    response = api_client.post(url, {"email": consumer.email, "password": "nope"}, format="json")
    assert response.status_code == 429 and response.json()["code"] == "locked_out"
    response = api_client.post(url, {"email": consumer.email, "password": PASSWORD}, format="json")
    assert response.status_code == 429 and response.json()["code"] == "locked_out"


def test_api_token_login_works_with_the_right_password(api_client, consumer):
    response = api_client.post(reverse("api:token"), {"email": consumer.email, "password": PASSWORD},
                               format="json")
    assert response.status_code == 200
    token = response.json()["token"]
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    me = api_client.get(reverse("api:me")).json()
    assert me["email"] == consumer.email
    assert "phone" not in me


def test_password_reset_by_email(client, consumer):
    response = client.post(reverse("accounts:password_reset"), {"email": consumer.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    link = re.search(r"https?://[^/]+(/accounts/password/reset/\S+/)", mail.outbox[0].body).group(1)
    form_url = client.get(link).url  # Django swaps the token for a session marker
    response = client.post(form_url, {"new_password1": "brand-new-passphrase-7",
                                      "new_password2": "brand-new-passphrase-7"})
    assert response.status_code == 302
    consumer.refresh_from_db()
    assert consumer.check_password("brand-new-passphrase-7")
    # The link works once.
    assert "validlink" not in client.get(link).context or not client.get(link).context["validlink"]


def test_password_reset_for_an_unknown_email_reveals_nothing(client):
    response = client.post(reverse("accounts:password_reset"), {"email": "nobody@example.kr"})
    assert response.status_code == 302 and response.url == reverse("accounts:password_reset_done")
    # The address is told that no account uses it: a mail either way, a reset link only to an account.
    assert len(mail.outbox) == 1 and "/accounts/password/reset/" not in mail.outbox[0].body
