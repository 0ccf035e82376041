import os

import pytest
from rest_framework.test import APIClient

from trustplatform.notifications.sms import LocmemSmsBackend

from .factories import MembershipFactory, PartnerFactory, UserFactory
from .race import race

# One set of browser fixtures for every browser test (tests/browser.py).
pytest_plugins = ["tests.browser"]

# Playwright's sync API runs an event loop in the test thread; the ORM calls around it are safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist reads the groups
def pytest_collection_modifyitems(items):
    """Tests that share something costly run in one process, one after another.

    Races (tests.race) hold up to RACE_CONNECTIONS connections each; two at once in parallel
    processes would not fit a stock server's 100, and each would slow the other's threads. The
    embedded smoke tests share one `make run` stack, started once per process that runs them, and
    the engine-parity tests one SQLite subprocess (tests/parity/engine_runner.py).
    """
    for item in items:
        if getattr(getattr(item, "module", None), "race", None) is race:
            item.add_marker(pytest.mark.xdist_group("races"))
        elif item.get_closest_marker("embedded"):
            item.add_marker(pytest.mark.xdist_group("embedded"))
        elif getattr(getattr(item, "module", None), "__name__", "").startswith("tests.parity."):
            item.add_marker(pytest.mark.xdist_group("parity"))


def pytest_configure(config):
    """Refuse --dist loadgroup where it would ignore the groups and run races side by side.

    pytest-xdist up to 3.8 names an item's group in a node id field that pytest 9.2 no longer
    reads (pytest-xdist issue 1386): nothing fails, the groups are silently split.
    """
    if config.getoption("dist", "no") != "loadgroup":
        return
    import xdist

    xdist_version = tuple(int(part) for part in xdist.__version__.split(".")[:2])
    if pytest.version_tuple[:2] >= (9, 2) and xdist_version <= (3, 8):
        raise pytest.UsageError(f"pytest {pytest.__version__} with pytest-xdist {xdist.__version__} ignores "
                                "xdist_group; install requirements-dev.txt (make venv-dev)")


@pytest.fixture(autouse=True)
def _sms_in_memory(settings):
    settings.SMS_BACKEND = "trustplatform.notifications.sms.LocmemSmsBackend"
    LocmemSmsBackend.outbox.clear()
    yield LocmemSmsBackend.outbox


@pytest.fixture(scope="session")
def _private_root(tmp_path_factory):
    return tmp_path_factory.mktemp("private")


@pytest.fixture(autouse=True)
def _private_files_in_tmp(settings, _private_root):
    """Private uploads (evidence, inspection photos) go to a temporary folder, never var/."""
    settings.PRIVATE_MEDIA_ROOT = _private_root


@pytest.fixture(autouse=True)
def _second_factor_on_force_login(monkeypatch):
    """`force_login` skips the login, and with it the admin's second factor: staff who move money get
    a confirmed authenticator and a session that entered its code. (tests/security/
    test_staff_second_factor.py signs in the real way.)"""
    from django.test.client import ClientMixin

    original = ClientMixin.force_login

    def force_login(self, user, backend=None):
        from django_otp import DEVICE_ID_SESSION_KEY
        from django_otp.plugins.otp_totp.models import TOTPDevice

        from trustplatform.accounts.models import User
        from trustplatform.accounts.second_factor import staff_needs_second_factor

        original(self, user, backend)
        # A fresh copy: has_perm caches permissions on the object, and the test may grant more later.
        if staff_needs_second_factor(User.objects.get(pk=user.pk)):
            device = TOTPDevice.objects.filter(user_id=user.pk, confirmed=True).first() or \
                TOTPDevice.objects.create(user_id=user.pk, name="authenticator", confirmed=True)
            session = self.session
            session[DEVICE_ID_SESSION_KEY] = device.persistent_id
            session.save()

    monkeypatch.setattr(ClientMixin, "force_login", force_login)


@pytest.fixture(autouse=True)
def _fresh_cache():
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def consumer(db):
    return UserFactory(full_name="김민지")


@pytest.fixture
def owner_membership(db):
    return MembershipFactory()


@pytest.fixture
def api_client():
    return APIClient()


@pytest.fixture
def make_user(db):
    return UserFactory


@pytest.fixture
def make_partner(db):
    return PartnerFactory


@pytest.fixture
def make_membership(db):
    return MembershipFactory


@pytest.fixture
def portone(settings):
    """The PortOne provider against a local fake of its API (tests/fakes/portone.py), with the real SDK
    pointed at it."""
    from tests.fakes import portone as fake_portone
    from trustplatform.payments import portone as portone_provider

    fake = fake_portone.FakePortOne().start()
    settings.PAYMENTS_PROVIDER = "portone"
    settings.PORTONE_API_URL = fake.url
    settings.PORTONE_API_SECRET = fake_portone.API_SECRET
    settings.PORTONE_STORE_ID = fake_portone.STORE_ID
    settings.PORTONE_CHANNEL_KEY_CARD = "channel-key-card-test"
    settings.PORTONE_CHANNEL_KEY_VIRTUAL_ACCOUNT = "channel-key-va-test"
    settings.PORTONE_WEBHOOK_SECRET = fake_portone.WEBHOOK_SECRET
    settings.PORTONE_PLATFORM_CONTRACT_ID = "contract-test"
    settings.PORTONE_TIMEOUT_SECONDS = 1
    fake.timeout_seconds = 2  # a "timeout" fault answers after the client gave up
    portone_provider._clients.cache_clear()
    yield fake
    fake.stop()
    portone_provider._clients.cache_clear()


@pytest.fixture
def settled(monkeypatch, django_capture_on_commit_callbacks):
    """`with settled():` runs what waits for the commit as the block ends (refunds are sent to the
    payment company then), and the sandbox's signed webhooks are applied at once, as the webhook view
    applies them, instead of by a worker a moment later."""
    from trustplatform.payments import services as payments
    from trustplatform.payments.providers import SandboxProvider

    def deliver(body: bytes, headers: dict) -> None:
        event = SandboxProvider().parse_webhook(body=body, headers=headers)
        payments.provider_event_receive(provider="sandbox", event=event)

    monkeypatch.setattr(SandboxProvider, "_deliver", staticmethod(deliver))
    return lambda: django_capture_on_commit_callbacks(execute=True)
