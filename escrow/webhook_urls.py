from django.urls import path

from . import webhooks

app_name = "escrow_webhook"
urlpatterns = [
    path("<str:provider>/", webhooks.payment_webhook, name="payments"),
]
