import pytest


@pytest.fixture(autouse=True)
def _bookings_settings(settings):
    settings.BOOKINGS_FEED_ALLOW_PRIVATE = True  # tests serve feeds from 127.0.0.1
    settings.BOOKINGS_MIN_REVIEWS = 20


@pytest.fixture(autouse=True)
def _english():
    """Messages are checked in English; the Korean catalog is the translators' (pages default to Korean)."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def eager_tasks():
    """Run Celery tasks in-process (for tests that do not start a real worker)."""
    from trustplatform.celery import app

    before = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = before
