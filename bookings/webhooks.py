import logging

from django.conf import settings
from django.http import HttpResponseForbidden, HttpResponseNotFound, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from escrow.providers.payments import SignatureError, get_provider

from .services.payments import payment_event_receive

logger = logging.getLogger(__name__)


@csrf_exempt
@require_POST
def payment_webhook(request, provider: str):
    """Signed PSP events for booking payments: verify → store once → apply. Unsigned or stale: 403."""
    if provider not in settings.PAYMENTS_PROVIDERS:
        return HttpResponseNotFound()
    try:
        event = get_provider(provider).parse_webhook(body=request.body, headers=request.headers)
    except SignatureError as exc:
        logger.warning("booking payment webhook refused: %s", exc)
        return HttpResponseForbidden("invalid signature")
    outcome = payment_event_receive(provider=provider, event=event)
    return JsonResponse({"received": event.event_id, "outcome": outcome})
