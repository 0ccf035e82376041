from django.urls import path

from . import api

app_name = "payments_api"
urlpatterns = [
    path("credit/", api.CreditApi.as_view(), name="credit"),
    path("credit/account/", api.CreditAccountApi.as_view(), name="credit_account"),
    path("credit/withdraw/", api.CreditWithdrawApi.as_view(), name="credit_withdraw"),
    path("partner/payouts/", api.PartnerPayoutsApi.as_view(), name="partner_payouts"),
    path("partner/payout-account/", api.PartnerPayoutAccountApi.as_view(), name="partner_payout_account"),
]
