"""SOLAPI's delivery reports: `/hooks/messages/solapi/<token>/`.

SOLAPI does not sign the reports it posts (its webhook settings take a URL and nothing to verify a
request by), so a report is taken only at a URL holding a secret token, SOLAPI_WEBHOOK_TOKEN, compared
in constant time, and, when SOLAPI_WEBHOOK_SOURCES lists them, only from SOLAPI's addresses. What a
report may change is little: a text's delivery state, and at most a bounded resend of our own text.
"""

import hmac
import ipaddress
import logging

from django.conf import settings
from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from trustplatform.api.throttling import client_ip

from .delivery import delivery_report_receive
from .solapi import ReportInvalid, SolapiSmsBackend, reports_parse

logger = logging.getLogger(__name__)


def _refused(status: int, code: str, detail: str) -> JsonResponse:
    logger.warning("SOLAPI report refused: %s", code)
    return JsonResponse({"code": code, "detail": detail, "fields": {}}, status=status)


def _token_valid(token: str) -> bool:
    expected = settings.SOLAPI_WEBHOOK_TOKEN
    return bool(expected) and hmac.compare_digest(token.encode(), expected.encode())


def _source_allowed(address: str) -> bool:
    if not settings.SOLAPI_WEBHOOK_SOURCES:
        return True
    try:
        caller = ipaddress.ip_address(address)
    except ValueError:
        return False
    sources = settings.SOLAPI_WEBHOOK_SOURCES
    return any(caller in ipaddress.ip_network(source, strict=False) for source in sources)


@csrf_exempt
@require_POST
def solapi_report(request, token: str):
    """Check the token and the caller, then store each report once and apply it. A wrong token or
    source is 403 and changes nothing; a body that is not SOLAPI's reports is 400."""
    if not _token_valid(token):
        return _refused(403, "bad_token", "This address takes no reports.")
    if not _source_allowed(client_ip(request)):
        return _refused(403, "bad_source", "Reports are taken from the provider's addresses only.")
    try:
        reports = reports_parse(request.body)
    except ReportInvalid as exc:
        return _refused(400, "invalid_report", str(exc))
    provider = SolapiSmsBackend.provider
    outcomes = [delivery_report_receive(provider=provider, report=report) for report in reports]
    return JsonResponse({"received": len(outcomes), "outcomes": outcomes})
