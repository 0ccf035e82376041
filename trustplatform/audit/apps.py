from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "trustplatform.audit"
    label = "audit"
    verbose_name = _("Audit")
    staff_permissions = {"agents": ["view_auditentry"], "finance": ["view_auditentry"]}

    def ready(self) -> None:
        from trustplatform import fsm

        from . import receivers  # noqa: F401  (connects the post_transition receiver)

        fsm.connect()
