import logging

from django.conf import settings
from django.http import HttpResponseForbidden, HttpResponseNotFound, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from .providers.payments import SignatureError, get_provider
from .services.payments import provider_event_receive

logger = logging.getLogger(__name__)


def signed_event_view(receive, *, what: str):
    """A provider's webhook view: verify the signature, then `receive(provider=, event=)` stores the event
    once and applies it. Unknown providers get 404; unsigned or stale requests 403 and change nothing."""

    @csrf_exempt
    @require_POST
    def view(request, provider: str):
        if provider not in settings.PAYMENTS_PROVIDERS:
            return HttpResponseNotFound()
        try:
            event = get_provider(provider).parse_webhook(body=request.body, headers=request.headers)
        except SignatureError as exc:
            logger.warning("%s webhook refused: %s", what, exc)
            return HttpResponseForbidden("invalid signature")
        outcome = receive(provider=provider, event=event)
        return JsonResponse({"received": event.event_id, "outcome": outcome})

    return view


payment_webhook = signed_event_view(provider_event_receive, what="payment")
