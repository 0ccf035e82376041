from django.urls import path

from .api import guest, partner

app_name = "bookings_api"
urlpatterns = [
    path("search/", guest.BookingsSearchApi.as_view(), name="search"),
    path(
        "properties/<int:property_id>/availability/",
        guest.BookingsAvailabilityApi.as_view(),
        name="availability",
    ),
    path("", guest.BookingsListCreateApi.as_view(), name="bookings"),
    path("offers/<str:token>/accept/", guest.BookingsOfferAcceptApi.as_view(), name="offer_accept"),
    path("partner/bookings/", partner.BookingsPartnerBookingListApi.as_view(), name="partner_bookings"),
    path(
        "partner/bookings/<str:code>/cancel/",
        partner.BookingsPartnerCancelApi.as_view(),
        name="partner_cancel",
    ),
    path(
        "partner/room-types/<int:room_type_id>/calendar/",
        partner.BookingsPartnerCalendarApi.as_view(),
        name="partner_calendar",
    ),
    path("partner/feeds/", partner.BookingsPartnerFeedListApi.as_view(), name="partner_feeds"),
    path(
        "partner/feeds/<int:feed_id>/import/",
        partner.BookingsPartnerFeedImportApi.as_view(),
        name="partner_feed_import",
    ),
    path("partner/conflicts/", partner.BookingsPartnerConflictListApi.as_view(), name="partner_conflicts"),
    path(
        "partner/conflicts/<int:conflict_id>/resolve/",
        partner.BookingsPartnerConflictResolveApi.as_view(),
        name="partner_conflict_resolve",
    ),
    path("<str:code>/", guest.BookingsDetailApi.as_view(), name="detail"),
    path("<str:code>/cancel/", guest.BookingsCancelApi.as_view(), name="cancel"),
    path("<str:code>/case/", guest.BookingsCaseApi.as_view(), name="case"),
    path("<str:code>/case/swap/", guest.BookingsCaseSwapApi.as_view(), name="case_swap"),
]
