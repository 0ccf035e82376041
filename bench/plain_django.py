"""The second anchor for `core.orm_get_rps`: a plain Django view reading the same partner row by primary key.

The project's settings and database, but no middleware, no DRF, no throttle and no serializer: a URL, a
`.get()` and a JsonResponse. The API's figure over this one is what the platform's request stack keeps.
"""

import os

import django
from django.conf import settings
from django.http import JsonResponse
from django.urls import path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "trustplatform.settings")
django.setup()
settings.MIDDLEWARE = []
settings.ROOT_URLCONF = __name__

from django.core.wsgi import get_wsgi_application  # noqa: E402  (after the settings above)

from trustplatform.partners.models import Partner  # noqa: E402


def healthz(request):
    return JsonResponse({"status": "ok"})


def partner(request, partner_id: int):
    row = Partner.objects.only("id", "name", "kind", "registration_number", "status").get(
        pk=partner_id, status=Partner.Status.APPROVED
    )
    return JsonResponse({"id": row.pk, "name": row.name, "kind": row.kind,
                         "registration_number": row.registration_number_display})


urlpatterns = [
    path("healthz/", healthz),
    path("partners/<int:partner_id>/", partner),
]
application = get_wsgi_application()
