from django.urls import path

from . import portal, portal_calendar, portal_refusals, portal_stays

app_name = "bookings_portal"
urlpatterns = [
    path("", portal.dashboard, name="dashboard"),
    path("properties/new/", portal.property_edit, name="property_new"),
    path("properties/<int:property_id>/", portal.property_edit, name="property"),
    path("properties/<int:property_id>/photos/", portal.photo_add, name="photo_add"),
    path("properties/<int:property_id>/rooms/new/", portal.room_type_edit, name="room_type_new"),
    path("properties/<int:property_id>/rooms/<int:room_type_id>/", portal.room_type_edit, name="room_type"),
    path("rooms/<int:room_type_id>/calendar/", portal_calendar.calendar, name="calendar"),
    path("bookings/", portal.bookings, name="bookings"),
    path("bookings/<str:code>/", portal.booking_detail, name="booking"),
    path("feeds/", portal.feeds, name="feeds"),
    path("feeds/<int:feed_id>/import/", portal.feed_import, name="feed_import"),
    path("conflicts/<int:conflict_id>/", portal.conflict, name="conflict"),
    path("guarantee/", portal_refusals.refusals_list, name="refusals"),
    path("guarantee/<int:case_id>/", portal_refusals.refusal, name="refusal"),
    path("bookings/<str:code>/stay/", portal_stays.stay_mark, name="stay_mark"),
    path("reviews/", portal_stays.review_list, name="reviews"),
    path("reviews/<int:review_id>/answer/", portal_stays.review_answer, name="review_answer"),
    path("reviews/<int:review_id>/report/", portal_stays.review_report, name="review_report"),
]
