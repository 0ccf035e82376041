"""End-to-end tests: the browser fixtures come from tests/browser.py (loaded by tests/conftest.py)."""

import pytest


@pytest.fixture(autouse=True)
def _celery_eager():
    """Run tasks in-process, as the worker would.

    Transactional tests really commit, so `delay_on_commit` would publish to the shared RabbitMQ
    queue, where tasks naming rows of a flushed test database wait for the next real worker.
    Eager, the SMS is delivered at once through the in-memory backend of tests/conftest.py.
    """
    from trustplatform.celery import app

    before = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = before
