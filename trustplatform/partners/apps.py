from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartnersConfig(AppConfig):
    name = "trustplatform.partners"
    label = "partners"
    verbose_name = _("Partners")
    # Agents decide partner applications; inspectors and finance need to see who a partner is.
    staff_permissions = {
        "agents": ["view_partner", "change_partner", "decide_partner", "view_membership"],
        "inspectors": ["view_partner", "view_membership"],
        "finance": ["view_partner"],
    }

    def ready(self):
        from .agenda import agenda_discover

        agenda_discover()  # each app's `agenda` module registers what the portal home lists
