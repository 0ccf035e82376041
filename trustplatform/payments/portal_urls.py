from django.urls import path

from . import portal

app_name = "payments_portal"
urlpatterns = [
    path("", portal.payout_list, name="payouts"),
]
