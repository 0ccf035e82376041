"""The owner's day: the portal home lists what needs the acting member now, each item linked to the
page where it is handled, scoped to the partner acted for and to what the member's role may do."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from tests.bookings.factories import (
    ConflictFactory,
    LodgingPartnerFactory,
    PropertyFactory,
    RoomTypeFactory,
    confirmed_booking,
)
from tests.factories import MembershipFactory, PayoutAccountFactory, UserFactory
from trustplatform.ledger.services import ledger_transfer, partner_payable, platform_account
from trustplatform.partners.models import Membership
from trustplatform.payments import payouts
from trustplatform.ui import korean

pytestmark = pytest.mark.django_db


def _home(user) -> str:
    client = Client()
    client.force_login(user)
    page = client.get(reverse("portal:dashboard"))
    assert page.status_code == 200
    return page.content.decode()


def _items(html: str, kind: str) -> list[str]:
    return re.findall(rf'<li class="day-item[^"]*" data-agenda="{kind}">(.*?)</li>', html, re.S)


def _credit(partner, amount_krw: int) -> None:
    ledger_transfer(debit=platform_account("platform-capital"), credit=partner_payable(partner),
                    amount_krw=amount_krw, key=f"test-credit-{partner.pk}", reason="test credit")


@pytest.fixture
def hotel_day():
    """A hotel whose guest arrives today, with a double booking to resolve and a payout under way."""
    partner = LodgingPartnerFactory(representative="박대표")
    room_type = RoomTypeFactory(property=PropertyFactory(partner=partner), name="오션 더블")
    arriving = confirmed_booking(room_type, days_ahead=0, nights=1)
    later = confirmed_booking(RoomTypeFactory(property=room_type.property, name="트윈"), days_ahead=3)
    conflict = ConflictFactory(booking=later, deadline=timezone.now() + timedelta(hours=20))
    _credit(partner, 500_000)
    account = PayoutAccountFactory(partner=partner, number="110123454321")
    payout = payouts.payout_request(partner=partner, amount_krw=200_000, actor=partner.owner)
    return partner, arriving, conflict, account, payout


def test_the_home_lists_todays_arrival_the_conflict_with_its_deadline_and_the_payout_and_account(hotel_day):
    partner, arriving, conflict, account, payout = hotel_day
    html = _home(partner.owner)

    [arrival] = _items(html, "check_in")
    assert arriving.guest_name in arrival
    assert reverse("bookings_portal:booking", args=[arriving.code]) in arrival

    [double] = _items(html, "conflict")
    assert conflict.feed.name in double
    assert reverse("bookings_portal:conflict", args=[conflict.pk]) in double
    assert korean.moment(conflict.deadline) in double  # the deadline, in Korea's time

    [sent] = _items(html, "payout_requested")
    assert korean.won(payout.amount_krw) in sent
    assert account.number_hint in sent and account.number not in html  # masked, never the whole number
    [ready] = _items(html, "payable")
    assert korean.won(300_000) in ready and account.number_hint in ready


def test_nothing_of_another_partner_is_listed(hotel_day):
    partner, arriving, conflict, account, payout = hotel_day
    other = LodgingPartnerFactory()
    html = _home(other.owner)
    assert arriving.guest_name not in html and arriving.code not in html
    assert conflict.booking.code not in html and account.number_hint not in html
    assert 'id="day-empty"' in html  # an empty day says so


def test_a_member_in_the_staff_role_sees_only_what_the_role_may_do(hotel_day):
    partner, arriving, conflict, account, payout = hotel_day
    front_desk = UserFactory(is_staff=False)
    MembershipFactory(user=front_desk, partner=partner, role=Membership.Role.STAFF)
    html = _home(front_desk)
    assert len(_items(html, "check_in")) == 1  # recording arrivals is front-desk work
    assert not _items(html, "conflict")  # cancelling is for owners and managers
    assert not _items(html, "payout_requested") and not _items(html, "payable")
    assert account.number_hint not in html


def test_an_empty_day_says_so_in_both_languages():
    partner = LodgingPartnerFactory()
    for language in ("ko", "en"):
        with translation.override(language):
            client = Client(headers={"accept-language": language})
            client.force_login(partner.owner)
            client.cookies["django_language"] = language
            html = client.get(reverse("portal:dashboard")).content.decode()
            assert gettext("Nothing needs you right now.") in html
