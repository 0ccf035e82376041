"""Opening, closing, expiring and erasing sessions."""

import logging
import zlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, connection, transaction
from django.db.models.functions import Least
from django.utils import timezone
from django.utils.translation import gettext as _

from trustplatform import pii
from trustplatform.audit.services import audit_record
from trustplatform.partners.roles import PartnerAction, partner_action_require
from trustplatform.transitions import transition_run

from ..allocation import number_pick
from ..errors import MaskingConflict, MaskingError
from ..models import Interaction, MaskedSession, Participant, ProxyNumber
from ..numbers import number_normalize
from ..selectors import safe_number_chosen
from ..signals import session_scrubbed

logger = logging.getLogger(__name__)

# Advisory-lock namespace of the masking app (any constant; other apps pick their own).
LOCK_NAMESPACE = 0x6D61736B  # "mask"


@dataclass(frozen=True)
class Party:
    """One side of a session to open: a real number and how the other side sees them."""

    phone: str
    label: str
    user: object | None = None


def cooloff() -> timedelta:
    return timedelta(minutes=settings.MASKING_COOLOFF_MINUTES)


def partner_side_require(*, session: MaskedSession, actor, action: PartnerAction) -> None:
    """A member acting on the business's side of a partner's session needs a role that allows it."""
    if session.partner_id is not None:
        partner_action_require(actor=actor, partner=session.partner, action=action)


def _identity_lock(*indexes: str) -> None:
    """Serialise allocations per person (pg advisory lock per blind index, sorted: no deadlock).

    One statement takes them all, left to right. SQLite needs none: it lets one writer in at a time.
    """
    if connection.vendor != "postgresql":
        return
    from trustplatform.postgres.base import prepared_cursor

    keys = sorted({zlib.crc32(index.encode()) - 2**31 for index in indexes})
    locks = ", ".join("pg_advisory_xact_lock(%s, %s)" for _key in keys)
    with prepared_cursor(connection) as cursor:
        cursor.execute(f"SELECT {locks}", [value for key in keys for value in (LOCK_NAMESPACE, key)])


@dataclass(frozen=True)
class _Situation:
    """What allocation needs to know, read under the identity locks."""

    pool: dict[int, str]  # active proxy numbers in rank order: pk -> E.164
    held: dict[str, set[int]]  # person (blind index) -> numbers they hold over the window
    sticky: dict[str, int | None]  # person -> the number they used for this counterpart last time


# One round trip on PostgreSQL. Sticky takes the newest participation by id through max() over
# (id, number) pairs rather than ORDER BY ... LIMIT 1, which can make PostgreSQL walk the primary key.
_SITUATION_SQL = """
SELECT
  (SELECT array_agg(id ORDER BY id) FROM masking_proxynumber WHERE status = %(active)s),
  (SELECT array_agg(e164 ORDER BY id) FROM masking_proxynumber WHERE status = %(active)s),
  (SELECT array_agg(DISTINCT proxy_number_id) FROM masking_participant
    WHERE phone_index = %(a)s AND held_from < %(end)s AND holds_until > %(start)s),
  (SELECT array_agg(DISTINCT proxy_number_id) FROM masking_participant
    WHERE phone_index = %(b)s AND held_from < %(end)s AND holds_until > %(start)s),
  (SELECT (max(ARRAY[p.id, p.proxy_number_id]))[2] FROM masking_participant p
    JOIN masking_participant q ON q.session_id = p.session_id
    WHERE p.phone_index = %(a)s AND q.phone_index = %(b)s),
  (SELECT (max(ARRAY[p.id, p.proxy_number_id]))[2] FROM masking_participant p
    JOIN masking_participant q ON q.session_id = p.session_id
    WHERE p.phone_index = %(b)s AND q.phone_index = %(a)s)
"""


def _situation(a: str, b: str, start: datetime, end: datetime) -> _Situation:
    if connection.vendor == "postgresql":
        from trustplatform.postgres.base import prepared_cursor

        # Planned once per connection: planning this statement took longer than running it.
        with prepared_cursor(connection) as cursor:
            cursor.execute(_SITUATION_SQL, {"active": ProxyNumber.Status.ACTIVE, "a": a, "b": b,
                                            "start": start, "end": end})
            ids, numbers, held_a, held_b, sticky_a, sticky_b = cursor.fetchone()
        return _Situation(pool=dict(zip(ids or [], numbers or [], strict=True)),
                          held={a: set(held_a or []), b: set(held_b or [])},
                          sticky={a: sticky_a, b: sticky_b})
    pool = dict(ProxyNumber.objects.filter(status=ProxyNumber.Status.ACTIVE)
                .order_by("pk").values_list("pk", "e164"))
    return _Situation(pool=pool, held={index: _held(index, start, end) for index in (a, b)},
                      sticky={a: _sticky(a, b), b: _sticky(b, a)})


def _held(index: str, start: datetime, end: datetime) -> set[int]:
    return set(Participant.objects.filter(phone_index=index, held_from__lt=end, holds_until__gt=start)
               .order_by().values_list("proxy_number_id", flat=True))


def _sticky(index: str, other_index: str) -> int | None:
    """The number this person used to reach the same counterpart last time, if still known."""
    rows = (Participant.objects.filter(phone_index=index, session__participants__phone_index=other_index)
            .order_by().values_list("id", "proxy_number_id"))
    return max(rows, default=(None, None))[1]


def _validate_window(opens_at: datetime, expires_at: datetime) -> None:
    now = timezone.now()
    if expires_at <= max(now, opens_at):
        raise MaskingError(_("The session must end after it opens and in the future."),
                           code="invalid_expiry", fields={"expires_at": [_("Must be in the future.")]})
    if expires_at - now > timedelta(days=settings.MASKING_MAX_SESSION_DAYS):
        raise MaskingError(_("A safe number can be given for at most %(days)s days.")
                           % {"days": settings.MASKING_MAX_SESSION_DAYS},
                           code="invalid_expiry", fields={"expires_at": [_("Too far ahead.")]})


def _normalised(party: Party, field: str) -> tuple[str, str]:
    try:
        e164 = number_normalize(party.phone)
    except pii.InvalidPhoneNumber as exc:
        raise MaskingError(str(exc), code="invalid_phone", fields={field: [str(exc)]}) from exc
    return e164, pii.blind_index(e164)


def session_open(*, consumer: Party, business: Party, expires_at: datetime,
                 opens_at: datetime | None = None, mode: str = MaskedSession.Mode.BOTH,
                 partner=None, subject=None, reference: str = "", actor=None) -> MaskedSession:
    """Give each side the proxy number they dial to reach the other, until `expires_at`.

    Takes an advisory lock per person (both sides), so two openings for one person never pick
    the same number; the exclusion constraint on Participant is the last line of defence. Refused
    for a deal whose consumer chose to give their own number (choice_record).
    """
    if partner is not None and actor is not None and getattr(consumer.user, "pk", None) != actor.pk:
        # Opened for the business (not by the consumer themselves): who customers reach is a manager's call.
        partner_action_require(actor=actor, partner=partner, action=PartnerAction.SAFE_NUMBER_OPEN)
    if subject is not None and consumer.user is not None and not safe_number_chosen(subject=subject,
                                                                                   user=consumer.user):
        raise MaskingConflict(_("The customer chose to give their own number for this, not a safe number."),
                              code="safe_number_declined")
    opens_at = opens_at or timezone.now()
    _validate_window(opens_at, expires_at)
    consumer_e164, consumer_index = _normalised(consumer, "consumer.phone")
    business_e164, business_index = _normalised(business, "business.phone")
    if consumer_index == business_index:
        raise MaskingError(_("Both sides have the same number: there is nothing to mask."),
                           code="same_number")
    holds_until = expires_at + cooloff()
    from trustplatform.postgres.base import prepared_statements

    # Its few statements planned once per connection, not on every opening.
    with prepared_statements(), transaction.atomic():
        _identity_lock(consumer_index, business_index)
        known = _situation(consumer_index, business_index, opens_at, holds_until)
        pool = list(known.pool)
        picks = {index: number_pick(pool=pool, held=known.held[index], sticky=known.sticky[index])
                 for index in (consumer_index, business_index)}
        if None in picks.values():
            raise MaskingConflict(
                _("No safe number is free right now. Try again shortly; staff have been told."),
                code="pool_exhausted")
        session = MaskedSession.objects.create(
            partner=partner, mode=mode, opens_at=opens_at, expires_at=expires_at, created_by=actor,
            subject_type=ContentType.objects.get_for_model(subject) if subject is not None else None,
            subject_id=str(subject.pk) if subject is not None else reference[:64],
        )
        participants = [
            Participant(session=session, side=side, label=party.label[:60], user=party.user,
                        phone=e164, phone_index=index, phone_hint=pii.mask_phone(e164),
                        proxy_number=ProxyNumber(pk=picks[index], e164=known.pool[picks[index]],
                                                 status=ProxyNumber.Status.ACTIVE),
                        held_from=opens_at, holds_until=holds_until)
            for side, party, e164, index in (
                (Participant.Side.CONSUMER, consumer, consumer_e164, consumer_index),
                (Participant.Side.BUSINESS, business, business_e164, business_index))
        ]
        try:
            # No savepoint: a conflict aborts the whole opening anyway.
            Participant.objects.bulk_create(participants)
        except IntegrityError as exc:  # only reachable if the locks above were bypassed
            raise MaskingConflict(_("Someone else took that number at the same moment; try again."),
                               code="allocation_conflict") from exc
        need = max(len(known.held[index]) + 1 for index in picks)
    # The caller usually shows both sides' numbers next: no need to read back what was just written.
    # (Filled the way prefetch_related fills it, so further filtering still queries the database.)
    written = session.participants.all()
    written._result_cache = sorted(participants, key=lambda participant: participant.side)
    written._prefetch_done = True
    session._prefetched_objects_cache = {"participants": written}
    _pool_watch(need=need, pool_size=len(pool))
    return session


def _pool_watch(*, need: int, pool_size: int) -> None:
    if need * 100 > settings.MASKING_POOL_ALERT_PERCENT * pool_size:
        from ..tasks import pool_check

        pool_check.delay_on_commit()


def _close(*, session: MaskedSession, name: str, actor, reason: str) -> MaskedSession:
    now = timezone.now()
    with transaction.atomic():
        locked = MaskedSession.objects.select_for_update().get(pk=session.pk)
        if locked.status != MaskedSession.Status.OPEN:
            return locked  # already closed: closing again changes nothing
        ended = min(now, locked.expires_at)
        locked = transition_run(instance=locked, name=name, actor=actor, reason=reason, at=ended)
        # The cool-off runs from the end: the number stays held for it, then is free again.
        locked.participants.update(holds_until=Least("holds_until", ended + cooloff()))
    return locked


def session_complete(*, session: MaskedSession, actor=None, reason: str = "") -> MaskedSession:
    """Close early because the order or stay is over (partner or platform). Idempotent."""
    partner_side_require(session=session, actor=actor, action=PartnerAction.SAFE_NUMBER_USE)
    return _close(session=session, name="complete", actor=actor, reason=reason)


def session_revoke(*, instance: MaskedSession, actor, reason: str = "") -> MaskedSession:
    """Staff close a session at once (abuse, complaint); the reason goes to the audit trail."""
    return _close(session=instance, name="revoke", actor=actor, reason=reason)


def session_expire(*, session_id: int) -> bool:
    """Close one session whose time is up; False if it was not due or already closed."""
    session = MaskedSession.objects.filter(pk=session_id).first()
    if session is None or session.status != MaskedSession.Status.OPEN:
        return False
    if session.expires_at > timezone.now():
        return False
    return _close(session=session, name="expire", actor=None, reason="").close_reason == "expired"


def sessions_expire_due(*, limit: int = 1000) -> int:
    """The sweep: close every open session past its expiry (routing refuses them already)."""
    due = (MaskedSession.objects.filter(status=MaskedSession.Status.OPEN, expires_at__lte=timezone.now())
           .order_by("expires_at").values_list("pk", flat=True)[:limit])
    return sum(session_expire(session_id=pk) for pk in list(due))


def session_scrub(*, session_id: int) -> bool:
    """Erase a closed session's real numbers for good, once MASKING_SCRUB_HOURS have passed.

    Locks the session row; a second run finds it scrubbed and does nothing.
    """
    now = timezone.now()
    with transaction.atomic():
        session = MaskedSession.objects.select_for_update().filter(pk=session_id).first()
        if session is None or session.status != MaskedSession.Status.CLOSED:
            return False
        if session.ended_at + timedelta(hours=settings.MASKING_SCRUB_HOURS) > now:
            return False
        session.participants.update(phone="", phone_index=None, phone_hint="")
        Interaction.objects.filter(session=session).update(response="", body="", request_digest="",
                                                           caller_hint="")
        transition_run(instance=session, name="scrub", reason="", at=now)
        # Copies of these numbers elsewhere (a booking's guest number) go in the same transaction.
        session_scrubbed.send(sender=MaskedSession, session_id=session.pk)
    logger.info("masking session %s scrubbed", session_id)
    return True


def sessions_scrub_due(*, limit: int = 1000) -> int:
    cutoff = timezone.now() - timedelta(hours=settings.MASKING_SCRUB_HOURS)
    due = (MaskedSession.objects.filter(status=MaskedSession.Status.CLOSED, ended_at__lte=cutoff)
           .order_by("ended_at").values_list("pk", flat=True)[:limit])
    return sum(session_scrub(session_id=pk) for pk in list(due))


def session_audit_note(*, session: MaskedSession, action: str, actor=None, extra: dict | None = None):
    """An audit row for a non-transition event (status text, click-to-call, block); no numbers."""
    return audit_record(obj=session, action=action, actor=actor, extra=extra)


__all__ = ["Party", "session_open", "session_complete", "session_revoke", "session_expire",
           "sessions_expire_due", "session_scrub", "sessions_scrub_due", "session_audit_note",
           "cooloff"]
