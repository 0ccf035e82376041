from django.urls import path

from . import inspector_views, views

app_name = "listings"
urlpatterns = [
    path("", views.search, name="search"),
    path("<int:listing_id>/", views.detail, name="detail"),
    path("<int:listing_id>/report/", views.report, name="report"),
    path("<int:listing_id>/contact/", views.contact, name="contact"),
    path("<int:listing_id>/deposit/", views.deposit, name="deposit"),
    path("<int:listing_id>/wasted-trip/", views.wasted_trip, name="wasted_trip"),
    path("my-reports/", views.my_reports, name="my_reports"),
    path("enquiries/<int:contact_id>/", views.contact_outcome, name="contact_outcome"),
    path("verify/<str:token>/", views.owner_confirm, name="owner_confirm"),
    path("inspections/", inspector_views.queue, name="inspector_queue"),
    path("inspections/<int:inspection_id>/", inspector_views.record, name="inspection"),
]
