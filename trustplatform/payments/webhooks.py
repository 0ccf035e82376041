"""One verified webhook route per payment provider: `/hooks/payments/<provider>/`."""

import logging

from django.conf import settings
from django.http import HttpResponseForbidden, HttpResponseNotFound, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from .providers import ProviderUnavailable, SignatureError, get_provider, provider_enabled
from .services import provider_event_receive

logger = logging.getLogger(__name__)


@csrf_exempt
@require_POST
def payment_webhook(request, provider: str):
    """Verify the provider's signature, then store the event once and apply it. Providers this server
    does not take get 404; unsigned or stale requests 403 and change nothing. When the provider cannot
    be asked what the event means (a timeout, a 5xx), the answer is 503 and nothing is stored: the
    provider sends the event again."""
    if provider not in settings.PAYMENTS_PROVIDERS or not provider_enabled(provider):
        return HttpResponseNotFound()
    try:
        event = get_provider(provider).parse_webhook(body=request.body, headers=request.headers)
    except SignatureError as exc:
        logger.warning("payment webhook refused: %s", exc)
        return HttpResponseForbidden("invalid signature")
    try:
        outcome = provider_event_receive(provider=provider, event=event)
    except ProviderUnavailable as exc:
        logger.warning("payment webhook %s deferred: %s", event.event_id, exc)
        return JsonResponse({"received": event.event_id, "retry": True}, status=503)
    return JsonResponse({"received": event.event_id, "outcome": outcome})
