from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "trustplatform.notifications"
    label = "notifications"
    verbose_name = _("Notifications")
    staff_permissions = {"agents": ["view_notification", "view_outboundmessage", "view_deliveryreport"]}

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers the settings checks)
