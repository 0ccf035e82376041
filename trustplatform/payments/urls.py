from django.urls import path

from . import webhooks

app_name = "payments"
urlpatterns = [
    path("<str:provider>/", webhooks.payment_webhook, name="webhook"),
]
