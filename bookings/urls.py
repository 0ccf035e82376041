from django.urls import path

from . import views, views_refusals, views_stays

app_name = "bookings"
urlpatterns = [
    path("", views.search, name="search"),
    path("p/<int:property_id>/", views.property_detail, name="property"),
    path("book/<int:room_type_id>/", views.book, name="book"),
    path("bookings/", views.my_bookings, name="my_bookings"),
    path("bookings/<str:code>/", views.booking_detail, name="booking"),
    path("bookings/<str:code>/checkout/<int:payment_id>/", views.checkout, name="checkout"),
    path("bookings/<str:code>/cancel/", views.booking_cancel, name="cancel"),
    path("bookings/<str:code>/swap/", views.case_swap, name="swap"),
    path("bookings/<str:code>/refused/", views_refusals.refusal_report, name="refusal"),
    path("offers/<str:token>/", views.offer, name="offer"),
    path("ical/<str:token>.ics", views.ical_export, name="ical_export"),
    path("bookings/<str:code>/review/", views_stays.review_write, name="review"),
    path("bookings/<str:code>/no-show/", views_stays.no_show_dispute, name="no_show_dispute"),
    path("reviews/<int:review_id>/report/", views_stays.review_report, name="review_report"),
]
