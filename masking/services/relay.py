"""Answering the telephone network: inbound calls and texts, and the click-to-call bridge.

Nothing in a request chooses where a call goes: the session stored for (proxy number, caller)
names the only person ever dialled. Every event is stored once under (provider, sid).
"""

import functools
import logging
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, IntegrityError, connection, connections, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from trustplatform import pii

from .. import limits, twiml
from ..errors import MaskingError
from ..models import UNROUTED_TRACES, Interaction, MaskedSession, Participant
from ..numbers import caller_normalize
from ..selectors import Route, StoredEvent, inbound_lookup

logger = logging.getLogger(__name__)

Outcome = Interaction.Outcome


class WebhookRefused(MaskingError):
    """Not a request we answer: replayed, or a repeat id carrying different content (403)."""

    status = 403
    code = "webhook_refused"


@dataclass(frozen=True)
class InboundEvent:
    provider: str
    sid: str
    kind: str  # Interaction.Kind.CALL or TEXT
    caller: str  # as the network gave it ("From")
    proxy: str  # the number dialled ("To")
    body: str = ""
    digest: str = ""  # HMAC of every signed parameter


def request_digest(params: dict[str, list[str]]) -> str:
    canonical = "&".join(f"{key}={value}" for key in sorted(params) for value in sorted(params[key]))
    return pii.blind_index(canonical)


def _repeat(existing: Interaction | StoredEvent, digest: str) -> str:
    """A provider's retry gets the first answer; anything else with that id is refused."""
    window = timedelta(seconds=settings.MASKING_WEBHOOK_REPLAY_SECONDS)
    if existing.request_digest != digest or not existing.response:
        raise WebhookRefused(_("This event id was already used for another request."))
    if timezone.now() - existing.created_at > window:
        raise WebhookRefused(_("This request was answered long ago; replays are refused."))
    return existing.response


def _limits(event: InboundEvent, caller_index: str | None, route: Route | None) -> bool:
    kind = "calls" if event.kind == Interaction.Kind.CALL else "texts"
    counters = {}
    if caller_index:
        counters[f"caller:{caller_index}:{kind}"] = getattr(
            settings, f"MASKING_{kind.upper()}_PER_CALLER_HOUR")
    if route is not None:
        counters[f"session:{route.session_id}:{kind}"] = getattr(
            settings, f"MASKING_{kind.upper()}_PER_SESSION_HOUR")
    return limits.counters_hit(counters)


def _decide(event: InboundEvent, route: Route | None, within_limits: bool, now) -> str:
    # Limits first: past them even strangers get no reply (SMS pumping costs money).
    if not within_limits:
        return Outcome.LIMITED
    if route is None or not route.usable_at(now):
        return Outcome.NOT_IN_USE
    if route.mode not in (MaskedSession.Mode.BOTH, "voice" if event.kind == "call" else "sms"):
        return Outcome.WRONG_MODE
    if route.blocked:
        return Outcome.BLOCKED
    return Outcome.CONNECTED if event.kind == Interaction.Kind.CALL else Outcome.RELAYED


def _answer(event: InboundEvent, route: Route | None, outcome: str, now) -> str:
    call = event.kind == Interaction.Kind.CALL
    if outcome == Outcome.CONNECTED:
        return twiml.voice_connect(number=route.callee_phone, caller_id=route.callee_proxy,
                                   time_limit_s=int((route.expires_at - now).total_seconds()))
    if outcome == Outcome.RELAYED:
        body = _("[Safe number · %(label)s] %(body)s") % {"label": route.caller_label, "body": event.body}
        return twiml.text_relay(to=route.callee_phone, sender=route.callee_proxy, body=body)
    if outcome == Outcome.LIMITED:
        return twiml.voice_refuse(twiml.too_many()) if call else twiml.empty_text()
    message = {Outcome.BLOCKED: twiml.not_available(),
               Outcome.WRONG_MODE: twiml.wrong_mode(event.kind)}.get(outcome, twiml.not_in_use())
    return twiml.voice_refuse(message) if call else twiml.text_reply(message)


@functools.cache
def _event_insert() -> tuple[list, str]:
    """The event's columns and its INSERT on PostgreSQL, built once per process (the model is fixed)."""
    meta = Interaction._meta
    fields = [field for field in meta.concrete_fields if not field.primary_key]
    quote = connections[DEFAULT_DB_ALIAS].ops.quote_name
    columns = ", ".join(quote(field.column) for field in fields)
    sql = (
        "WITH durability AS (SELECT set_config('synchronous_commit', 'off', true)) "
        f"INSERT INTO {quote(meta.db_table)} ({columns}) "
        f"SELECT {', '.join(['%s'] * len(fields))} FROM durability "
        "ON CONFLICT (provider, sid) DO NOTHING RETURNING id"
    )
    return fields, sql


def _event_store(interaction: Interaction) -> bool:
    """Insert an inbound event once; False if (provider, sid) is already stored.

    On PostgreSQL this is one statement in its own transaction that does not wait for the WAL
    flush: the answer is already decided, and losing the row in a database crash only means a
    provider retry is routed afresh. It is the webhook's only write, so it is worth one round trip.
    """
    if connection.vendor != "postgresql":
        try:
            with transaction.atomic():
                interaction.save(force_insert=True)
        except IntegrityError:
            return False
        return True
    db = connections[DEFAULT_DB_ALIAS]  # the connection itself: each field's preparation reads it
    fields, sql = _event_insert()
    values = [field.get_db_prep_save(field.pre_save(interaction, True), db) for field in fields]
    from trustplatform.postgres.base import prepared_cursor

    with prepared_cursor(connection) as cursor:
        cursor.execute(sql, values)
        row = cursor.fetchone()
    if row is None:
        return False
    interaction.pk = row[0]
    return True


def inbound_answer(*, event: InboundEvent) -> str:
    """Route one inbound call or text and return the TwiML to answer with.

    A repeat of a stored event returns the stored answer and changes nothing; a concurrent
    duplicate loses on the unique (provider, sid) index and returns the winner's answer.
    """
    now = timezone.now()
    caller_e164 = caller_normalize(event.caller)
    caller_index = pii.blind_index(caller_e164) if caller_e164 else None
    existing, route = inbound_lookup(provider=event.provider, sid=event.sid, proxy_e164=event.proxy,
                                     caller_index=caller_index, now=now)
    if existing is not None:
        return _repeat(existing, event.digest)
    within = _limits(event, caller_index, route)
    outcome = _decide(event, route, within, now)
    response = _answer(event, route, outcome, now)
    # Refusals inside a known session stay in its history (and are erased with it).
    routed = route is not None
    stored = _event_store(Interaction(
        provider=event.provider, sid=event.sid, kind=event.kind, inbound=True,
        session_id=route.session_id if routed else None,
        caller_id=route.caller_id if routed else None,
        callee_id=route.callee_id if routed else None,
        caller_hint=pii.mask_phone(caller_e164) if caller_e164 else "",
        outcome=outcome, request_digest=event.digest, response=response,
    ))
    if not stored:
        existing = Interaction.objects.get(provider=event.provider, sid=event.sid)
        return _repeat(existing, event.digest)
    logger.info("masking %s %s -> %s", event.kind, event.sid, outcome)
    return response


def bridge_answer(*, provider: str, token, sid: str, digest: str) -> str:
    """The business picked up a click-to-call: connect them to the consumer of that session."""
    call = (Interaction.objects.select_related("session", "callee__proxy_number")
            .filter(public_id=token, kind=Interaction.Kind.CLICK_TO_CALL, provider=provider).first())
    if call is None or call.sid != sid:
        raise WebhookRefused(_("No click-to-call with this id is ringing."))
    if call.outcome == Outcome.BRIDGED:
        return _repeat(call, digest)
    now = timezone.now()
    session = call.session
    callee: Participant = call.callee
    usable = (call.outcome == Outcome.RINGING and session.status == MaskedSession.Status.OPEN
              and session.opens_at <= now < session.expires_at and callee.phone)
    if not usable:
        Interaction.objects.filter(pk=call.pk, outcome=Outcome.RINGING).update(outcome=Outcome.FAILED)
        return twiml.voice_refuse(twiml.not_in_use())
    response = twiml.voice_connect(number=callee.phone, caller_id=callee.proxy_number.e164,
                                   time_limit_s=int((session.expires_at - now).total_seconds()))
    claimed = Interaction.objects.filter(pk=call.pk, outcome=Outcome.RINGING).update(
        outcome=Outcome.BRIDGED, response=response, request_digest=digest)
    if not claimed:  # a concurrent retry bridged it first
        call.refresh_from_db()
        return _repeat(call, digest)
    return response


def unrouted_hints_drop() -> int:
    """The sweep: calls and texts that reached no session keep the caller's hint and the request's
    keyed digest (which holds the caller's number) for MASKING_UNROUTED_HINT_HOURS, to look into
    abuse; then both are erased. Routed ones go with their session's scrub."""
    cutoff = timezone.now() - timedelta(hours=settings.MASKING_UNROUTED_HINT_HOURS)
    return (Interaction.objects.filter(UNROUTED_TRACES, created_at__lte=cutoff)
            .update(caller_hint="", request_digest=""))
