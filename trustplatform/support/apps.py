from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupportConfig(AppConfig):
    name = "trustplatform.support"
    label = "support"
    verbose_name = _("Customer questions")
    # Agents work the queue of consumers' questions: assign, answer, close.
    staff_permissions = {
        "agents": ["answer_inquiry", "view_inquiry", "change_inquiry", "view_inquirymessage"],
    }
