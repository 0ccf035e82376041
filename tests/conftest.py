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
