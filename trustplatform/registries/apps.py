from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistriesConfig(AppConfig):
    name = "trustplatform.registries"
    label = "registries"
    verbose_name = _("Registries")
    # Agents keep the sandbox registry (they add a lien to show a release stopping).
    staff_permissions = {"agents": ["view_sandboxregistryrecord", "change_sandboxregistryrecord"]}
