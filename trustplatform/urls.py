from csp.decorators import csp_update
from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView

from trustplatform.accounts.views import language_set
from trustplatform.partners.urls import portal_patterns

from . import admin_dashboards, views

admin.site.site_header = _("Ansim staff console")
admin.site.site_title = _("Ansim admin")
admin.site.index_title = _("Trust operations")

urlpatterns = [
    # The machine-facing paths first: Django tries the patterns in order, and these carry the most calls.
    path("hooks/telephony/", include("masking.webhook_urls")),
    path("hooks/payments/", include("trustplatform.payments.urls")),
    path("hooks/messages/", include("trustplatform.notifications.urls")),
    path("api/v1/", include("trustplatform.api.urls")),
    path("", views.home, name="home"),
    path("healthz/", views.healthz, name="healthz"),
    path("accounts/", include("trustplatform.accounts.urls")),
    path("partners/", include("trustplatform.partners.urls")),
    path("portal/", include(portal_patterns)),
    path("safe-numbers/", include("masking.urls")),
    path("portal/safe-numbers/", include("masking.portal_urls")),
    path("deposits/", include("escrow.urls")),
    path("portal/deposits/", include("escrow.portal_urls")),
    path("payments/", include("trustplatform.payments.page_urls")),
    path("portal/payouts/", include("trustplatform.payments.portal_urls")),
    path("stays/", include("bookings.urls")),
    path("portal/stays/", include("bookings.portal_urls")),
    path("help/", include("trustplatform.support.urls")),
    path("homes/", include("listings.urls")),
    path("portal/listings/", include("listings.portal_urls")),
    # The staff dashboards: charts the apps register from their admin modules (admin_dashboards.py).
    path("admin/dashboards/", admin.site.admin_view(admin_dashboards.dashboards_view),
         name="admin_dashboards"),
    path("admin/", admin.site.urls),
    # The language switch also remembers a signed-in person's choice for the notices we send them.
    path("i18n/setlang/", language_set, name="set_language"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # Pages without inline code (the Content-Security-Policy allows none): the split Swagger view
    # serves its start-up script as a file of its own.
    # Swagger UI's stylesheet draws its icons as data: SVG images: allowed on its page alone.
    path("api/docs/", csp_update({"img-src": ["'self'", "data:"]})(
        SpectacularSwaggerSplitView.as_view(url_name="schema", template_name="api/swagger_ui.html")),
        name="api-docs"),
    # Redoc styles itself with inline <style> elements: allowed on its page alone (scripts stay 'self').
    path("api/redoc/", csp_update({"style-src": ["'self'", "'unsafe-inline'"]})(
        SpectacularRedocView.as_view(url_name="schema", template_name="api/redoc.html")), name="api-redoc"),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    # Public, re-encoded photos only: private files live under PRIVATE_MEDIA_ROOT, which no URL serves.
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
