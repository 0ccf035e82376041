"""A calendar that does not import is explained to the owner in a sentence of their language; the
network's technical words stay on the feed for staff."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from bookings.feed_errors import feed_error_kind, feed_error_sentence
from bookings.models import CalendarFeed
from bookings.services import channels
from trustplatform.notifications.models import Notification

from .factories import CalendarFeedFactory, LodgingPartnerFactory, PropertyFactory, RoomTypeFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("stored, kind", [
    ("The calendar could not be reached ([Errno -2] Name or service not known).", "not_found"),
    ("The calendar could not be reached ([Errno -3] Temporary failure in name resolution).", "not_found"),
    ("The calendar could not be reached (timed out).", "timeout"),
    ("The calendar could not be reached ([Errno 111] Connection refused).", "unreachable"),
    ("The calendar could not be reached (The calendar's address points into a private network.).", "private"),
    ("The calendar's server answered 404.", "refused"),
    ("The calendar is too big (9000000 bytes).", "too_big"),
    ("The file is not a valid iCal calendar.", "not_calendar"),
    ("something nobody foresaw", "unknown"),
])
def test_each_stored_failure_means_something_an_owner_can_act_on(stored, kind):
    assert feed_error_kind(stored) == kind
    for language in ("ko", "en"):
        with translation.override(language):
            sentence = feed_error_sentence(stored)
            assert sentence and "Errno" not in sentence and stored not in sentence


def test_a_failure_stored_in_korean_is_understood_in_english_too():
    with translation.override("ko"):
        stored = translation.gettext("The calendar's server answered %(status)s.") % {"status": 500}
    with translation.override("en"):
        assert feed_error_kind(stored) == "refused"


def test_a_feed_whose_host_does_not_exist_shows_a_sentence_not_the_network_error():
    partner = LodgingPartnerFactory()
    room_type = RoomTypeFactory(property=PropertyFactory(partner=partner))
    feed = CalendarFeedFactory(room_type=room_type, name="Airbnb", url="https://calendar.example.invalid/x.ics")
    assert channels.feed_import(feed_id=feed.pk) == "failed"
    feed.refresh_from_db()
    assert feed.state == CalendarFeed.State.FAILING and "Errno" in feed.last_error  # kept for staff

    client = Client()
    client.force_login(partner.owner)
    html = client.get(reverse("bookings_portal:feeds")).content.decode()
    assert escape(feed_error_sentence(feed.last_error)) in html
    assert "Errno" not in html and "Name or service" not in html
    notice = Notification.objects.get(user=partner.owner)
    assert "Errno" not in notice.title
    home = client.get(reverse("portal:dashboard")).content.decode()
    assert 'data-agenda="feed"' in home and "Errno" not in home
