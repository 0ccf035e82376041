"""Other channels' iCal feeds, served from a local HTTP server: import, collisions, bad feeds, export."""

import http.server
import threading
from datetime import timedelta

import pytest
from django.utils import timezone

from bookings.models import Booking, CalendarFeed, Conflict, GuaranteeCase, Night
from bookings.services import channels
from trustplatform.notifications.models import Notification

from .factories import (
    CalendarFeedFactory,
    PropertyFactory,
    RoomTypeFactory,
    confirmed_booking,
    fund_guarantee,
)

pytestmark = pytest.mark.django_db


class FeedServer:
    """A tiny HTTP server in a thread: path -> (status, body). Nothing leaves the machine."""

    def __init__(self):
        self.routes: dict[str, tuple[int, bytes]] = {}
        routes = self.routes

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 (the stdlib's name)
                status, body = routes.get(self.path, (404, b"not found"))
                self.send_response(status)
                self.send_header("Content-Type", "text/calendar")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}{path}"


@pytest.fixture
def feed_server():
    server = FeedServer()
    server.thread.start()
    yield server
    server.server.shutdown()
    server.server.server_close()


def ics(*stays) -> bytes:
    events = "".join(
        f"BEGIN:VEVENT\r\nUID:{uid}\r\nDTSTART;VALUE=DATE:{start:%Y%m%d}\r\nDTEND;VALUE=DATE:{end:%Y%m%d}\r\n"
        f"SUMMARY:Reserved\r\nEND:VEVENT\r\n"
        for uid, start, end in stays
    )
    return (
        f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Other channel//EN\r\n{events}END:VCALENDAR\r\n"
    ).encode()


def test_an_imported_stay_blocks_the_night_and_shows_its_age(feed_server):
    room_type = RoomTypeFactory(property=PropertyFactory(), rooms=1)
    day = timezone.localdate() + timedelta(days=5)
    feed_server.routes["/a.ics"] = (200, ics(("air-1", day, day + timedelta(days=2))))
    feed = CalendarFeedFactory(room_type=room_type, url=feed_server.url("/a.ics"))
    assert channels.feed_import(feed_id=feed.pk) == "imported"
    feed.refresh_from_db()
    assert feed.state == "ok" and feed.events == 1 and feed.last_success_at
    assert list(
        Night.objects.filter(
            room_type=room_type, date__gte=day - timedelta(days=1), date__lte=day + timedelta(days=2)
        )
        .order_by("date")
        .values_list("external", flat=True)
    ) == [0, 1, 1, 0]
    # The stay disappears from the feed: the nights are free again.
    feed_server.routes["/a.ics"] = (200, ics())
    channels.feed_import(feed_id=feed.pk)
    assert not Night.objects.filter(room_type=room_type, external__gt=0).exists()


def test_a_collision_with_our_confirmed_booking_is_flagged_at_once_and_the_owner_told(feed_server):
    prop = PropertyFactory()
    room_type = RoomTypeFactory(property=prop, rooms=1)
    booking = confirmed_booking(room_type, days_ahead=6, nights=2)
    feed_server.routes["/b.ics"] = (
        200,
        ics(("bdc-9", booking.check_in + timedelta(days=1), booking.check_out + timedelta(days=1))),
    )
    feed = CalendarFeedFactory(room_type=room_type, url=feed_server.url("/b.ics"))
    channels.feed_import(feed_id=feed.pk)
    conflict = Conflict.objects.get(booking=booking)
    assert conflict.status == "open" and conflict.uid == "bdc-9"
    assert timezone.localtime(conflict.deadline).date() < booking.check_in
    assert conflict.deadline > timezone.now()
    owner = prop.partner.memberships.get().user
    assert Notification.objects.filter(user=owner, title__contains=booking.code).exists()
    channels.feed_import(feed_id=feed.pk)  # a re-import does not flag it twice
    assert Conflict.objects.filter(booking=booking).count() == 1


def test_owner_keeps_ours_or_cancels_ours_and_the_guarantee_starts(feed_server):
    fund_guarantee()
    room_type = RoomTypeFactory(property=PropertyFactory(), rooms=1)
    first = confirmed_booking(room_type, days_ahead=6, nights=1)
    second = confirmed_booking(room_type, days_ahead=9, nights=1)
    feed_server.routes["/c.ics"] = (
        200,
        ics(("x1", first.check_in, first.check_out), ("x2", second.check_in, second.check_out)),
    )
    feed = CalendarFeedFactory(room_type=room_type, url=feed_server.url("/c.ics"))
    channels.feed_import(feed_id=feed.pk)
    keep, cancel = Conflict.objects.order_by("start")
    owner = room_type.property.partner.memberships.get().user
    channels.conflict_resolve(conflict=keep, actor=owner, keep_ours=True)
    channels.conflict_resolve(conflict=cancel, actor=owner, keep_ours=False)
    assert Booking.objects.get(pk=first.pk).status == "confirmed"
    assert Booking.objects.get(pk=second.pk).status == "cancelled_by_property"
    assert GuaranteeCase.objects.filter(booking=second).exists()


def test_doing_nothing_until_the_deadline_starts_the_guarantee(feed_server):
    fund_guarantee()
    room_type = RoomTypeFactory(property=PropertyFactory(), rooms=1)
    booking = confirmed_booking(room_type, days_ahead=6, nights=1)
    feed_server.routes["/d.ics"] = (200, ics(("x", booking.check_in, booking.check_out)))
    channels.feed_import(feed_id=CalendarFeedFactory(room_type=room_type, url=feed_server.url("/d.ics")).pk)
    Conflict.objects.update(deadline=timezone.now() - timedelta(seconds=1))
    assert channels.conflicts_due() == 1
    assert Booking.objects.get(pk=booking.pk).status == "cancelled_by_property"
    assert Conflict.objects.get().status == "expired"
    assert GuaranteeCase.objects.get(booking=booking).reason.startswith("unresolved double booking")


@pytest.mark.parametrize(
    "route, body, status, why",
    [
        ("/broken.ics", b"this is not a calendar", 200, "not a valid iCal"),
        ("/missing.ics", b"", 404, "answered 404"),
        ("/huge.ics", b"X" * 5000, 200, "too big"),
    ],
)
def test_bad_feeds_are_reported_to_the_owner_and_change_nothing(
    feed_server, settings, route, body, status, why
):
    settings.BOOKINGS_FEED_MAX_BYTES = 4096
    prop = PropertyFactory()
    room_type = RoomTypeFactory(property=prop, rooms=1)
    day = timezone.localdate() + timedelta(days=4)
    feed_server.routes["/ok.ics"] = (200, ics(("keep", day, day + timedelta(days=1))))
    feed = CalendarFeedFactory(room_type=room_type, url=feed_server.url("/ok.ics"))
    channels.feed_import(feed_id=feed.pk)
    feed_server.routes[route] = (status, body)
    CalendarFeed.objects.filter(pk=feed.pk).update(url=feed_server.url(route))
    assert channels.feed_import(feed_id=feed.pk) == "failed"
    feed.refresh_from_db()
    assert feed.state == "failing" and why in feed.last_error and feed.failures == 1
    assert feed.blocks.count() == 1 and Night.objects.get(room_type=room_type, date=day).external == 1
    owner = prop.partner.memberships.get().user
    assert Notification.objects.filter(user=owner, title__contains="could not be imported").count() == 1


def test_an_unreachable_feed_is_reported(settings):
    settings.BOOKINGS_FEED_TIMEOUT_SECONDS = 2
    room_type = RoomTypeFactory(property=PropertyFactory())
    feed = CalendarFeedFactory(
        room_type=room_type, url="http://127.0.0.1:9/closed.ics"
    )  # the discard port: nothing listens
    assert channels.feed_import(feed_id=feed.pk) == "failed"
    feed.refresh_from_db()
    assert feed.state == "failing" and "could not be reached" in feed.last_error


def test_private_addresses_are_refused_unless_allowed(settings):
    settings.BOOKINGS_FEED_ALLOW_PRIVATE = False
    room_type = RoomTypeFactory(property=PropertyFactory())
    feed = CalendarFeedFactory(room_type=room_type, url="http://127.0.0.1:8000/x.ics")
    assert channels.feed_import(feed_id=feed.pk) == "failed"
    feed.refresh_from_db()
    assert "private network" in feed.last_error


def test_our_export_parses_back_with_the_same_library():
    room_type = RoomTypeFactory(property=PropertyFactory(), rooms=2)
    booking = confirmed_booking(room_type, days_ahead=3, nights=2)
    stays = channels.parse(channels.ical_export(room_type=room_type))
    assert [(s.start, s.end) for s in stays] == [(booking.check_in, booking.check_out)]


def test_partner_api_adds_a_feed_imports_it_on_demand_and_lists_conflicts(feed_server):
    from rest_framework.test import APIClient

    from .factories import LodgingPartnerFactory

    partner = LodgingPartnerFactory()
    room_type = RoomTypeFactory(property=PropertyFactory(partner=partner), rooms=1)
    booking = confirmed_booking(room_type, days_ahead=6, nights=1)
    feed_server.routes["/api.ics"] = (200, ics(("z", booking.check_in, booking.check_out)))
    client = APIClient()
    client.force_authenticate(partner.owner)
    added = client.post(
        "/api/v1/bookings/partner/feeds/",
        {"room_type": room_type.pk, "name": "Booking.com", "url": feed_server.url("/api.ics")},
        format="json",
    )
    assert added.status_code == 201, added.json()
    imported = client.post(f"/api/v1/bookings/partner/feeds/{added.json()['id']}/import/")
    assert (
        imported.status_code == 200
        and imported.json()["state"] == "ok"
        and imported.json()["age_seconds"] == 0
    )
    conflicts = client.get("/api/v1/bookings/partner/conflicts/").json()
    assert [(c["booking_code"], c["status"]) for c in conflicts] == [(booking.code, "open")]
    resolved = client.post(
        f"/api/v1/bookings/partner/conflicts/{conflicts[0]['id']}/resolve/",
        {"keep_ours": True},
        format="json",
    )
    assert resolved.status_code == 200 and resolved.json()["status"] == "kept"
    other = APIClient()
    other.force_authenticate(LodgingPartnerFactory().owner)
    assert other.post(f"/api/v1/bookings/partner/feeds/{added.json()['id']}/import/").status_code == 404


def test_a_redirect_is_followed_only_to_a_calendar_address(feed_server, monkeypatch):
    room_type = RoomTypeFactory(property=PropertyFactory())
    day = timezone.localdate() + timedelta(days=3)
    feed_server.routes["/real.ics"] = (200, ics(("r", day, day + timedelta(days=1))))
    feed = CalendarFeedFactory(room_type=room_type, url=feed_server.url("/moved.ics"))

    # The server answers 404 for unknown paths; a redirect route is simulated with a 301 + Location.
    original = feed_server.server.RequestHandlerClass.do_GET

    def do_get(handler):
        if handler.path == "/moved.ics":
            handler.send_response(301)
            handler.send_header("Location", feed_server.url("/real.ics"))
            handler.send_header("Content-Length", "0")
            handler.end_headers()
            return
        original(handler)

    feed_server.server.RequestHandlerClass.do_GET = do_get
    assert channels.feed_import(feed_id=feed.pk) == "imported"
    # The redirect target is checked like the feed's own address: pretend it points into our network.
    real_check = channels._check_url

    def refuse_target(url, *, resolve=True):
        if url.endswith("/real.ics"):
            raise channels.FeedError("The calendar's address points into a private network.")
        return real_check(url, resolve=resolve)

    monkeypatch.setattr(channels, "_check_url", refuse_target)
    assert channels.feed_import(feed_id=feed.pk) == "failed"
    feed.refresh_from_db()
    assert "private network" in feed.last_error and feed.blocks.count() == 1


def test_a_name_that_turns_private_between_check_and_fetch_is_refused(settings, monkeypatch):
    """DNS rebinding: the check saw a public address, the connection would go to 127.0.0.1. The fetch
    connects only to the addresses it checks itself, so it is refused (and no proxy is used)."""
    settings.BOOKINGS_FEED_ALLOW_PRIVATE = False
    monkeypatch.setattr(channels, "_check_fetchable", lambda url: None)
    monkeypatch.setenv("http_proxy", "http://127.0.0.1:9")
    with pytest.raises(channels.FeedError, match="private network"):
        channels.fetch("http://127.0.0.1:9/calendar.ics")
    for address, public in [
        ("127.0.0.1", False),
        ("10.1.2.3", False),
        ("100.64.0.1", False),
        ("169.254.169.254", False),
        ("::ffff:127.0.0.1", False),
        ("0.0.0.0", False),
        ("8.8.8.8", True),
    ]:
        assert channels._public(address) is public, address
