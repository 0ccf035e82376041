"""Consumer pages and the owner portal render and act; the portal never shows a guest's real number."""

import pytest
from django.test import Client

from bookings.models import Booking, GuaranteeCase
from bookings.services.stays import booking_cancel_by_property

from .factories import (
    HAEUNDAE,
    GuestFactory,
    LodgingPartnerFactory,
    PropertyFactory,
    RoomTypeFactory,
    confirmed_booking,
    fund_guarantee,
    stay_dates,
)

pytestmark = pytest.mark.django_db


def _login(user):
    client = Client()
    client.force_login(user)
    return client


def test_search_page_lists_places_with_a_free_room():
    RoomTypeFactory(property=PropertyFactory(name="오션 스테이"), price_krw=88_000)
    check_in, check_out = stay_dates(3, 1)
    page = Client().get(
        "/stays/",
        {"place": "haeundae", "check_in": check_in, "check_out": check_out, "guests": 2, "sort": "distance"},
    )
    assert page.status_code == 200 and "오션 스테이" in page.content.decode()


def test_guest_books_from_the_property_page_and_pays_at_the_sandbox_checkout(settings):
    prop = PropertyFactory(name="해변 호텔")
    room_type = RoomTypeFactory(property=prop, price_krw=100_000)
    user = GuestFactory()
    client = _login(user)
    check_in, check_out = stay_dates(3, 2)
    stay = {"check_in": check_in.isoformat(), "check_out": check_out.isoformat(), "guests": 2}
    assert "200,000" in client.get(f"/stays/p/{prop.pk}/", stay).content.decode()
    form = client.get(f"/stays/book/{room_type.pk}/", stay)
    assert form.status_code == 200
    response = client.post(
        f"/stays/book/{room_type.pk}/",
        {**stay, "room_type": room_type.pk, "guest_name": "김안심", "guest_phone": ""},
    )
    assert response.status_code == 302 and "/checkout/" in response.url
    booking = Booking.objects.get(guest=user)
    assert booking.status == "pending_payment"
    assert client.get(response.url).status_code == 200
    assert client.get("/stays/bookings/").status_code == 200
    assert client.get(f"/stays/bookings/{booking.code}/").status_code == 200
    assert GuestFactory() and Client().get(f"/stays/bookings/{booking.code}/").status_code == 302


def test_portal_pages_render_for_the_owner_and_show_only_virtual_numbers():
    partner = LodgingPartnerFactory()
    prop = PropertyFactory(partner=partner)
    room_type = RoomTypeFactory(property=prop)
    booking = confirmed_booking(room_type)
    client = _login(partner.owner)
    for url in [
        "/portal/stays/",
        f"/portal/stays/properties/{prop.pk}/",
        "/portal/stays/properties/new/",
        f"/portal/stays/properties/{prop.pk}/rooms/{room_type.pk}/",
        f"/portal/stays/rooms/{room_type.pk}/calendar/",
        "/portal/stays/bookings/",
        f"/portal/stays/bookings/{booking.code}/",
        "/portal/stays/feeds/",
    ]:
        page = client.get(url)
        assert page.status_code == 200, url
        assert booking.guest_phone not in page.content.decode()
        assert booking.guest.phone[-4:] + "<" not in page.content.decode()


def test_owner_cancels_with_a_reason_in_the_portal_and_a_case_opens():
    fund_guarantee()
    partner = LodgingPartnerFactory()
    booking = confirmed_booking(RoomTypeFactory(property=PropertyFactory(partner=partner)))
    client = _login(partner.owner)
    response = client.post(
        f"/portal/stays/bookings/{booking.code}/", {"reason": "보일러 고장", "confirmed": "yes"}
    )
    assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.status == "cancelled_by_property" and booking.cancel_reason == "보일러 고장"
    assert GuaranteeCase.objects.filter(booking=booking).exists()


def test_another_partners_booking_is_a_404_in_the_portal():
    booking = confirmed_booking(RoomTypeFactory(property=PropertyFactory()))
    stranger = LodgingPartnerFactory()
    assert _login(stranger.owner).get(f"/portal/stays/bookings/{booking.code}/").status_code == 404


def test_owner_adds_a_property_and_room_type_and_sets_the_calendar():
    partner = LodgingPartnerFactory()
    client = _login(partner.owner)
    response = client.post(
        "/portal/stays/properties/new/",
        {
            "name": "광안 게스트하우스",
            "description": "",
            "address": "부산 수영구",
            "city": "부산",
            "is_urban": "on",
            "latitude": HAEUNDAE[0],
            "longitude": HAEUNDAE[1] - 0.04,
            "star_class": 3,
            "amenities": ["wifi"],
            "contact_phone": "010-2222-3333",
            "cancellation_policy": "moderate",
            "check_in_time": "15:00",
            "check_out_time": "11:00",
            "is_active": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    prop = partner.properties.get()
    response = client.post(
        f"/portal/stays/properties/{prop.pk}/rooms/new/",
        {
            "name": "Double",
            "grade": 2,
            "capacity": 2,
            "beds": "Queen",
            "price_krw": 70_000,
            "rooms": 3,
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    room_type = prop.room_types.get()
    assert room_type.nights.count() >= 365
    check_in, check_out = stay_dates(2, 3)
    response = client.post(
        f"/portal/stays/rooms/{room_type.pk}/calendar/",
        {"start": check_in, "end": check_out, "price_krw": 95_000, "stop_sell": "true"},
    )
    assert response.status_code == 302
    assert set(
        room_type.nights.filter(date__gte=check_in, date__lt=check_out).values_list("price_krw", "stop_sell")
    ) == {(95_000, True)}


def test_ical_export_lists_our_bookings_without_guest_data():
    room_type = RoomTypeFactory(property=PropertyFactory())
    booking = confirmed_booking(room_type)
    body = Client().get(f"/stays/ical/{room_type.export_token}.ics").content.decode()
    assert "BEGIN:VCALENDAR" in body and f"{booking.code}@ansim.kr" in body
    assert booking.guest_name not in body
    assert Client().get("/stays/ical/not-a-token.ics").status_code == 404


def test_owner_uploads_a_photo_and_guests_see_it(settings, tmp_path):
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    settings.MEDIA_ROOT = tmp_path
    partner = LodgingPartnerFactory()
    prop = PropertyFactory(partner=partner)
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "teal").save(buffer, "PNG")
    upload = SimpleUploadedFile("lobby.png", buffer.getvalue(), content_type="image/png")
    response = _login(partner.owner).post(
        f"/portal/stays/properties/{prop.pk}/photos/", {"image": upload, "caption": "로비"}
    )
    assert response.status_code == 302 and prop.photos.count() == 1
    assert 'alt="로비"' in Client().get(f"/stays/p/{prop.pk}/").content.decode()


def test_the_texted_offer_link_works_without_logging_in_and_books_the_room():
    from bookings.services import guarantee

    fund_guarantee()
    prop = PropertyFactory()
    booking = confirmed_booking(RoomTypeFactory(property=prop, grade=1), days_ahead=4)
    better = RoomTypeFactory(property=prop, grade=2, price_krw=130_000, name="Deluxe")
    case = booking_cancel_by_property(booking=booking, actor=None, reason="leak")
    assert guarantee.case_search(case_id=case.pk) == "offered"
    token = case.candidates.get(status="offered").accept_token
    page = Client().get(f"/stays/offers/{token}/")
    assert page.status_code == 200 and "Deluxe" in page.content.decode()
    assert Client().post(f"/stays/offers/{token}/", {"choice": token}).status_code == 302
    case.refresh_from_db()
    assert case.status == "rebooked" and case.rebooked.room_type == better
    assert Client().get("/stays/offers/not-a-token/").status_code == 404
    assert _login(GuestFactory()).get(f"/stays/offers/{token}/").status_code == 404  # another guest


def test_an_offer_page_never_accepts_a_room_of_another_case():
    from bookings.services import guarantee

    fund_guarantee()
    prop = PropertyFactory()
    room = RoomTypeFactory(property=prop, grade=1, rooms=2)
    RoomTypeFactory(property=prop, grade=2, price_krw=130_000, rooms=2, name="Deluxe")
    mine = confirmed_booking(room, days_ahead=4)
    theirs = confirmed_booking(room, days_ahead=4)
    cases = [booking_cancel_by_property(booking=b, actor=None, reason="leak") for b in (mine, theirs)]
    for case in cases:
        assert guarantee.case_search(case_id=case.pk) == "offered"
    my_token = cases[0].candidates.filter(status="offered").first().accept_token
    their_token = cases[1].candidates.filter(status="offered").first().accept_token
    response = Client().post(f"/stays/offers/{my_token}/", {"choice": their_token})
    assert response.status_code == 404
    cases[1].refresh_from_db()
    assert cases[1].status == "offered"
