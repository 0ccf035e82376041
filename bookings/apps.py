from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BookingsConfig(AppConfig):
    name = "bookings"
    verbose_name = _("Guaranteed bookings")
    # Agents work guarantee cases and see properties, bookings, feeds and conflicts; finance reads
    # bookings and cases (and, from the payments module, their payments).
    staff_permissions = {
        "agents": [
            "work_case", "view_guaranteecase", "change_guaranteecase", "view_guaranteecandidate",
            "view_casenote", "add_casenote", "view_booking", "change_booking", "view_property",
            "view_roomtype", "view_calendarfeed", "view_conflict",
        ],
        "finance": ["view_booking", "view_guaranteecase"],
    }

    def ready(self) -> None:
        from trustplatform.payments.handlers import handler_register

        from .services.payments import BookingPayments

        handler_register(BookingPayments())
