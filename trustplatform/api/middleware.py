"""Every /api/v1/ error is JSON `{"code", "detail", "fields"}`, even one no API view answered.

The exception handler shapes what DRF views refuse; this catches the rest, such as a bug's 500 (logged by
Django as usual, then answered in the API's shape instead of an HTML page).
"""

from django.http import JsonResponse
from django.utils.translation import gettext as _

API_PREFIX = "/api/v1/"

_CODES = {
    400: "malformed_request",
    403: "permission_denied",
    404: "not_found",
    405: "method_not_allowed",
    413: "request_too_large",
    429: "rate_limited",
}


def _detail(status: int) -> str:
    if status >= 500:
        return _("Something went wrong on our side; it was logged. Try again later.")
    if status == 413:
        return _("The request is too large.")
    return _("The request could not be served.")


class ApiErrorShapeMiddleware:
    """Replace a non-JSON error answer under API_PREFIX with the API's shape, keeping its status."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            response.status_code >= 400
            and request.path_info.startswith(API_PREFIX)
            and not response.get("Content-Type", "").startswith("application/json")
        ):
            status = response.status_code
            code = "server_error" if status >= 500 else _CODES.get(status, "error")
            return JsonResponse({"code": code, "detail": _detail(status), "fields": {}}, status=status)
        return response
