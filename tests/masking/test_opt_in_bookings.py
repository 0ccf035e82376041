"""The safe-number choice at the booking checkout: ticked, the property sees only a proxy number;
unticked, it is given the guest's own number and no safe number is ever opened; the answer is
remembered for the next checkout and on the safe-numbers page, and the API takes and tells it."""

import re

import pytest
from django.test import Client
from django.utils import translation
from rest_framework.test import APIClient

from bookings.models import Booking
from bookings.services import guarantee
from bookings.services.common import guest_phone_for_property, safe_number_choose, safe_numbers_open_due
from bookings.services.stays import booking_cancel_by_property, booking_hold
from masking.models import MaskedSession, Preference
from tests.bookings.factories import (
    GuestFactory,
    LodgingPartnerFactory,
    PropertyFactory,
    RoomTypeFactory,
    fund_guarantee,
    pay,
    stay_dates,
)
from trustplatform.notifications.models import Notification
from trustplatform.ui.korean import phone

from .factories import ProxyNumberFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def hotel():
    ProxyNumberFactory.create_batch(4)
    partner = LodgingPartnerFactory()
    return partner, RoomTypeFactory(property=PropertyFactory(partner=partner))


def _login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _stay(room_type) -> dict:
    check_in, check_out = stay_dates(4, 2)
    return {"check_in": check_in.isoformat(), "check_out": check_out.isoformat(), "guests": 2}


def _book(client, room_type, *, safe: bool) -> Booking:
    """Book through the checkout form, the box ticked or not, and pay (the property is then told)."""
    form = {**_stay(room_type), "room_type": room_type.pk, "guest_name": "김안심", "guest_phone": "",
            "use_safe_number-shown": "1"}
    if safe:
        form["use_safe_number"] = "on"
    response = client.post(f"/stays/book/{room_type.pk}/", form)
    assert response.status_code == 302, response.content.decode()
    return Booking.objects.filter(room_type=room_type).latest("created_at")


def _confirm(booking, capture) -> Booking:
    with capture(execute=True):  # the confirmation task opens the safe number and tells the property
        assert pay(booking) == "confirmed"
    booking.refresh_from_db()
    return booking


def _national(e164: str) -> str:
    return f"0{e164[3:5]}-{e164[5:9]}-{e164[9:]}"


def _ticked(html: str) -> bool:
    tag = re.search(r'<input[^>]*name="use_safe_number"[^>]*>', html).group(0)
    return "checked" in tag


def test_ticked_the_property_sees_only_the_proxy_number(hotel, django_capture_on_commit_callbacks):
    partner, room_type = hotel
    guest = GuestFactory()
    booking = _confirm(_book(_login(guest), room_type, safe=True), django_capture_on_commit_callbacks)
    session = MaskedSession.objects.get(pk=booking.masked_session_id)
    proxy = session.participants.get(side="business").proxy_number.e164
    real = _national(guest.phone)

    page = _login(partner.owner).get(f"/portal/stays/bookings/{booking.code}/").content.decode()
    assert proxy in page and real not in page and 'id="guest-phone"' not in page
    listed = _login(partner.owner).get("/portal/stays/bookings/").content.decode()
    assert proxy in listed and real not in listed
    told = Notification.objects.get(user=partner.owner, url__endswith=f"/{booking.code}/")
    assert phone(proxy) in told.title and real not in told.title  # as the owner dials it
    rows = APIClient()
    rows.force_authenticate(partner.owner)
    row = rows.get("/api/v1/bookings/partner/bookings/").json()[0]
    assert (row["guest_safe_number"], row["guest_own_number"]) == (proxy, "")


def test_unticked_the_property_gets_the_guests_own_number_and_no_safe_number(
        hotel, django_capture_on_commit_callbacks):
    partner, room_type = hotel
    guest = GuestFactory()
    booking = _confirm(_book(_login(guest), room_type, safe=False), django_capture_on_commit_callbacks)
    real = _national(guest.phone)

    assert booking.masked_session_id is None and not MaskedSession.objects.exists()
    safe_numbers_open_due()  # the nightly sweep does not open one against the guest's choice either
    assert not MaskedSession.objects.exists()
    page = _login(partner.owner).get(f"/portal/stays/bookings/{booking.code}/").content.decode()
    assert f'id="guest-phone">{real}<' in page
    assert real in _login(partner.owner).get("/portal/stays/bookings/").content.decode()
    told = Notification.objects.get(user=partner.owner, url__endswith=f"/{booking.code}/")
    assert real in told.title
    mine = _login(guest).get(f"/stays/bookings/{booking.code}/").content.decode()
    assert 'id="own-number"' in mine and 'id="safe-number"' not in mine
    rows = APIClient()
    rows.force_authenticate(partner.owner)
    row = rows.get("/api/v1/bookings/partner/bookings/").json()[0]
    assert (row["guest_safe_number"], row["guest_own_number"]) == ("", real)


def test_the_answer_is_remembered_for_the_next_checkout_and_on_the_safe_numbers_page(hotel):
    _partner, room_type = hotel
    guest = GuestFactory()
    client = _login(guest)
    assert _ticked(client.get(f"/stays/book/{room_type.pk}/", _stay(room_type)).content.decode())
    _book(client, room_type, safe=False)
    assert Preference.objects.get(user=guest).use_safe_number is False
    assert not _ticked(client.get(f"/stays/book/{room_type.pk}/", _stay(room_type)).content.decode())
    assert not _ticked(client.get("/safe-numbers/").content.decode())

    client.post("/safe-numbers/preference/", {"use_safe_number": "on"})  # changed on the page
    assert _ticked(client.get(f"/stays/book/{room_type.pk}/", _stay(room_type)).content.decode())


def test_a_form_posted_without_the_box_takes_the_remembered_answer(hotel, django_capture_on_commit_callbacks):
    _partner, room_type = hotel
    guest = GuestFactory()
    Preference.objects.create(user=guest, use_safe_number=False)
    form = {**_stay(room_type), "room_type": room_type.pk, "guest_name": "김안심", "guest_phone": ""}
    assert _login(guest).post(f"/stays/book/{room_type.pk}/", form).status_code == 302
    booking = _confirm(Booking.objects.get(guest=guest), django_capture_on_commit_callbacks)
    assert booking.masked_session_id is None


@pytest.mark.parametrize(("sent", "used"), [(False, False), (True, True), (None, False)])
def test_the_api_takes_the_answer_and_says_which_was_used(hotel, sent, used):
    _partner, room_type = hotel
    guest = GuestFactory()
    Preference.objects.create(user=guest, use_safe_number=False)  # what "not sent" falls back to
    client = APIClient()
    client.force_authenticate(guest)
    body = {"room_type": room_type.pk, **_stay(room_type)}
    if sent is not None:
        body["use_safe_number"] = sent
    response = client.post("/api/v1/bookings/", body, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["use_safe_number"] is used
    assert client.get(f"/api/v1/bookings/{response.json()['code']}/").json()["use_safe_number"] is used
    assert Preference.objects.get(user=guest).use_safe_number is used


def test_the_api_refuses_a_non_boolean_answer_with_a_400(hotel):
    _partner, room_type = hotel
    client = APIClient()
    client.force_authenticate(GuestFactory())
    response = client.post("/api/v1/bookings/", {"room_type": room_type.pk, **_stay(room_type),
                                                 "use_safe_number": "perhaps"}, format="json")
    assert response.status_code == 400 and "use_safe_number" in response.json()["fields"]
    assert not Booking.objects.exists()


def test_a_guarantee_rebooking_keeps_the_guests_answer(settings):
    settings.BOOKINGS_AUTO_REBOOK_HOURS = 24 * 30  # rebooked at once
    fund_guarantee()
    ProxyNumberFactory.create_batch(4)
    prop = PropertyFactory(rating="4.5", review_count=300, star_class=4, amenities=["wifi", "ocean_view"])
    guest = GuestFactory()
    check_in, check_out = stay_dates(2, 2)
    booking = booking_hold(guest=guest, room_type=RoomTypeFactory(property=prop, grade=2), check_in=check_in,
                           check_out=check_out, guests=2)
    safe_number_choose(booking=booking, use_safe_number=False)
    assert pay(booking) == "confirmed"
    RoomTypeFactory(property=prop, grade=3, price_krw=130_000)

    case = booking_cancel_by_property(booking=booking, actor=None, reason="overbooked")
    assert guarantee.case_search(case_id=case.pk) == "rebooked"
    case.refresh_from_db()
    safe_numbers_open_due()
    assert case.rebooked.masked_session_id is None and not MaskedSession.objects.exists()
    assert guest_phone_for_property(case.rebooked) == _national(guest.phone)
