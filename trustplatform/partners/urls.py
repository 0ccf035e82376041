from django.urls import path

from . import portal, views

app_name = "partners"
urlpatterns = [
    path("apply/", views.apply, name="apply"),
    path("apply/individual/", views.apply_individual, name="apply_individual"),
    path("apply/individual/sandbox/<str:verification_id>/", views.identity_sandbox, name="identity_sandbox"),
    path("status/", views.status, name="status"),
]

portal_patterns = ([
    path("", portal.dashboard, name="dashboard"),
    path("team/", portal.team, name="team"),
    path("team/<int:membership_id>/", portal.member_detail, name="member"),
    path("switch/<int:partner_id>/", portal.switch, name="switch"),
], "portal")
