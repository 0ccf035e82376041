"""What a web process loads once, as it starts, instead of during its first requests.

Without it each new worker's first requests import every view module and the payment provider's SDK
and open its clients (about a second of CPU with PortOne), build the URL reverse tables per language
and finalize the Celery app: a request that lands there waits, and so does every request queued
behind it.
"""

from django.conf import settings
from django.urls import get_resolver
from django.utils import translation


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
