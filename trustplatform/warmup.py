"""What a web process loads once, as it starts, instead of during its first requests.

Without it each new worker's first requests import every view module and the payment provider's SDK
and open its clients (about a second of CPU with PortOne), build the URL reverse tables per language
and finalize the Celery app: a request that lands there waits, and so does every request queued
behind it.
"""

import logging

from django.conf import settings
from django.db import connections
from django.urls import get_resolver
from django.utils import translation

logger = logging.getLogger(__name__)


def web_process_warm() -> None:
    """Import the URL conf (and with it every view), build its reverse tables in each language, load
    every task, and open the enabled payment providers' clients."""
    from trustplatform.celery import app
    from trustplatform.payments.providers import get_provider, provider_enabled

    resolver = get_resolver()
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            resolver.reverse_dict  # noqa: B018 (built on first access, per language)
    app.loader.import_default_modules()  # every app's tasks.py
    app.finalize(auto=True)
    for name in settings.PAYMENTS_PROVIDERS:
        if provider_enabled(name):
            get_provider(name).warm()
    # Nothing here may be shared with the workers a preloading master forks: they open their own.
    connections.close_all()


def web_process_connect() -> None:
    """In a worker forked from a preloaded master, before its first request: open its database connection
    and its broker connection, so that the first requests do not pay for them. A failure is only logged:
    the connections are opened on first use anyway."""
    from trustplatform.celery import app

    try:
        connections["default"].ensure_connection()
        broker = app.pool.acquire(block=True)  # the pool the task producers take their connection from
        try:
            broker.ensure_connection(max_retries=1)
        finally:
            broker.release()
    except Exception:  # noqa: BLE001 (a start-up nicety, never a reason not to start)
        logger.warning("a web process could not open its connections before its first request", exc_info=True)
