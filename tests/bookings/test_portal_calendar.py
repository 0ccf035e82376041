"""The owner's month calendar: every night's state in words and colour, months back and forth, and a
range of nights stopped or opened through the inventory service, for the roles that may."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from bookings.models import Night
from bookings.services import inventory
from tests.factories import MembershipFactory, UserFactory
from trustplatform.partners.models import Membership

from .factories import LodgingPartnerFactory, PropertyFactory, RoomTypeFactory, confirmed_booking

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _cell(html: str, day) -> str:
    match = re.search(rf'<td class="cal-day ([^"]*)" data-date="{day.isoformat()}" data-state="(\w+)"', html)
    assert match, day
    return match.group(2)


@pytest.fixture
def room():
    """A two-room type in a month with nights of every state, from the day after tomorrow on."""
    partner = LodgingPartnerFactory()
    room_type = RoomTypeFactory(property=PropertyFactory(partner=partner), rooms=2, days=40)
    return partner, room_type


def test_the_month_shows_each_state_of_a_night(room):
    partner, room_type = room
    today = timezone.localdate()
    day = today + timedelta(days=2)
    confirmed_booking(room_type, days_ahead=2, nights=1)
    confirmed_booking(room_type, days_ahead=2, nights=1)  # both rooms sold
    Night.objects.filter(room_type=room_type, date=day + timedelta(days=1)).update(external=2)
    Night.objects.filter(room_type=room_type, date=day + timedelta(days=2)).update(stop_sell=True)
    Night.objects.filter(room_type=room_type, date=day + timedelta(days=3)).delete()
    shown = {day + timedelta(days=offset) for offset in range(5)}
    months = sorted({(d.year, d.month) for d in shown})
    states = {}
    for year, month in months:
        html = _client(partner.owner).get(
            reverse("bookings_portal:calendar", args=[room_type.pk]), {"month": f"{year}-{month:02d}"}
        ).content.decode()
        for each in shown:
            if (each.year, each.month) == (year, month):
                states[each] = _cell(html, each)
        assert 'class="cal-legend"' in html  # the legend says in words what each colour means
    assert [states[day + timedelta(days=offset)] for offset in range(5)] == [
        "sold", "external", "stopped", "unopened", "available"]


def test_previous_and_next_month_links_move_by_one_month(room):
    partner, room_type = room
    html = _client(partner.owner).get(
        reverse("bookings_portal:calendar", args=[room_type.pk]), {"month": "2027-01"}).content.decode()
    assert 'href="?month=2026-12"' in html and 'href="?month=2027-02"' in html
    assert 'data-date="2027-01-31"' in html and 'data-date="2027-02-01"' not in html


def test_a_two_night_range_is_stopped_through_the_inventory_service(room, monkeypatch):
    partner, room_type = room
    first = timezone.localdate() + timedelta(days=5)
    calls = []
    real = inventory.calendar_update
    monkeypatch.setattr(inventory, "calendar_update", lambda **kwargs: calls.append(kwargs) or real(**kwargs))
    url = reverse("bookings_portal:calendar", args=[room_type.pk])
    two_nights = {"start": first.isoformat(), "last": (first + timedelta(days=1)).isoformat()}
    response = _client(partner.owner).post(url, {**two_nights, "stop_sell": "true"})
    assert response.status_code == 302
    assert len(calls) == 1 and calls[0]["end"] == first + timedelta(days=2) and calls[0]["stop_sell"] is True
    stopped = set(Night.objects.filter(room_type=room_type, stop_sell=True).values_list("date", flat=True))
    assert stopped == {first, first + timedelta(days=1)}
    # ...and opened again the same way.
    _client(partner.owner).post(url, {**two_nights, "stop_sell": "false"})
    assert not Night.objects.filter(room_type=room_type, stop_sell=True).exists()


def test_a_member_in_the_staff_role_sees_the_calendar_but_may_not_change_it(room):
    partner, room_type = room
    front_desk = UserFactory(is_staff=False)
    MembershipFactory(user=front_desk, partner=partner, role=Membership.Role.STAFF)
    url = reverse("bookings_portal:calendar", args=[room_type.pk])
    page = _client(front_desk).get(url)
    assert page.status_code == 200 and 'id="range-form"' not in page.content.decode()
    first = timezone.localdate() + timedelta(days=5)
    refused = _client(front_desk).post(
        url, {"start": first.isoformat(), "last": first.isoformat(), "stop_sell": "true"})
    assert refused.status_code == 403
    assert not Night.objects.filter(room_type=room_type, stop_sell=True).exists()


def test_without_javascript_two_taps_choose_the_range_through_the_address(room):
    partner, room_type = room
    first = timezone.localdate() + timedelta(days=3)
    last = first + timedelta(days=1)
    client = _client(partner.owner)
    url = reverse("bookings_portal:calendar", args=[room_type.pk])
    html = client.get(url, {"month": f"{first:%Y-%m}", "start": first.isoformat()}).content.decode()
    assert f"start={first.isoformat()}&amp;last={last.isoformat()}" in html  # the next tap ends the range
    html = client.get(url, {"month": f"{first:%Y-%m}", "start": first.isoformat(),
                            "last": last.isoformat()}).content.decode()
    assert f'value="{first.isoformat()}"' in html and f'value="{last.isoformat()}"' in html
