"""Provider callbacks about the texts we sent: `/hooks/messages/`."""

from django.urls import path

from . import webhooks

app_name = "notifications"
urlpatterns = [
    path("solapi/<str:token>/", webhooks.solapi_report, name="solapi_report"),
]
