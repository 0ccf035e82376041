"""Other channels' calendars: import by iCal URL (bounded fetch), flag collisions, export ours.

A bad feed (unreachable, malformed, too big) changes nothing and is reported to the owner. An
imported stay colliding with a confirmed booking of ours opens a Conflict at once; the owner keeps
ours or cancels it (guarantee), and doing nothing until the deadline counts as cancelling.
"""

import http.client
import ipaddress
import logging
import socket
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from urllib.parse import urlsplit

import icalendar
from django.conf import settings
from django.db import transaction
from django.db.models import Count, F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from trustplatform.notifications.services import Phrase
from trustplatform.partners.roles import PartnerAction, partner_action_require
from trustplatform.partners.services import partner_notify
from trustplatform.ui import korean

from ..errors import BookingConflict, BookingError
from ..feed_errors import feed_error_lazy
from ..models import Booking, CalendarFeed, Conflict, ImportedBlock, Night, RoomType
from .common import check_in_at
from .inventory import nights_ensure

logger = logging.getLogger(__name__)


class FeedError(Exception):
    """Why a feed could not be imported, in words for the owner."""


@dataclass(frozen=True)
class Stay:
    uid: str
    start: date
    end: date
    summary: str


def feed_add(*, room_type: RoomType, name: str, url: str, actor) -> CalendarFeed:
    """Import another channel's calendar into a room type (owners and managers: its stays close nights)."""
    partner_action_require(actor=actor, partner=room_type.property.partner, action=PartnerAction.FEED_ADD)
    _check_url(url, resolve=False)
    feed, created = CalendarFeed.objects.get_or_create(
        room_type=room_type, url=url, defaults={"name": name[:60]}
    )
    if not created:
        raise BookingConflict(
            _("This calendar is already imported for this room type."),
            code="duplicate_feed",
            fields={"url": [_("Already added.")]},
        )
    from ..tasks import feed_import_task

    feed_import_task.delay_on_commit(feed.pk)
    return feed


def _check_url(url: str, *, resolve: bool = True) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise BookingError(
            _("Give an http(s) address of an .ics calendar."),
            code="invalid_url",
            fields={"url": [_("Not an http(s) address.")]},
        )
    if not resolve or settings.BOOKINGS_FEED_ALLOW_PRIVATE:
        return
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(parts.hostname, parts.port or 443)}
    except OSError as exc:
        raise FeedError(_("The calendar's host name could not be found.")) from exc
    for address in addresses:
        if not _public(address):
            raise FeedError(_("The calendar's address points into a private network."))


def _public(address: str) -> bool:
    """Only globally routable addresses (not private, loopback, link-local, shared, reserved...)."""
    ip = ipaddress.ip_address(address.split("%")[0])
    mapped = getattr(ip, "ipv4_mapped", None)
    return (mapped or ip).is_global and not ip.is_multicast


def _pinned_create_connection(address, timeout=socket._GLOBAL_DEFAULT_TIMEOUT, source_address=None, **kw):
    """Connect only to an address checked at connect time: the name is resolved once, here, so a host
    that answers a public address to the check and a private one to the fetch (DNS rebinding) fails."""
    host, port = address[0], address[1]
    if settings.BOOKINGS_FEED_ALLOW_PRIVATE:
        return socket.create_connection(address, timeout, source_address)
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    if not infos or not all(_public(info[4][0]) for info in infos):
        raise OSError(_("The calendar's address points into a private network."))
    last_error = None
    for family, kind, proto, _name, sockaddr in infos:
        sock = socket.socket(family, kind, proto)
        try:
            if timeout is not socket._GLOBAL_DEFAULT_TIMEOUT:
                sock.settimeout(timeout)
            if source_address:
                sock.bind(source_address)
            sock.connect(sockaddr)
            return sock
        except OSError as exc:
            last_error = exc
            sock.close()
    raise last_error or OSError("no address")


class _PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._create_connection = _pinned_create_connection


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._create_connection = _pinned_create_connection


class _PinnedHTTPHandler(urllib.request.HTTPHandler):
    def http_open(self, req):
        return self.do_open(_PinnedHTTPConnection, req)


class _PinnedHTTPSHandler(urllib.request.HTTPSHandler):
    def https_open(self, req):
        return self.do_open(_PinnedHTTPSConnection, req, context=self._context)


class _CheckedRedirect(urllib.request.HTTPRedirectHandler):
    """Follow a redirect only to an address the feed itself could have had (no hop into our network)."""

    max_redirections = 5

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        _check_fetchable(newurl)
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def _check_fetchable(url: str) -> None:
    try:
        _check_url(url)
    except BookingError as exc:
        raise FeedError(exc.detail) from exc


def _opener() -> urllib.request.OpenerDirector:
    # No proxy handler: a proxy would resolve the name itself, past the pinned check.
    return urllib.request.build_opener(
        urllib.request.ProxyHandler({}), _CheckedRedirect, _PinnedHTTPHandler, _PinnedHTTPSHandler
    )


def fetch(url: str) -> bytes:
    """GET the feed with a timeout and a size cap; raises FeedError with the reason."""
    _check_fetchable(url)
    limit = settings.BOOKINGS_FEED_MAX_BYTES
    request = urllib.request.Request(
        url, headers={"User-Agent": "Ansim-calendar-import/1.0", "Accept": "text/calendar"}
    )
    try:
        with _opener().open(request, timeout=settings.BOOKINGS_FEED_TIMEOUT_SECONDS) as response:
            declared = response.headers.get("Content-Length")
            if declared and declared.isdigit() and int(declared) > limit:
                raise FeedError(_("The calendar is too big (%(size)s bytes).") % {"size": declared})
            body = response.read(limit + 1)
    except urllib.error.HTTPError as exc:
        raise FeedError(_("The calendar's server answered %(status)s.") % {"status": exc.code}) from exc
    except (urllib.error.URLError, OSError, ValueError) as exc:
        raise FeedError(
            _("The calendar could not be reached (%(why)s).")
            % {"why": str(getattr(exc, "reason", exc))[:100]}
        ) from exc
    if len(body) > limit:
        raise FeedError(_("The calendar is bigger than %(limit)s bytes.") % {"limit": limit})
    return body


def _as_date(value) -> date:
    if isinstance(value, datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    if isinstance(value, date):
        return value
    raise FeedError(_("An event has a start or end that is not a date."))


def parse(body: bytes) -> list[Stay]:
    """The stays of an iCal calendar (VEVENTs), or FeedError when it is not a calendar."""
    try:
        calendar = icalendar.Calendar.from_ical(body)
    except Exception as exc:  # the library raises ValueError and others on malformed input
        raise FeedError(_("The file is not a valid iCal calendar.")) from exc
    if getattr(calendar, "name", "") != "VCALENDAR":
        raise FeedError(_("The file is not a valid iCal calendar."))
    stays = []
    try:
        for event in calendar.walk("VEVENT"):
            if str(event.get("STATUS", "")).upper() == "CANCELLED" or event.get("DTSTART") is None:
                continue
            start = _as_date(event.decoded("DTSTART"))
            end = (
                _as_date(event.decoded("DTEND"))
                if event.get("DTEND") is not None
                else start + timedelta(days=1)
            )
            if end <= start:
                end = start + timedelta(days=1)
            uid = str(event.get("UID") or f"{start.isoformat()}-{end.isoformat()}")[:300]
            stays.append(Stay(uid=uid, start=start, end=end, summary=str(event.get("SUMMARY", ""))[:200]))
    except FeedError:
        raise
    except Exception as exc:
        raise FeedError(_("The calendar has an event that cannot be read.")) from exc
    return stays


def feed_import(*, feed_id: int) -> str:
    """Fetch and apply one feed. Network first (no transaction open), then one transaction."""
    feed = CalendarFeed.objects.select_related("room_type__property__partner").get(pk=feed_id)
    now = timezone.now()
    try:
        stays = parse(fetch(feed.url))
    except FeedError as exc:
        _feed_failed(feed, str(exc), now)
        return "failed"
    feed_apply(feed_id=feed_id, stays=stays, at=now)
    return "imported"


def feed_apply(*, feed_id: int, stays: list[Stay], at: datetime | None = None) -> None:
    """Replace a feed's stays with these (parsed) ones, recount the nights, flag collisions.

    Locks the feed row, so two imports of one feed apply one after the other."""
    now = at or timezone.now()
    with transaction.atomic():
        feed = (
            CalendarFeed.objects.select_for_update(of=("self",))
            .select_related("room_type__property__partner")
            .get(pk=feed_id)
        )
        _apply_stays(feed, stays)
        CalendarFeed.objects.filter(pk=feed.pk).update(
            state=CalendarFeed.State.OK,
            last_fetch_at=now,
            last_success_at=now,
            last_error="",
            failures=0,
            events=len(stays),
        )


def _feed_failed(feed: CalendarFeed, why: str, now: datetime) -> None:
    CalendarFeed.objects.filter(pk=feed.pk).update(
        state=CalendarFeed.State.FAILING, last_fetch_at=now, last_error=why[:300], failures=feed.failures + 1
    )
    if feed.failures == 0:  # tell the owner once per run of failures, not every interval
        partner_notify(
            partner=feed.room_type.property.partner,
            url=reverse("bookings_portal:feeds"),
            key=f"feed:{feed.pk}:failing:{now:%Y%m%d%H%M}",
            title=Phrase(
                gettext_lazy(
                    "The %(channel)s calendar of %(room)s could not be imported: %(why)s Nothing was changed."
                ),
                # The owner reads what it means; the technical detail stays on the feed, for staff.
                {"channel": feed.name, "room": feed.room_type, "why": feed_error_lazy(why)},
            ),
            sms_text=True,
        )


def _apply_stays(feed: CalendarFeed, stays: list[Stay]) -> None:
    today = timezone.localdate()
    horizon = today + timedelta(days=settings.BOOKINGS_MAX_ADVANCE_DAYS)
    keep = {(s.uid, s.start): s for s in stays if s.end > today and s.start < horizon}
    old = list(feed.blocks.values_list("start", "end"))
    feed.blocks.all().delete()
    ImportedBlock.objects.bulk_create(
        [
            ImportedBlock(feed=feed, uid=s.uid, start=s.start, end=s.end, summary=s.summary)
            for s in keep.values()
        ]
    )
    spans = old + [(s.start, s.end) for s in keep.values()]
    if spans:
        start = max(today, min(a for a, _b in spans))
        end = min(horizon, max(b for _a, b in spans))
        if end > start:
            _recount_external(feed.room_type, start, end)
    _detect_conflicts(feed)


def _recount_external(room_type: RoomType, start: date, end: date) -> None:
    """Night.external = imported stays covering that night, over every feed of the room type."""
    nights_ensure(room_type=room_type, start=start, end=end)
    covering = (
        ImportedBlock.objects.filter(
            feed__room_type=room_type, start__lte=OuterRef("date"), end__gt=OuterRef("date")
        )
        .order_by()
        .values("feed__room_type")
        .annotate(n=Count("pk"))
        .values("n")
    )
    Night.objects.filter(room_type=room_type, date__gte=start, date__lt=end).update(
        external=Coalesce(Subquery(covering), 0)
    )


def _detect_conflicts(feed: CalendarFeed) -> None:
    room_type = feed.room_type
    blocks = list(feed.blocks.all())
    over = set(
        # Nights where our sales plus the other channels' stays exceed the rooms.
        Night.objects.filter(room_type=room_type, external__gt=0, sold__gt=0)
        .filter(sold__gt=F("rooms") - F("external"))
        .values_list("date", flat=True)
    )
    bookings = list(
        Booking.objects.filter(
            room_type=room_type, status__in=[Booking.Status.CONFIRMED], check_out__gt=timezone.localdate()
        )
    )
    # The owner already said our guest keeps the room despite this stay: not flagged again.
    kept = set(
        Conflict.objects.filter(feed=feed, status=Conflict.Status.KEPT).values_list("booking_id", "uid")
    )
    live = set()
    for block in blocks:
        for booking in bookings:
            if block.start >= booking.check_out or block.end <= booking.check_in:
                continue
            if (booking.pk, block.uid) in kept:
                continue
            nights = {booking.check_in + timedelta(days=i) for i in range(booking.nights)}
            if not nights & over:
                continue
            live.add((booking.pk, block.uid))
            conflict, created = Conflict.objects.get_or_create(
                booking=booking,
                feed=feed,
                uid=block.uid,
                status=Conflict.Status.OPEN,
                defaults={
                    "start": block.start,
                    "end": block.end,
                    "summary": block.summary,
                    "deadline": _deadline(booking),
                },
            )
            if created:
                _announce_conflict(conflict)
    for conflict in Conflict.objects.filter(feed=feed, status=Conflict.Status.OPEN):
        if (conflict.booking_id, conflict.uid) not in live:
            Conflict.objects.filter(pk=conflict.pk).update(
                status=Conflict.Status.GONE, resolved_at=timezone.now()
            )


def _deadline(booking: Booking) -> datetime:
    deadline = check_in_at(booking) - timedelta(hours=settings.BOOKINGS_CONFLICT_DEADLINE_HOURS)
    # Found late: the owner still gets a short while, never a deadline in the past.
    return max(deadline, timezone.now() + timedelta(minutes=30))


def _announce_conflict(conflict: Conflict) -> None:
    booking = conflict.booking
    partner_notify(
        partner=booking.property.partner,
        url=reverse("bookings_portal:conflict", args=[conflict.pk]),
        key=f"conflict:{conflict.pk}",
        title=Phrase(
            gettext_lazy(
                "Double booking: %(channel)s has a stay %(start)s–%(end)s on %(room)s, where our "
                "guest's booking %(code)s is confirmed. Resolve it by %(deadline)s or we rehouse our "
                "guest at your cost."
            ),
            {
                "channel": conflict.feed.name,
                "start": korean.day_later(conflict.start),
                "end": korean.day_later(conflict.end),
                "room": booking.room_type.name,
                "code": booking.code,
                "deadline": korean.moment_later(conflict.deadline),
            },
        ),
        sms_text=True,
    )


def conflict_resolve(*, conflict: Conflict, actor, keep_ours: bool) -> Conflict:
    """The owner says our guest keeps the room (they moved the other stay), or cancels ours (guarantee);
    either is a cancellation decision, for owners and managers."""
    from .stays import booking_cancel_by_property

    partner_action_require(actor=actor, partner=conflict.booking.property.partner,
                           action=PartnerAction.BOOKING_CANCEL)

    with transaction.atomic():
        conflict = (
            Conflict.objects.select_for_update(of=("self",))
            .select_related("booking", "feed")
            .get(pk=conflict.pk)
        )
        if conflict.status != Conflict.Status.OPEN:
            raise BookingConflict(_("This conflict is already resolved."), code="already_resolved")
        if keep_ours:
            conflict.status = Conflict.Status.KEPT
        else:
            booking_cancel_by_property(
                booking=conflict.booking, actor=actor, reason=f"double-booked on {conflict.feed.name}"
            )
            conflict.status = Conflict.Status.CANCELLED
        conflict.resolved_at = timezone.now()
        conflict.save(update_fields=["status", "resolved_at"])
    return conflict


def conflicts_due() -> int:
    """Open conflicts past their deadline: our booking counts as cancelled by the property (beat)."""
    from .stays import booking_cancel_by_property

    done = 0
    for conflict_id in Conflict.objects.filter(
        status=Conflict.Status.OPEN, deadline__lte=timezone.now()
    ).values_list("pk", flat=True)[:200]:
        with transaction.atomic():
            conflict = (
                Conflict.objects.select_for_update(of=("self",))
                .select_related("booking", "feed")
                .get(pk=conflict_id)
            )
            if conflict.status != Conflict.Status.OPEN:
                continue
            if conflict.booking.status == Booking.Status.CONFIRMED:
                booking_cancel_by_property(
                    booking=conflict.booking,
                    actor=None,
                    reason=f"unresolved double booking with {conflict.feed.name}",
                )
            Conflict.objects.filter(booking=conflict.booking, status=Conflict.Status.OPEN).update(
                status=Conflict.Status.EXPIRED, resolved_at=timezone.now()
            )
            done += 1
    return done


def feeds_due() -> list[int]:
    cutoff = timezone.now() - timedelta(minutes=settings.BOOKINGS_FEED_INTERVAL_MINUTES)
    return list(
        CalendarFeed.objects.filter(Q(last_fetch_at__isnull=True) | Q(last_fetch_at__lte=cutoff)).values_list(
            "pk", flat=True
        )[:1000]
    )


def ical_export(*, room_type: RoomType) -> bytes:
    """Our bookings of a room type as iCal (no guest data): other channels import it to block nights."""
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//Ansim//Bookings//KO")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", f"Ansim · {room_type.name}")
    since = timezone.localdate() - timedelta(days=30)
    for code, check_in, check_out, created in (
        Booking.objects.filter(room_type=room_type, status__in=Booking.HOLDS_ROOM, check_out__gte=since)
        .order_by("check_in", "pk")
        .values_list("code", "check_in", "check_out", "created_at")
    ):
        event = icalendar.Event()
        event.add("uid", f"{code}@ansim.kr")
        event.add("summary", "Ansim booking")
        event.add("dtstart", check_in)
        event.add("dtend", check_out)
        event.add("dtstamp", created)
        calendar.add_component(event)
    return calendar.to_ical()
