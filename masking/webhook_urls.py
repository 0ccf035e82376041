from django.urls import path

from . import webhooks

app_name = "masking_webhook"
urlpatterns = [
    path("voice/", webhooks.voice, name="voice"),
    path("sms/", webhooks.sms, name="sms"),
    path("fallback/", webhooks.fallback, name="fallback"),
    path("bridge/<uuid:token>/", webhooks.bridge, name="bridge"),
]
