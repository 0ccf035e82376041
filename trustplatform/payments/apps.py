from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PaymentsConfig(AppConfig):
    """One payments module: apps open payments for their subjects and register a handler per subject
    model for what happens when one is paid, fails or is refunded."""

    name = "trustplatform.payments"
    label = "payments"
    verbose_name = _("Payments")
    # Finance reads payments, refunds, payouts and the providers' events.
    staff_permissions = {
        "finance": ["view_payment", "view_refund", "view_payout", "view_providerevent"],
    }
