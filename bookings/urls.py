from django.urls import path

from . import views

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
    path("offers/<str:token>/", views.offer, name="offer"),
    path("ical/<str:token>.ics", views.ical_export, name="ical_export"),
]
