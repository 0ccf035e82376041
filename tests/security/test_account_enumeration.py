"""Issue 13, item 10: account enumeration by email.

Whoever types an email into the sign-up form, the password-reset form or the API's token endpoint
must learn nothing about whether an account uses it: the same status, the same page, the same work
done (the same database queries, one email sent either way). Only the mailbox's owner reads what
differs.
"""

import re

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from tests.factories import PASSWORD, UserFactory
from trustplatform.accounts.models import User

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a-long-pass-phrase-42"


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"


def _answer(post) -> tuple:
    """What a snoop sees of one request: status, where it leads, the page, and the work behind it."""
    mail.outbox.clear()
    with CaptureQueriesContext(connection) as queries:
        response = post()
    followed = Client().get(response.url).content if response.status_code == 302 else b""
    # Each page carries a fresh CSRF token: the rest of it must be the same.
    followed = re.sub(rb'name="csrfmiddlewaretoken" value="[^"]+"', b"", followed)
    return (
        response.status_code,
        response.get("Location"),
        response.content,
        followed,
        len(queries),
        len(mail.outbox),
    )


def test_signing_up_with_a_taken_email_answers_like_a_free_one():
    taken = UserFactory(email="minji@example.kr")

    def sign_up(email):
        return lambda: Client().post(
            reverse("accounts:signup"),
            {
                "email": email,
                "full_name": "김민지",
                "phone": "010-2345-6789",
                "password1": NEW_PASSWORD,
                "password2": NEW_PASSWORD,
            },
        )

    assert _answer(sign_up("Minji@Example.kr")) == _answer(sign_up("nobody@example.kr"))
    status, *_rest, mails = _answer(sign_up("Minji@Example.kr"))
    assert status == 302 and mails == 1
    # The owner of the taken address reads that they already have an account; nothing changed on it.
    assert "already" in mail.outbox[0].body and "/accounts/signup/" not in mail.outbox[0].body
    assert User.objects.filter(email__iexact="minji@example.kr").count() == 1
    taken.refresh_from_db()
    assert taken.check_password(PASSWORD)


def test_the_sign_up_link_goes_only_to_the_mailbox_and_makes_the_account(client):
    client.post(reverse("accounts:signup"), {"email": "Jane@Example.com"})
    assert not User.objects.filter(email="jane@example.com").exists()
    assert mail.outbox[0].to == ["jane@example.com"]
    link = re.search(r"https?://[^/\s]+(/accounts/signup/\S+/)", mail.outbox[0].body).group(1)
    response = client.post(
        link,
        {
            "full_name": "Jane Doe",
            "phone": "010-2345-6789",
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
        },
    )
    assert response.status_code == 302 and response.url == reverse("accounts:phone_verify")
    assert User.objects.get(email="jane@example.com").full_name == "Jane Doe"
    # A link cannot be used twice, nor tampered with to name another address.
    assert client.get(link).status_code in {302, 200}
    assert User.objects.filter(email="jane@example.com").count() == 1
    forged = link.replace(link.split("/")[3], link.split("/")[3][:-2] + "xx")
    Client().post(
        forged,
        {"full_name": "Eve", "phone": "010-2345-6788", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert User.objects.count() == 1


def test_password_reset_answers_the_same_and_mails_either_way():
    UserFactory(email="minji@example.kr")

    def reset(email):
        return lambda: Client().post(reverse("accounts:password_reset"), {"email": email})

    known, unknown = _answer(reset("minji@example.kr")), _answer(reset("nobody@example.kr"))
    assert known[:5] == unknown[:5]
    assert known[5] == unknown[5] == 1


def test_a_reset_mail_to_an_address_without_an_account_holds_no_link():
    Client().post(reverse("accounts:password_reset"), {"email": "nobody@example.kr"})
    assert mail.outbox[0].to == ["nobody@example.kr"]
    assert "/accounts/password/reset/" not in mail.outbox[0].body


def test_the_api_token_answers_the_same_for_unknown_and_known_emails():
    UserFactory(email="minji@example.kr")

    def token(email):
        return lambda: APIClient().post(
            reverse("api:token"), {"email": email, "password": "wrong-password"}, format="json"
        )

    assert _answer(token("minji@example.kr")) == _answer(token("nobody@example.kr"))
