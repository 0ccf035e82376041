from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from trustplatform.accounts.views import language_set
from trustplatform.partners.urls import portal_patterns

from . import views

admin.site.site_header = _("Ansim staff console")
admin.site.site_title = _("Ansim admin")
admin.site.index_title = _("Trust operations")

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz/", views.healthz, name="healthz"),
    path("accounts/", include("trustplatform.accounts.urls")),
    path("partners/", include("trustplatform.partners.urls")),
    path("portal/", include(portal_patterns)),
    path("safe-numbers/", include("masking.urls")),
    path("portal/safe-numbers/", include("masking.portal_urls")),
    path("hooks/telephony/", include("masking.webhook_urls")),
    path("deposits/", include("escrow.urls")),
    path("portal/deposits/", include("escrow.portal_urls")),
    path("hooks/payments/", include("trustplatform.payments.urls")),
    path("payments/", include("trustplatform.payments.page_urls")),
    path("portal/payouts/", include("trustplatform.payments.portal_urls")),
    path("stays/", include("bookings.urls")),
    path("portal/stays/", include("bookings.portal_urls")),
    path("homes/", include("listings.urls")),
    path("portal/listings/", include("listings.portal_urls")),
    path("admin/", admin.site.urls),
    # The language switch also remembers a signed-in person's choice for the notices we send them.
    path("i18n/setlang/", language_set, name="set_language"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", include("trustplatform.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="schema"), name="api-redoc"),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
