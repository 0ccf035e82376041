"""Issue 13, item 7: staff who can move money pass the second factor everywhere, not only in the admin.

A finance person's, an agent's or a superuser's password alone opened the inspector pages, the owner
portal, the API by session, and an API token that then opened every staff endpoint. Now a session
that has not entered a code reaches only the home page and the way to the code (pages are sent
there, the API answers 403 second_factor_required), and a token counts only when it was issued with
a code, for as long as a session may live, while the authenticator that gave the code exists.
"""

import base64
import time
from datetime import timedelta
from urllib.parse import urlencode

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.authtoken.models import Token

from tests.factories import PASSWORD, StaffFactory
from tests.second_factor import totp_code

pytestmark = pytest.mark.django_db

ME = "/api/v1/me/"
STAFF_REPORTS = "/api/v1/listings/staff/reports/"  # agents' queue of fake-listing reports
INSPECTIONS_API = "/api/v1/listings/inspections/"


def _enrolled(user) -> str:
    """A confirmed authenticator for `user`, as the admin's enrolment page leaves it; its secret."""
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    return base64.b32encode(device.bin_key).decode()


def _token_asked(api_client, user, **extra):
    return api_client.post(
        reverse("api:token"), {"email": user.email, "password": PASSWORD, **extra}, format="json"
    )


def _refused(answer) -> None:
    assert answer.status_code == 403, answer.content[:300]
    body = answer.json()
    assert body["code"] == "second_factor_required" and body["fields"] == {} and body["detail"], body


def _logged_in(user) -> Client:
    """A browser that signed in on the login page with the password alone."""
    client = Client()
    response = client.post(reverse("accounts:login"), {"username": user.email, "password": PASSWORD})
    assert response.status_code == 302, response.content[:300]
    return client


def test_money_staff_token_needs_second_factor(api_client):
    finance = StaffFactory(group="finance")
    _refused(_token_asked(api_client, finance, second_factor_code="123456"))  # no authenticator yet
    _enrolled(finance)
    _refused(_token_asked(api_client, finance))
    assert not Token.objects.filter(user=finance).exists()


def test_money_staff_token_issued_with_a_code_opens_the_api(api_client):
    agent = StaffFactory(group="agents")  # agents decide claims and pay wasted trips
    secret = _enrolled(agent)
    answer = _token_asked(api_client, agent, second_factor_code=totp_code(secret))
    assert answer.status_code == 200, answer.content
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {answer.json()['token']}")
    assert api_client.get(ME).status_code == 200
    assert api_client.get(STAFF_REPORTS).status_code == 200


def test_money_staff_token_with_a_wrong_code_is_refused(api_client, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    finance = StaffFactory(group="finance")
    secret = _enrolled(finance)
    wrong = f"{(int(totp_code(secret)) + 1) % 1_000_000:06d}"
    answer = _token_asked(api_client, finance, second_factor_code=wrong)
    assert answer.status_code == 400 and answer.json()["code"] == "wrong_code"
    assert "second_factor_code" in answer.json()["fields"]
    assert not Token.objects.filter(user=finance).exists()


def test_money_staff_token_issued_without_a_code_opens_nothing(api_client):
    """A token made with the password alone (before this check existed) does not pass for a code."""
    agent = StaffFactory(group="agents")
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=agent).key}")
    for url in (ME, STAFF_REPORTS):
        _refused(api_client.get(url))


def test_staff_who_come_to_move_money_lose_the_token_they_had(api_client):
    inspector = StaffFactory(group="inspectors")  # moves no money: a password gives a token
    answer = _token_asked(api_client, inspector)
    assert answer.status_code == 200, answer.content
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {answer.json()['token']}")
    assert api_client.get(INSPECTIONS_API).status_code == 200

    inspector.groups.add(Group.objects.get(name="finance"))
    _refused(api_client.get(INSPECTIONS_API))


def test_money_staff_token_ends_with_a_session_s_age_and_with_its_authenticator(api_client, settings):
    from trustplatform.accounts.models import TokenSecondFactor

    finance = StaffFactory(group="finance")
    secret = _enrolled(finance)
    now = time.time()
    answer = _token_asked(api_client, finance, second_factor_code=totp_code(secret, at=now))
    assert answer.status_code == 200, answer.content
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {answer.json()['token']}")
    assert api_client.get(ME).status_code == 200

    TokenSecondFactor.objects.update(
        verified_at=timezone.now() - timedelta(seconds=settings.SESSION_COOKIE_AGE + 60)
    )
    _refused(api_client.get(ME))

    # A code a step later (each code is taken once) gives a new token; deleting the device ends it.
    answer = _token_asked(api_client, finance, second_factor_code=totp_code(secret, steps_ahead=1, at=now))
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {answer.json()['token']}")
    assert api_client.get(ME).status_code == 200
    TOTPDevice.objects.filter(user=finance).delete()
    _refused(api_client.get(ME))


def test_money_staff_asking_again_with_a_code_replaces_the_old_token(api_client):
    finance = StaffFactory(group="finance")
    secret = _enrolled(finance)
    now = time.time()
    first = _token_asked(api_client, finance, second_factor_code=totp_code(secret, at=now)).json()["token"]
    second = _token_asked(api_client, finance, second_factor_code=totp_code(secret, steps_ahead=1, at=now))
    assert second.status_code == 200 and second.json()["token"] != first
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {first}")
    answer = api_client.get(ME)
    assert answer.status_code == 401 and answer.json()["code"] == "authentication_failed"


def test_money_staff_session_without_the_code_reaches_no_api():
    browser = _logged_in(StaffFactory(group="agents"))
    for url in (ME, STAFF_REPORTS, "/api/v1/escrow/agreements/", INSPECTIONS_API):
        _refused(browser.get(url))
    _refused(browser.post("/api/v1/listings/campaigns/open/", {}, content_type="application/json"))


def test_money_staff_session_without_the_code_reaches_no_page_outside_the_admin(settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    pages = ["/homes/inspections/", "/portal/", "/deposits/", "/accounts/me/", "/api/docs/"]
    # Staff who move no money sign in with their password, as before.
    inspector = _logged_in(StaffFactory(group="inspectors"))
    assert inspector.get("/homes/inspections/").status_code == 200
    assert inspector.get(INSPECTIONS_API).status_code == 200

    boss = StaffFactory(is_superuser=True)  # a superuser is an inspector too, and acts for any partner
    browser = _logged_in(boss)
    for url in pages:
        response = browser.get(url)
        assert response.status_code == 302, url
        assert response.url == f"{reverse('accounts:second_factor_setup')}?{urlencode({'next': url})}"
    assert browser.get("/").status_code == 200  # the home page, and the way to the code, stay open

    setup = reverse("accounts:second_factor_setup")
    assert browser.get(f"{setup}?{urlencode({'next': pages[0]})}").status_code == 200
    secret = base64.b32encode(TOTPDevice.objects.get(user=boss).bin_key).decode()
    entered = browser.post(setup, {"code": totp_code(secret), "next": pages[0]})
    assert entered.status_code == 302 and entered.url == pages[0]
    assert browser.get(pages[0]).status_code == 200
    assert browser.get(INSPECTIONS_API).status_code == 200
