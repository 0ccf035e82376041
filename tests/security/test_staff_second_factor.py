"""Issue 13, item 7: staff who can move money sign in to the admin with a second factor.

A stolen or guessed password of a finance person, an agent who decides claims or a superuser must
not be enough to move money: the admin asks them for a TOTP code from an authenticator app, set up
once on an enrolment page whose QR code is drawn on the page itself (no outside service sees the
secret). Staff who cannot move money (inspectors) sign in as before.
"""

import base64
import re
import time

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django_otp.oath import TOTP

from tests.factories import PASSWORD, StaffFactory

pytestmark = pytest.mark.django_db

ADMIN = "/admin/"


def _admin_log_in(client, user):
    response = client.post("/admin/login/", {"username": user.email, "password": PASSWORD, "next": ADMIN})
    assert response.status_code == 302, response.content[:300]


def _secret(html: str) -> bytes:
    return base64.b32decode(re.search(r'data-totp-secret="([A-Z2-7]+)"', html).group(1))


def _code(secret: bytes, steps_ahead: int = 0) -> str:
    totp = TOTP(secret)
    totp.time = time.time() + 30 * steps_ahead
    return f"{totp.token():06d}"


def _enrol(client) -> bytes:
    page = client.get(reverse("accounts:second_factor_setup"))
    assert page.status_code == 200
    secret = _secret(page.content.decode())
    response = client.post(reverse("accounts:second_factor_setup"), {"code": _code(secret), "next": ADMIN})
    assert response.status_code == 302 and response.url == ADMIN
    return secret


def _money_agent():
    agent = StaffFactory()
    agent.user_permissions.add(
        Permission.objects.get(content_type__app_label="escrow", codename="decide_claim")
    )
    return agent


@pytest.mark.parametrize(
    "make_staff",
    [
        pytest.param(lambda: StaffFactory(group="finance"), id="finance"),
        pytest.param(lambda: StaffFactory(group="agents"), id="agents"),
        pytest.param(_money_agent, id="agent-with-a-money-permission"),
        pytest.param(lambda: StaffFactory(is_superuser=True), id="superuser"),
    ],
)
def test_a_password_alone_does_not_open_the_admin_to_staff_who_move_money(client, make_staff):
    staff = make_staff()
    _admin_log_in(client, staff)
    for url in [ADMIN, "/admin/escrow/escrowagreement/", "/admin/ledger/ledgeraccount/"]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.url.startswith(reverse("accounts:second_factor_setup")), response.url


def test_staff_who_move_no_money_sign_in_with_their_password(client):
    inspector = StaffFactory(group="inspectors")
    _admin_log_in(client, inspector)
    assert client.get(ADMIN).status_code == 200


def test_enrolment_draws_the_qr_code_on_the_page_and_a_right_code_opens_the_admin(client, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # the right code follows a wrong one at once here
    finance = StaffFactory(group="finance")
    _admin_log_in(client, finance)
    page = client.get(reverse("accounts:second_factor_setup"))
    html = page.content.decode()
    assert "<svg" in html
    # Nothing on the page is fetched from elsewhere: the secret never leaves the site.
    assert not re.search(r'(?:src|href|action)="(?:https?:)?//', html), html
    wrong = f"{(int(_code(_secret(html))) + 1) % 1_000_000:06d}"
    refused = client.post(reverse("accounts:second_factor_setup"), {"code": wrong})
    assert refused.status_code == 200 and client.get(ADMIN).status_code == 302

    _enrol(client)
    assert client.get(ADMIN).status_code == 200
    assert client.get("/admin/ledger/ledgeraccount/").status_code == 200


def test_each_new_sign_in_asks_for_a_code_again(client, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # the right code follows a wrong one at once here
    finance = StaffFactory(group="finance")
    _admin_log_in(client, finance)
    secret = _enrol(client)
    client.post("/admin/logout/")

    _admin_log_in(client, finance)
    response = client.get(ADMIN)
    assert response.status_code == 302 and response.url.startswith(reverse("accounts:second_factor"))
    # Enrolment is done once: a signed-in person cannot swap in a device of their own.
    assert client.get(reverse("accounts:second_factor_setup")).status_code == 302

    wrong = client.post(
        reverse("accounts:second_factor"), {"code": f"{(int(_code(secret, 1)) + 1) % 1_000_000:06d}"}
    )
    assert wrong.status_code == 200 and client.get(ADMIN).status_code == 302
    right = client.post(reverse("accounts:second_factor"), {"code": _code(secret, 1), "next": ADMIN})
    assert right.status_code == 302 and right.url == ADMIN
    assert client.get(ADMIN).status_code == 200


def test_guessing_codes_is_slowed_down(client):
    finance = StaffFactory(group="finance")
    _admin_log_in(client, finance)
    secret = _enrol(client)
    client.post("/admin/logout/")
    _admin_log_in(client, finance)
    right = _code(secret, 1)
    client.post(reverse("accounts:second_factor"), {"code": f"{(int(right) + 1) % 1_000_000:06d}"})
    # Straight after a wrong guess even the right code is refused for a while.
    assert client.post(reverse("accounts:second_factor"), {"code": right}).status_code == 200
    assert client.get(ADMIN).status_code == 302


def test_the_second_factor_pages_send_no_one_off_site(client):
    finance = StaffFactory(group="finance")
    _admin_log_in(client, finance)
    page = client.get(reverse("accounts:second_factor_setup"))
    response = client.post(
        reverse("accounts:second_factor_setup"),
        {"code": _code(_secret(page.content.decode())), "next": "https://evil.example/x"},
    )
    assert response.status_code == 302 and response.url == ADMIN


def test_the_second_factor_pages_are_for_signed_in_staff_only(client, consumer):
    assert client.get(reverse("accounts:second_factor_setup")).status_code == 302  # to the login page
    client.force_login(consumer)
    assert client.get(reverse("accounts:second_factor_setup")).status_code == 403
    assert client.get(reverse("accounts:second_factor")).status_code == 403
