import os

import pytest
from rest_framework.test import APIClient

from trustplatform.notifications.sms import LocmemSmsBackend

from .factories import MembershipFactory, PartnerFactory, UserFactory

# One set of browser fixtures for every browser test (tests/browser.py).
pytest_plugins = ["tests.browser"]

# Playwright's sync API runs an event loop in the test thread; the ORM calls around it are safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


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
