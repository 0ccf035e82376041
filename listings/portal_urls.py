from django.urls import path

from . import portal, portal_badge

app_name = "listings_portal"
urlpatterns = [
    path("", portal.listing_list, name="list"),
    path("new/", portal.listing_create, name="create"),
    path("<int:listing_id>/", portal.listing_detail, name="detail"),
    path("<int:listing_id>/edit/", portal.listing_edit, name="edit"),
    path("<int:listing_id>/publish/", portal.listing_publish, name="publish"),
    path("<int:listing_id>/close/", portal.listing_close, name="close"),
    path("<int:listing_id>/refresh/", portal.listing_refresh, name="refresh"),
    path(
        "<int:listing_id>/enquiries/<int:contact_id>/answer/", portal.contact_answer, name="contact_answer"
    ),
    path("<int:listing_id>/photos/", portal.photo_add, name="photo_add"),
    path("<int:listing_id>/photos/<int:photo_id>/delete/", portal.photo_remove, name="photo_remove"),
    path("<int:listing_id>/verify/", portal.verification_request, name="verify"),
    path("reports/", portal.report_list, name="reports"),
    path("reports/<int:report_id>/", portal.report_detail, name="report"),
    path("strikes/", portal.strike_list, name="strikes"),
    path("badge/", portal_badge.badge, name="badge"),
    path("strikes/<int:strike_id>/appeal/", portal.appeal, name="appeal"),
    path(
        "strikes/<int:strike_id>/appeal/evidence/<int:evidence_id>/",
        portal.appeal_evidence,
        name="appeal_evidence",
    ),
    path("landlord/", portal.landlord_homes, name="landlord"),
    path("landlord/<int:listing_id>/unlink/", portal.landlord_unlink, name="landlord_unlink"),
]
