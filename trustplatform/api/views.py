"""The answer for every /api/v1/ path that names no operation: a JSON 404, never Django's page."""

from django.http import JsonResponse
from django.urls import Resolver404, resolve
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt


def _names_an_operation(path: str) -> bool:
    try:
        return resolve(path).func is not api_not_found
    except Resolver404:
        return False


@csrf_exempt  # an unknown route is a 404 whatever the method, not a CSRF refusal
def api_not_found(request):
    detail = _("There is no such API route.")
    if not request.path_info.endswith("/") and _names_an_operation(f"{request.path_info}/"):
        # Said, not redirected: a redirect would drop the body of a POST.
        detail = _("There is no such API route; did you mean %(path)s?") % {"path": f"{request.path}/"}
    return JsonResponse({"code": "not_found", "detail": detail, "fields": {}}, status=404)
