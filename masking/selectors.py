"""Reads of the masking app: routing (the hot path), pool utilisation, sessions per audience."""

import bisect
from dataclasses import dataclass, field
from datetime import UTC, datetime

from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.models import BigIntegerField, Count, Prefetch, Q, QuerySet
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from trustplatform import pii

from .models import Block, CheckoutChoice, Interaction, MaskedSession, Participant, ProxyNumber


@dataclass(frozen=True)
class Route:
    """Who is calling on which number, and the one person such a call may ever reach."""

    session_id: int
    status: str
    mode: str
    opens_at: datetime
    expires_at: datetime
    caller_id: int
    caller_label: str
    callee_id: int
    callee_phone: str = field(repr=False)  # the real number: never in a log line or a debug page
    callee_proxy: str  # what the callee sees as caller id: the number they dial to reach the caller
    blocked: bool

    def usable_at(self, now: datetime) -> bool:
        return self.status == MaskedSession.Status.OPEN and self.opens_at <= now < self.expires_at


# The caller's hold on this number at `now`, its session, the counterpart and any block.
# Served by masking_part_route (phone_index, proxy_number_id, holds_until) and the session FK index.
_ROUTE_SQL = """
SELECT s.id AS session_id, s.status, s.mode, s.opens_at, s.expires_at, c.id AS caller_id,
       c.label AS caller_label, o.id AS callee_id, o.phone AS callee_phone, op.e164 AS callee_proxy,
       EXISTS (SELECT 1 FROM masking_block b
               WHERE b.blocked_index = c.phone_index AND b.owner_index = o.phone_index) AS blocked
FROM masking_participant c
JOIN masking_proxynumber cp ON cp.id = c.proxy_number_id
JOIN masking_maskedsession s ON s.id = c.session_id
JOIN masking_participant o ON o.session_id = c.session_id AND o.id <> c.id
JOIN masking_proxynumber op ON op.id = o.proxy_number_id
WHERE c.phone_index = %s AND cp.e164 = %s AND c.held_from <= %s AND c.holds_until > %s
ORDER BY c.held_from DESC
LIMIT 1
"""

# The webhook's one round trip on PostgreSQL: an event already stored under (provider, sid), if any,
# beside the route. Served by the unique (provider, sid) index and the route's indexes.
_INBOUND_SQL = f"""
SELECT e.request_digest, e.response, e.created_at, r.*
FROM (SELECT 1) AS one
LEFT JOIN masking_interaction e ON e.provider = %s AND e.sid = %s
LEFT JOIN LATERAL ({_ROUTE_SQL}) AS r ON TRUE
"""


@dataclass(frozen=True)
class StoredEvent:
    """What a repeat of an event is compared with and answered from."""

    request_digest: str
    response: str
    created_at: datetime


def _sqlite_datetime(value: datetime | str) -> datetime:
    """A datetime column read by raw SQL on SQLite, made aware as the ORM's converter would.

    Django stores naive UTC text there; the column's declared type may already have parsed it.
    """
    if isinstance(value, str):
        value = parse_datetime(value)
    return value if timezone.is_aware(value) else value.replace(tzinfo=UTC)


def _route(row, vendor: str) -> Route | None:
    if row is None or row[0] is None:
        return None
    (session_id, status, mode, opens_at, expires_at, caller_id, caller_label, callee_id, callee_phone,
     callee_proxy, blocked) = row
    if vendor == "sqlite":
        opens_at, expires_at = _sqlite_datetime(opens_at), _sqlite_datetime(expires_at)
    return Route(session_id=session_id, status=status, mode=mode, opens_at=opens_at, expires_at=expires_at,
                 caller_id=caller_id, caller_label=caller_label, callee_id=callee_id,
                 callee_phone=pii.decrypt(callee_phone) if callee_phone else "",
                 callee_proxy=callee_proxy, blocked=bool(blocked))


def route_lookup(*, proxy_e164: str, caller_index: str, now: datetime) -> Route | None:
    """The session in which this caller holds this number now (open or cooling off), if any."""
    # Raw SQL skips the ORM's adaptation, and SQLite compares datetimes as text: `now` must take the
    # stored form there (naive UTC); PostgreSQL gets the aware value unchanged.
    at = connection.ops.adapt_datetimefield_value(now)
    with connection.cursor() as cursor:
        cursor.execute(_ROUTE_SQL, [caller_index, proxy_e164, at, at])
        row = cursor.fetchone()
    return _route(row, connection.vendor)


def inbound_lookup(*, provider: str, sid: str, proxy_e164: str, caller_index: str | None,
                   now: datetime) -> tuple[StoredEvent | None, Route | None]:
    """An inbound event's stored first answer (if this is a repeat) and its route (if any)."""
    if connection.vendor != "postgresql":
        existing = Interaction.objects.filter(provider=provider, sid=sid).values_list(
            "request_digest", "response", "created_at").first()
        route = (route_lookup(proxy_e164=proxy_e164, caller_index=caller_index, now=now)
                 if caller_index else None)
        return (StoredEvent(*existing) if existing else None), route
    from trustplatform.postgres.base import prepared_cursor

    with prepared_cursor(connection) as cursor:  # planned once per connection: planning cost 1 ms a call
        cursor.execute(_INBOUND_SQL, [provider, sid, caller_index, proxy_e164, now, now])
        row = cursor.fetchone()
    existing = None
    if row[0] is not None:
        # The stored answer holds the real number it dialled: encrypted at rest like every other.
        response = Interaction._meta.get_field("response").from_db_value(row[1], None, connection)
        existing = StoredEvent(request_digest=row[0], response=response, created_at=row[2])
    return existing, _route(row[3:], "postgresql")


@dataclass(frozen=True)
class PoolUsage:
    pool_size: int
    need: int  # the most numbers any one person holds now (open or cooling): the lower bound
    open_sessions: int
    cooling_sessions: int

    @property
    def percent(self) -> float:
        return 100.0 * self.need / self.pool_size if self.pool_size else 100.0


def pool_usage(*, now: datetime | None = None) -> PoolUsage:
    now = now or timezone.now()
    holding = Participant.objects.filter(held_from__lte=now, holds_until__gt=now,
                                         phone_index__isnull=False)
    need = (holding.values("phone_index").annotate(n=Count("id")).order_by("-n")
            .values_list("n", flat=True).first()) or 0
    sessions = MaskedSession.objects.filter(participants__in=holding).distinct()
    return PoolUsage(
        pool_size=ProxyNumber.objects.filter(status=ProxyNumber.Status.ACTIVE).count(),
        need=need,
        open_sessions=sessions.filter(status=MaskedSession.Status.OPEN).count(),
        cooling_sessions=sessions.exclude(status=MaskedSession.Status.OPEN).count(),
    )


def _with_participants(queryset: QuerySet) -> QuerySet:
    return queryset.select_related("partner").prefetch_related(
        Prefetch("participants", queryset=Participant.objects.select_related("proxy_number")))


def partner_sessions(*, partner, status: str | None = None) -> QuerySet[MaskedSession]:
    sessions = MaskedSession.objects.filter(partner=partner)
    if status:
        sessions = sessions.filter(status=status)
    return _with_participants(sessions).order_by("-created_at", "-id")


def user_sessions(*, user) -> QuerySet[MaskedSession]:
    """Sessions where the user is the consumer: linked to their account or to their verified number."""
    mine = Q(participants__user=user, participants__side=Participant.Side.CONSUMER)
    if user.phone_verified and user.phone_index:
        mine |= Q(participants__phone_index=user.phone_index, participants__side=Participant.Side.CONSUMER)
    ids = MaskedSession.objects.filter(mine).values("pk")
    return _with_participants(MaskedSession.objects.filter(pk__in=ids)).order_by("-created_at", "-id")


def user_open_session(*, user, session_id: int) -> MaskedSession | None:
    """The user's session of this id if it is still open and not past its end, else None."""
    return user_sessions(user=user).filter(
        pk=session_id, status=MaskedSession.Status.OPEN, expires_at__gt=timezone.now()).first()


def consumer_dial(*, session: MaskedSession) -> str | None:
    """The safe number the consumer dials in this session (it reaches the business), if any."""
    for participant in session.participants.all():
        if participant.side == Participant.Side.CONSUMER:
            return str(participant.proxy_number)
    return None


def business_dial(*, session: MaskedSession) -> str | None:
    """The safe number the business dials in this session (it reaches the consumer), if any."""
    for participant in session.participants.all():
        if participant.side == Participant.Side.BUSINESS:
            return str(participant.proxy_number)
    return None


def subject_session(*, subject) -> MaskedSession | None:
    """The newest open session opened for this deal (a booking, an agreement…), with its numbers."""
    sessions = MaskedSession.objects.filter(
        subject_type=ContentType.objects.get_for_model(subject), subject_id=str(subject.pk),
        status=MaskedSession.Status.OPEN, expires_at__gt=timezone.now())
    return _with_participants(sessions).order_by("-created_at", "-id").first()


def safe_number_chosen(*, subject, user) -> bool:
    """Whether the consumer takes a safe number for this deal: their answer at its checkout, else yes
    (deals from before consumers were asked always had one)."""
    answer = (CheckoutChoice.objects.filter(subject_type=ContentType.objects.get_for_model(subject),
                                            subject_id=str(subject.pk), user_id=getattr(user, "pk", user))
              .values_list("use_safe_number", flat=True).first())
    return True if answer is None else answer


def safe_number_declined(*, model) -> QuerySet:
    """Primary keys of the deals of `model` whose consumer declined a safe number, as a subquery for
    other apps' sweeps (which must not keep trying to open one)."""
    return (CheckoutChoice.objects.filter(subject_type=ContentType.objects.get_for_model(model),
                                          use_safe_number=False)
            .annotate(subject_pk=Cast("subject_id", BigIntegerField())).values("subject_pk"))


def user_owns_consumer_side(*, user, session: MaskedSession) -> Participant | None:
    for participant in session.participants.all():
        if participant.side != Participant.Side.CONSUMER:
            continue
        if participant.user_id == user.pk or (
                user.phone_verified and participant.phone_index
                and participant.phone_index == user.phone_index):
            return participant
    return None


def user_blocks(*, user) -> QuerySet[Block]:
    indexes = set(Participant.objects.filter(user=user, phone_index__isnull=False)
                  .values_list("phone_index", flat=True))
    if user.phone_verified and user.phone_index:
        indexes.add(user.phone_index)
    return Block.objects.filter(owner_index__in=indexes).order_by("-created_at")


def session_interactions(*, session: MaskedSession) -> QuerySet[Interaction]:
    return session.interactions.order_by("-created_at", "-id")


def ringing_calls(*, user) -> QuerySet[Interaction]:
    """Click-to-calls waiting for the business to answer: the simulator shows its user's own."""
    calls = Interaction.objects.filter(kind=Interaction.Kind.CLICK_TO_CALL,
                                       outcome=Interaction.Outcome.RINGING).select_related(
        "session__partner", "caller__proxy_number", "callee__proxy_number")
    if not user.is_staff:
        calls = calls.filter(session__partner__memberships__user=user)
    return calls.order_by("-created_at")


def sessions_scrubbed() -> QuerySet:
    """Ids of the sessions whose real numbers are erased, as a subquery for other apps' sweeps."""
    return MaskedSession.objects.filter(status=MaskedSession.Status.SCRUBBED).values("pk")


def sessions_weeks(*, starts: list) -> list[int]:
    """The staff dashboard: safe-number sessions opened per week from each Monday in `starts` (KST)."""
    since = datetime.combine(starts[0], datetime.min.time(), tzinfo=timezone.get_current_timezone())
    opened = [0] * len(starts)
    for moment in MaskedSession.objects.filter(created_at__gte=since).values_list("created_at", flat=True):
        if (index := bisect.bisect_right(starts, timezone.localdate(moment)) - 1) >= 0:
            opened[index] += 1
    return opened
