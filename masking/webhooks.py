"""Telephony webhooks: check the signature against the public URL, then let a service answer.

Nothing here decides routing. A refusal to connect is a 200 with polite TwiML (never a 429 to the
telco); only unsigned, tampered or replayed requests get 403, and those change nothing.
"""

import logging

from django.conf import settings
from django.http import HttpResponse, HttpResponseBadRequest, HttpResponseForbidden
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from . import services, twiml
from .models import Interaction
from .providers import get_provider
from .providers.base import SIGNATURE_HEADER, SIGNATURE_SETTINGS_HEADER

logger = logging.getLogger(__name__)

XML = "application/xml; charset=utf-8"


def _signed(request) -> bool:
    # Behind a proxy request.build_absolute_uri() sees the inner URL; the provider signed the public one.
    url = settings.SITE_URL + request.get_full_path()
    return get_provider().request_is_valid(url=url, params=request.POST,
                                           signature=request.META.get(SIGNATURE_HEADER, ""),
                                           settings_header=request.META.get(SIGNATURE_SETTINGS_HEADER, ""))


def _refused(request, why: str) -> HttpResponseForbidden:
    # The route's name, not its path: a bridge's path holds the call's token.
    route = request.resolver_match.url_name if request.resolver_match else "?"
    logger.warning("telephony webhook %s refused: %s", route, why)
    return HttpResponseForbidden(why, content_type="text/plain; charset=utf-8")


def _inbound(request, kind: str, sid_field: str) -> HttpResponse:
    if not _signed(request):
        return _refused(request, "bad or missing signature")
    sid, caller, proxy = (request.POST.get(name, "") for name in (sid_field, "From", "To"))
    if not sid or not proxy:
        return HttpResponseBadRequest(f"{sid_field} and To are required", content_type="text/plain")
    event = services.InboundEvent(
        provider=get_provider().name, sid=sid[:64], kind=kind, caller=caller, proxy=proxy,
        body=request.POST.get("Body", ""), digest=services.request_digest(dict(request.POST.lists())))
    try:
        answer = services.inbound_answer(event=event)
    except services.WebhookRefused as exc:
        return _refused(request, exc.code)
    return HttpResponse(answer, content_type=XML)


@csrf_exempt
@require_POST
def voice(request):
    return _inbound(request, Interaction.Kind.CALL, "CallSid")


@csrf_exempt
@require_POST
def sms(request):
    return _inbound(request, Interaction.Kind.TEXT, "MessageSid")


@csrf_exempt
@require_POST
def bridge(request, token):
    if not _signed(request):
        return _refused(request, "bad or missing signature")
    try:
        answer = services.bridge_answer(provider=get_provider().name, token=token,
                                        sid=request.POST.get("CallSid", ""),
                                        digest=services.request_digest(dict(request.POST.lists())))
    except services.WebhookRefused as exc:
        return _refused(request, exc.code)
    return HttpResponse(answer, content_type=XML)


@csrf_exempt
@require_POST
def fallback(request):
    """The numbers' fallback URL, which Twilio asks when the webhook answered 5xx or too late (load
    shedding, trustplatform/overload.py): a fixed, polite answer that reads and writes nothing, so it
    holds under the load that made the webhook fail. A call hears that it cannot be connected now; a
    text gets no reply (a reply costs money and tells a stranger the number is live)."""
    if request.POST.get("CallSid"):
        return HttpResponse(twiml.voice_refuse(twiml.busy()), content_type=XML)
    return HttpResponse(twiml.empty_text(), content_type=XML)
