from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _


def lockout_response(request, original_response=None, credentials=None):
    """What a locked-out login sees: a page for people, the API's error shape for machines."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    detail = _("Too many failed logins: logging in to this account is paused for %(minutes)s minutes.") % {
        "minutes": minutes}
    if request.path.startswith("/api/"):
        return JsonResponse({"code": "locked_out", "detail": detail, "fields": {}}, status=429)
    return render(request, "accounts/locked_out.html", {"minutes": minutes}, status=429)
