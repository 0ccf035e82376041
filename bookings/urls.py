from django.urls import path

from . import views, webhooks

app_name = "bookings"
urlpatterns = [
    path("hooks/payments/<str:provider>/", webhooks.payment_webhook, name="payment_webhook"),
]
