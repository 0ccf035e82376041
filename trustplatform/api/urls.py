from django.urls import include, path, re_path

from trustplatform.accounts import api as accounts_api
from trustplatform.partners import api as partners_api

from .views import api_not_found

app_name = "api"
urlpatterns = [
    path("auth/token/", accounts_api.TokenCreateApi.as_view(), name="token"),
    path("me/", accounts_api.MeApi.as_view(), name="me"),
    path("me/phone/", accounts_api.PhoneVerificationStartApi.as_view(), name="phone_start"),
    path("me/phone/verify/", accounts_api.PhoneVerificationConfirmApi.as_view(), name="phone_confirm"),
    path("partners/", partners_api.PartnerListApi.as_view(), name="partners"),
    path("partners/<int:partner_id>/", partners_api.PartnerDetailApi.as_view(), name="partner"),
    path("members/", partners_api.MemberListApi.as_view(), name="members"),
    path("members/<int:membership_id>/", partners_api.MemberDetailApi.as_view(), name="member"),
    path("public/partners/<int:partner_id>/", partners_api.PublicPartnerApi.as_view(),
         name="public_partner"),
    path("masking/", include("masking.api_urls")),
    path("escrow/", include("escrow.api_urls")),
    path("bookings/", include("bookings.api_urls")),
    path("listings/", include("listings.api_urls")),
    path("payments/", include("trustplatform.payments.api_urls")),
    path("regions/", include("trustplatform.regions.urls")),
    # Last: any other path under the API is its JSON 404 (no HTML page, no slash redirect).
    re_path(r"", api_not_found, name="not_found"),
]
