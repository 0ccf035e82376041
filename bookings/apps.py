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
            "view_roomtype", "view_calendarfeed", "view_conflict", "view_guestflag", "change_guestflag",
            # No-show disputes and reported reviews (stays' end, reviews).
            "decide_noshowdispute", "view_noshowdispute", "moderate_review", "view_review",
            "view_reviewreport",
        ],
        "finance": ["view_booking", "view_guaranteecase"],
    }

    def ready(self) -> None:
        from masking.services import session_scrubbed
        from trustplatform.payments.handlers import handler_register

        from .services.payments import BookingPayments

        handler_register(BookingPayments())
        _questions_about_bookings()
        session_scrubbed.connect(_guest_phone_erase, dispatch_uid="bookings.guest_phone_erase")


def _questions_about_bookings() -> None:
    """A guest may ask the agents' team about one of their own stays."""
    from trustplatform.support.subjects import InquirySubject, subject_register

    from .selectors import guest_bookings

    subject_register(InquirySubject(kind="booking", label=_("Stays"), category="stay", mine=guest_bookings))


def _guest_phone_erase(sender, *, session_id: int, **kwargs) -> None:
    from .services.common import guest_phone_erase

    guest_phone_erase(session_id=session_id)
