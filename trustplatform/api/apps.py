from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    """What every app's API shares: errors, scoping, throttling and Idempotency-Key requests."""

    name = "trustplatform.api"
    label = "api"
    verbose_name = _("API")

    def ready(self):
        from . import schema  # noqa: F401  (registers the schema extension of InputSerializer)
