"""Search costs the same number of queries whatever it finds; property texts carry only safe numbers."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from bookings import selectors
from bookings.services.common import guest_number_for_property
from bookings.services.stays import booking_announce
from tests.masking.factories import ProxyNumberFactory
from trustplatform.notifications.models import Notification
from trustplatform.ui.korean import day, phone

from .factories import (
    HAEUNDAE,
    LodgingPartnerFactory,
    PropertyFactory,
    RoomTypeFactory,
    confirmed_booking,
    stay_dates,
)

pytestmark = pytest.mark.django_db


def _search(radius):
    check_in, check_out = stay_dates(3, 2)
    return selectors.SearchQuery(
        lat=HAEUNDAE[0], lng=HAEUNDAE[1], check_in=check_in, check_out=check_out, radius_m=radius
    )


def test_queries_per_search_do_not_grow_with_results():
    partner = LodgingPartnerFactory()
    for index in range(12):
        prop = PropertyFactory(partner=partner, latitude=HAEUNDAE[0] + index * 0.002)
        RoomTypeFactory(property=prop, days=10)
        RoomTypeFactory(property=prop, grade=2, days=10)
    with CaptureQueriesContext(connection) as few:
        small = selectors.search(_search(300))
    with CaptureQueriesContext(connection) as many:
        large = selectors.search(_search(5000))
    assert len(small) < len(large) == 12
    assert len(few) == len(many) <= 2


def test_haversine_and_bounding_box_agree():
    lat, lng = HAEUNDAE
    south, north, west, east = selectors.bounding_box(lat, lng, 1000)
    assert 990 < selectors.haversine_m(lat, lng, north, lng) < 1010
    assert 990 < selectors.haversine_m(lat, lng, lat, east) < 1010
    assert selectors.haversine_m(lat, lng, lat + 0.01, lng) == pytest.approx(1112, rel=0.01)


def test_the_property_is_told_of_a_booking_with_the_safe_number_never_the_real_one():
    for index in range(4):
        ProxyNumberFactory(e164=f"+8250500001{index:03d}")
    partner = LodgingPartnerFactory()
    booking = confirmed_booking(RoomTypeFactory(property=PropertyFactory(partner=partner)), days_ahead=3)
    booking_announce(booking_id=booking.pk)
    booking.refresh_from_db()
    assert booking.masked_session_id is not None
    notice = Notification.objects.get(user=partner.owner, title__contains=booking.code)
    # In the form people dial ("050-…"), and the date as they read it, in the owner's language.
    assert phone(guest_number_for_property(booking)) in notice.title, notice.title
    assert "+82" not in notice.title
    with translation.override(partner.owner.language):
        assert day(booking.check_in) in notice.title
    assert booking.check_in.isoformat() not in notice.title
    assert booking.guest_phone not in notice.title and booking.guest_phone[-8:] not in notice.title
