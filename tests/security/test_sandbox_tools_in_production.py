"""Issue 13, item 9: sandbox tools in production.

With DEBUG off the telephony provider fell back to the sandbox and texts and mails to the console
(which printed verification codes and reset links); the phone simulator was open to every logged-in
user and showed the last digits of the other side's number. Outside DEBUG every provider is named, the
ones that send nothing run only on a test server that says so (SANDBOX_ALLOWED), the simulator and the
demo checkout are staff-only, and no code or token reaches the log.
"""

import io
import logging
import os
import re
import runpy
import uuid
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace
from unittest import mock

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from tests.factories import MembershipFactory, UserFactory
from tests.masking.factories import without_proxy_numbers

ROOT = Path(__file__).resolve().parents[2]

CONSOLE_SMS = "trustplatform.notifications.sms.ConsoleSmsBackend"
LOCMEM_SMS = "trustplatform.notifications.sms.LocmemSmsBackend"
PROVIDER_SMS = "masking.providers.ProviderSmsBackend"
CONSOLE_EMAIL = "django.core.mail.backends.console.EmailBackend"
SMTP_EMAIL = "django.core.mail.backends.smtp.EmailBackend"

# A production server as an operator configures one: every provider named, no test-server opt-in.
PRODUCTION = {
    "DEBUG": "false",
    "ALLOWED_HOSTS": "example.com",
    "SECRET_KEY": "production-like-0123456789-abcdefghijklmnopqrstuvwxyz-XY",
    "PII_ENCRYPTION_KEYS": "ZGVwbG95LWNoZWNrLWtleS0wMTIzNDU2Nzg5YWJjZGU=",
    "PII_HASH_KEY": "production-like-hash",
    "PAYMENTS_PROVIDER": "portone",
    "PORTONE_API_SECRET": "secret",
    "PORTONE_STORE_ID": "store",
    "PORTONE_CHANNEL_KEY_CARD": "card",
    "PORTONE_CHANNEL_KEY_VIRTUAL_ACCOUNT": "va",
    "PORTONE_WEBHOOK_SECRET": "whsec_c2VjcmV0",
    "PORTONE_PLATFORM_CONTRACT_ID": "contract",
    "DATABASE_URL": "postgres:///ansim",
    "MASKING_PROVIDER": "twilio",
    "TWILIO_ACCOUNT_SID": "AC" + "1" * 32,
    "TWILIO_AUTH_TOKEN": "token",
    "SMS_BACKEND": PROVIDER_SMS,
    "EMAIL_BACKEND": SMTP_EMAIL,
}


def load_settings(*, base: dict | None = None, **overrides) -> SimpleNamespace:
    """Run the settings module afresh in the environment `base` (PRODUCTION) with `overrides`; an override
    of None leaves that variable out."""
    environment = {**(PRODUCTION if base is None else base), **overrides}
    environment = {name: value for name, value in environment.items() if value is not None}
    with mock.patch.dict(os.environ, environment, clear=True):
        return SimpleNamespace(**runpy.run_path(str(ROOT / "trustplatform" / "settings.py")))


def makefile_env(name: str) -> dict:
    """The variables a Makefile environment (TEST_ENV, DEPLOY_ENV) sets, `$${X:-default}` taken as default."""
    text = (ROOT / "Makefile").read_text().replace("\\\n", " ")
    line = next(line for line in text.splitlines() if line.startswith(f"{name} :="))
    pairs = re.findall(r"([A-Z_][A-Z0-9_]*)=(\S+)", line.split(":=", 1)[1])
    return {key: re.sub(r"^\$\$\{\w+:-(.*)\}$", r"\1", value) for key, value in pairs}


# --- providers are named outside DEBUG -----------------------------------------------------------


def test_a_production_server_names_every_provider_and_loads():
    loaded = load_settings()
    assert loaded.MASKING_PROVIDER == "twilio" and loaded.SANDBOX_ALLOWED is False
    assert loaded.SMS_BACKEND == PROVIDER_SMS and loaded.EMAIL_BACKEND == SMTP_EMAIL


@pytest.mark.parametrize("name", ["MASKING_PROVIDER", "SMS_BACKEND", "EMAIL_BACKEND"])
def test_outside_debug_a_provider_left_unnamed_is_refused(name):
    with pytest.raises(ImproperlyConfigured, match=name):
        load_settings(**{name: None})


@pytest.mark.parametrize(
    "name, sandbox",
    [
        ("MASKING_PROVIDER", "sandbox"),
        ("SMS_BACKEND", CONSOLE_SMS),
        ("SMS_BACKEND", LOCMEM_SMS),
        ("EMAIL_BACKEND", CONSOLE_EMAIL),
    ],
)
def test_outside_debug_a_provider_that_sends_nothing_needs_the_test_server_opt_in(name, sandbox):
    with pytest.raises(ImproperlyConfigured, match="SANDBOX_ALLOWED"):
        load_settings(**{name: sandbox})
    assert getattr(load_settings(**{name: sandbox}, SANDBOX_ALLOWED="true"), name) == sandbox


def test_a_test_server_that_says_so_runs_the_sandboxes_by_default():
    loaded = load_settings(
        MASKING_PROVIDER=None, SMS_BACKEND=None, EMAIL_BACKEND=None, SANDBOX_ALLOWED="true"
    )
    assert (loaded.MASKING_PROVIDER, loaded.SMS_BACKEND, loaded.EMAIL_BACKEND) == (
        "sandbox",
        CONSOLE_SMS,
        CONSOLE_EMAIL,
    )


def test_debug_keeps_the_embedded_defaults():
    loaded = load_settings(base={"DEBUG": "true"})
    assert loaded.SANDBOX_ALLOWED is True
    assert (loaded.MASKING_PROVIDER, loaded.SMS_BACKEND, loaded.EMAIL_BACKEND) == (
        "sandbox",
        CONSOLE_SMS,
        CONSOLE_EMAIL,
    )


def test_the_makefile_environments_still_load():
    deploy = load_settings(base=makefile_env("DEPLOY_ENV"))
    assert deploy.SANDBOX_ALLOWED is False and deploy.MASKING_PROVIDER == "twilio"
    assert deploy.SMS_BACKEND not in (CONSOLE_SMS, LOCMEM_SMS) and deploy.EMAIL_BACKEND != CONSOLE_EMAIL
    test = load_settings(base=makefile_env("TEST_ENV"))
    assert test.SANDBOX_ALLOWED is True and test.MASKING_PROVIDER == "sandbox"


# --- the simulator and the demo checkout ---------------------------------------------------------


@pytest.fixture
def scene(db):
    """A consumer's open safe-number session with a restaurant whose owner's number is known."""
    from masking import services
    from tests.masking.factories import ProxyNumberFactory

    ProxyNumberFactory.create_batch(2)
    consumer = UserFactory(phone="+821020000051", phone_verified_at=timezone.now())
    membership = MembershipFactory(partner__kind="restaurant")
    session = services.session_open(
        consumer=services.Party(phone=consumer.phone, label="고객", user=consumer),
        business=services.Party(phone="+821020000052", label="가게"),
        partner=membership.partner,
        expires_at=timezone.now() + timedelta(hours=3),
    )
    return consumer, membership, session


@pytest.mark.parametrize("path", ["/safe-numbers/simulator/", "/safe-numbers/try/"])
def test_outside_debug_the_sandbox_tools_are_staff_only(client, scene, path):
    consumer, membership, _session = scene
    for user in (consumer, membership.user):
        client.force_login(user)
        assert client.get(path).status_code == 404
    client.force_login(UserFactory(is_staff=True))
    assert client.get(path).status_code == 200


def test_in_debug_the_sandbox_tools_stay_open_to_people_trying_the_platform(client, scene, settings):
    settings.DEBUG = True
    client.force_login(scene[0])
    assert client.get("/safe-numbers/simulator/").status_code == 200


def test_the_simulator_shows_no_digit_of_the_other_sides_number(client, scene):
    consumer, _membership, session = scene
    client.force_login(UserFactory(is_staff=True))
    proxy = next(p.proxy_number.e164 for p in session.participants.all() if p.side == "consumer")
    response = client.post(
        "/safe-numbers/simulator/", {"kind": "call", "caller": "010-2000-0051", "proxy": proxy}
    )
    outcome = re.search(
        r'<section class="card masking-outcome connected".*?</section>', response.content.decode(), re.S
    )
    assert outcome, response.content.decode()
    shown = without_proxy_numbers(outcome.group(0))
    assert "0052" not in shown and "2000" not in shown
    text = client.post(
        "/safe-numbers/simulator/",
        {"kind": "text", "caller": "010-2000-0051", "proxy": proxy, "body": "곧 도착"},
    )
    relayed = re.search(
        r'<section class="card masking-outcome connected".*?</section>', text.content.decode(), re.S
    )
    assert relayed and "곧 도착" in relayed.group(0) and "0052" not in without_proxy_numbers(relayed.group(0))


# --- nothing secret in the log -------------------------------------------------------------------


@pytest.fixture
def console_log():
    """What the configured console handler (filters and all) writes, while the test runs."""
    handler = next(handler for handler in logging.getLogger().handlers if handler.get_name() == "console")
    stream = io.StringIO()
    previous = handler.setStream(stream)
    yield stream
    handler.setStream(previous)


def test_the_console_sms_backend_logs_no_code_outside_debug(console_log):
    from trustplatform.notifications.sms import ConsoleSmsBackend

    message_id = ConsoleSmsBackend().send(
        to="+821012345678", body="[Ansim] Your code is 482913", sender="+8215880000"
    )
    written = console_log.getvalue()
    assert message_id in written and "482913" not in written and "5678" in written


@pytest.mark.django_db
def test_a_verification_code_texted_through_the_console_is_not_logged(console_log, settings):
    from trustplatform.notifications.services import message_deliver, message_enqueue

    settings.SMS_BACKEND = CONSOLE_SMS
    message = message_enqueue(channel="sms", to="+821012345678", body="인증번호 [739104]", key="t:code")
    assert message_deliver(message_id=message.pk)
    assert "739104" not in console_log.getvalue()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    [
        "/homes/verify/{token}/",
        "/stays/offers/{token}/",
        "/stays/ical/{token}.ics",
    ],
)
def test_a_link_with_a_token_is_logged_without_its_token(client, console_log, path):
    token = "tok" + uuid.uuid4().hex
    client.force_login(UserFactory())
    client.get(path.format(token=token))
    client.post(path.format(token=token))
    assert token not in console_log.getvalue()


@pytest.mark.django_db
def test_a_refused_click_to_call_bridge_logs_no_token(client, console_log):
    token = str(uuid.uuid4())
    response = client.post(f"/hooks/telephony/bridge/{token}/", {"CallSid": "CA1"})
    assert response.status_code == 403
    written = console_log.getvalue()
    assert "refused" in written and token not in written
