from django.urls import path

from .api import guest, partner, refusals
from .api import reviews as review_api
from .api import stays as stay_api

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
    path("partner/cases/", refusals.BookingsPartnerCaseListApi.as_view(), name="partner_cases"),
    path(
        "partner/cases/<int:case_id>/confirm/",
        refusals.BookingsPartnerCaseConfirmApi.as_view(),
        name="partner_case_confirm",
    ),
    path(
        "partner/cases/<int:case_id>/contest/",
        refusals.BookingsPartnerCaseContestApi.as_view(),
        name="partner_case_contest",
    ),
    path("<str:code>/", guest.BookingsDetailApi.as_view(), name="detail"),
    path("<str:code>/cancel/", guest.BookingsCancelApi.as_view(), name="cancel"),
    path("<str:code>/case/", guest.BookingsCaseApi.as_view(), name="case"),
    path("<str:code>/case/swap/", guest.BookingsCaseSwapApi.as_view(), name="case_swap"),
    path("<str:code>/case/report/", refusals.BookingsCaseReportApi.as_view(), name="case_report"),
]

# The end of a stay and reviews (their paths never match the booking-code routes above).
urlpatterns += [
    path("partner/bookings/<str:code>/check-in/", stay_api.BookingsPartnerCheckInApi.as_view(),
         name="partner_check_in"),
    path("partner/bookings/<str:code>/check-out/", stay_api.BookingsPartnerCheckOutApi.as_view(),
         name="partner_check_out"),
    path("partner/bookings/<str:code>/no-show/", stay_api.BookingsPartnerNoShowApi.as_view(),
         name="partner_no_show"),
    path("partner/reviews/", review_api.BookingsPartnerReviewListApi.as_view(), name="partner_reviews"),
    path("partner/reviews/<int:review_id>/answer/", review_api.BookingsPartnerReviewAnswerApi.as_view(),
         name="partner_review_answer"),
    path("partner/reviews/<int:review_id>/report/", review_api.BookingsPartnerReviewReportApi.as_view(),
         name="partner_review_report"),
    path("properties/<int:property_id>/reviews/", review_api.BookingsPropertyReviewListApi.as_view(),
         name="property_reviews"),
    path("reviews/<int:review_id>/report/", review_api.BookingsReviewReportApi.as_view(),
         name="review_report"),
    path("<str:code>/review/", review_api.BookingsReviewApi.as_view(), name="review"),
    path("<str:code>/no-show-dispute/", stay_api.BookingsNoShowDisputeApi.as_view(), name="no_show_dispute"),
]
