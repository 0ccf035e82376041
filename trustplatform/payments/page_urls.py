from django.urls import path

from . import views

app_name = "payments_pages"
urlpatterns = [
    path("<int:payment_id>/sync/", views.payment_sync_view, name="sync"),
    path("<int:payment_id>/status/", views.payment_status_view, name="status"),
    path("credit/", views.credit_view, name="credit"),
    path("refunds/<int:refund_id>/account/", views.refund_account_view, name="refund_account"),
]
