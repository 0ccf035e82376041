"""What businesses start: status texts to the consumer and click-to-call.

The request stores an Interaction and returns; a task talks to the provider after commit, so
no network call ever runs inside a transaction.
"""

import logging

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from trustplatform.partners.roles import PartnerAction

from .. import limits
from ..errors import MaskingConflict, MaskingError
from ..models import Interaction, MaskedSession, Participant
from ..providers import ProviderError, get_provider
from .sessions import partner_side_require, session_audit_note

logger = logging.getLogger(__name__)

Outcome = Interaction.Outcome
MAX_STATUS_TEXT = 300


def _usable(session: MaskedSession) -> None:
    now = timezone.now()
    if not (session.status == MaskedSession.Status.OPEN and session.opens_at <= now < session.expires_at):
        raise MaskingConflict(_("This safe number is no longer in use."), code="session_closed")


def _side(session: MaskedSession, side: str) -> Participant:
    return next(p for p in session.participants.all() if p.side == side)


def status_text_send(*, session: MaskedSession, body: str, actor=None) -> Interaction:
    """Queue a status text ("delivered", a check-in code) to the consumer's real number."""
    partner_side_require(session=session, actor=actor, action=PartnerAction.SAFE_NUMBER_USE)
    body = body.strip()
    if not body or len(body) > MAX_STATUS_TEXT:
        raise MaskingError(_("Write a text of 1 to %(n)s characters.") % {"n": MAX_STATUS_TEXT},
                           code="invalid_body", fields={"body": [_("1 to 300 characters.")]})
    _usable(session)
    if not limits.counters_hit({f"session:{session.pk}:texts": settings.MASKING_TEXTS_PER_SESSION_HOUR}):
        raise MaskingError(_("Too many texts in this session; try again later."), code="rate_limited",
                           status=429)
    from ..tasks import status_text_deliver

    with transaction.atomic():
        text = Interaction.objects.create(
            provider=get_provider().name, kind=Interaction.Kind.STATUS_TEXT, inbound=False, session=session,
            caller=_side(session, Participant.Side.BUSINESS),
            callee=_side(session, Participant.Side.CONSUMER),
            outcome=Outcome.QUEUED, body=body, created_by=actor)
        session_audit_note(session=session, action="status_text", actor=actor, extra={"interaction": text.pk})
        status_text_deliver.delay_on_commit(text.pk)
    return text


def _claim(interaction_id: int, kind: str) -> Interaction | None:
    """Claimed with a conditional UPDATE: of two runs of one task, one does the work."""
    if not Interaction.objects.filter(pk=interaction_id, kind=kind, outcome=Outcome.QUEUED).update(
            outcome=Outcome.SENDING, updated_at=timezone.now()):
        return None
    return Interaction.objects.select_related("session__partner", "caller__proxy_number",
                                              "callee__proxy_number").get(pk=interaction_id)


def _fail(interaction: Interaction, why: str) -> bool:
    Interaction.objects.filter(pk=interaction.pk).update(outcome=Outcome.FAILED)
    logger.warning("masking %s %s failed: %s", interaction.kind, interaction.pk, why)
    return False


def status_text_deliver(*, interaction_id: int) -> bool:
    """Send a queued status text; False when already handled or no longer possible."""
    text = _claim(interaction_id, Interaction.Kind.STATUS_TEXT)
    if text is None:
        return False
    if not text.callee.phone:
        return _fail(text, "the number was erased")
    sender_name = text.session.partner.name if text.session.partner else _("Ansim")
    try:
        sid = get_provider().message_send(to=text.callee.phone, sender=settings.MASKING_STATUS_SENDER,
                                          body=f"[{sender_name}] {text.body}")
    except ProviderError as exc:
        return _fail(text, str(exc))
    Interaction.objects.filter(pk=text.pk).update(outcome=Outcome.SENT, sid=sid)
    return True


def click_to_call_start(*, session: MaskedSession, actor=None) -> Interaction:
    """Ring the business; when they answer, the bridge webhook connects them to the consumer."""
    partner_side_require(session=session, actor=actor, action=PartnerAction.SAFE_NUMBER_USE)
    _usable(session)
    if not session.allows(MaskedSession.Mode.VOICE):
        raise MaskingConflict(_("This session takes texts only."), code="wrong_mode")
    if not limits.counters_hit({f"session:{session.pk}:calls": settings.MASKING_CALLS_PER_SESSION_HOUR}):
        raise MaskingError(_("Too many calls in this session; try again later."), code="rate_limited",
                           status=429)
    from ..tasks import click_to_call_place

    with transaction.atomic():
        call = Interaction.objects.create(
            provider=get_provider().name, kind=Interaction.Kind.CLICK_TO_CALL, inbound=False, session=session,
            caller=_side(session, Participant.Side.BUSINESS),
            callee=_side(session, Participant.Side.CONSUMER),
            outcome=Outcome.QUEUED, created_by=actor)
        session_audit_note(session=session, action="click_to_call", actor=actor,
                           extra={"interaction": call.pk})
        click_to_call_place.delay_on_commit(call.pk)
    return call


def click_to_call_place(*, interaction_id: int) -> bool:
    """Ask the provider to ring the business, showing them their own proxy number."""
    call = _claim(interaction_id, Interaction.Kind.CLICK_TO_CALL)
    if call is None:
        return False
    business = call.caller
    if not business.phone:
        return _fail(call, "the number was erased")
    answer_url = settings.SITE_URL + reverse("masking_webhook:bridge", args=[call.public_id])
    try:
        sid = get_provider().call_create(to=business.phone, caller_id=business.proxy_number.e164,
                                         answer_url=answer_url)
    except ProviderError as exc:
        return _fail(call, str(exc))
    Interaction.objects.filter(pk=call.pk).update(outcome=Outcome.RINGING, sid=sid)
    return True
