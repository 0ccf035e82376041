"""One verified webhook route per payment provider: `/hooks/payments/<provider>/`."""

import logging

from django.conf import settings
from django.http import HttpResponseForbidden, HttpResponseNotFound, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from .providers import SignatureError, get_provider
from .services import provider_event_receive

logger = logging.getLogger(__name__)


@csrf_exempt
@require_POST
def payment_webhook(request, provider: str):
    """Verify the provider's signature, then store the event once and apply it. Unknown providers get
    404; unsigned or stale requests 403 and change nothing."""
    if provider not in settings.PAYMENTS_PROVIDERS:
        return HttpResponseNotFound()
    try:
        event = get_provider(provider).parse_webhook(body=request.body, headers=request.headers)
    except SignatureError as exc:
        logger.warning("payment webhook refused: %s", exc)
        return HttpResponseForbidden("invalid signature")
    outcome = provider_event_receive(provider=provider, event=event)
    return JsonResponse({"received": event.event_id, "outcome": outcome})
