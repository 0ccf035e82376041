"""A guest's and an owner's cancellations wait for an explicit confirmation of the money they name; the
refund shown before is the refund applied, and shown after; a second booking of the same room and dates
is warned about and refused unless meant; the page of a payment in flight watches it instead of offering
to pay again."""

import re

import pytest
from django.test import Client
from django.utils import timezone

from bookings.models import Booking, GuaranteeCase
from bookings.services import money, stays
from trustplatform.payments.models import Payment, Refund
from trustplatform.payments.tasks import sandbox_webhook_deliver
from trustplatform.ui.korean import won

from .factories import (
    GuestFactory,
    LodgingPartnerFactory,
    PropertyFactory,
    RoomTypeFactory,
    confirmed_booking,
    fund_guarantee,
    stay_dates,
)

pytestmark = pytest.mark.django_db


def _login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _attr(page: str, element_id: str, name: str) -> str:
    match = re.search(rf'id="{element_id}"[^>]*\b{name}="([^"]*)"', page)
    assert match, f"#{element_id} with {name} not on the page"
    return match.group(1)


def _moderate_booking(days_ahead=5):
    """Confirmed and paid, five days ahead under the moderate policy: half comes back."""
    room_type = RoomTypeFactory(property=PropertyFactory(cancellation_policy="moderate"), price_krw=100_000)
    return confirmed_booking(room_type, days_ahead=days_ahead, nights=2)


def test_the_refund_shown_before_cancelling_is_the_refund_applied_and_shown_after(settled):
    booking = _moderate_booking()
    client = _login(booking.guest)
    detail = f"/stays/bookings/{booking.code}/"
    page = client.get(detail).content.decode()
    preview = stays.booking_cancel_preview(booking=booking)
    assert 0 < preview.refund_krw < booking.guest_paid_krw  # this policy keeps part of it
    assert int(_attr(page, "cancel-preview", "data-refund")) == preview.refund_krw
    dialog = page[page.index('id="cancel-confirm"'):]
    assert won(preview.refund_krw) in dialog[: dialog.index("</dialog>")]

    # Without the explicit confirmation nothing is cancelled.
    response = client.post(f"{detail}cancel/", {"reason": "일정 변경", "refund_krw": preview.refund_krw})
    assert response.status_code == 200
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED

    with settled():
        response = client.post(
            f"{detail}cancel/", {"reason": "일정 변경", "refund_krw": preview.refund_krw, "confirmed": "yes"}
        )
    assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CANCELLED_BY_GUEST
    refunds = Refund.objects.filter(payment__in=booking.payments.all())
    assert [refund.amount_krw for refund in refunds] == [preview.refund_krw]
    after = client.get(detail).content.decode()
    assert f'data-refund-amount="{preview.refund_krw}"' in after

    client.post(f"{detail}cancel/", {"refund_krw": preview.refund_krw, "confirmed": "yes"})  # again: nothing
    assert Refund.objects.filter(payment__in=booking.payments.all()).count() == 1


def test_a_refund_that_changed_since_the_page_was_shown_is_refused(settled):
    booking = _moderate_booking()
    preview = stays.booking_cancel_preview(booking=booking)
    response = _login(booking.guest).post(
        f"/stays/bookings/{booking.code}/cancel/",
        {"refund_krw": preview.refund_krw + 1000, "confirmed": "yes"},
    )
    assert response.status_code == 200
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED
    assert not Refund.objects.filter(payment__in=booking.payments.all()).exists()


def test_the_preview_follows_the_policy_table_the_cancellation_uses():
    booking = _moderate_booking(days_ahead=5)
    preview = stays.booking_cancel_preview(booking=booking)
    today = timezone.localdate()
    assert preview.refund_krw == money.guest_refund_krw(booking=booking, today=today)
    assert preview.refund_krw + preview.kept_krw == preview.paid_krw == booking.guest_paid_krw


def test_an_unpaid_booking_cancels_for_nothing_once_confirmed():
    guest = GuestFactory()
    room_type = RoomTypeFactory(price_krw=80_000)
    booking = stays.booking_hold(guest=guest, room_type=room_type, check_in=stay_dates()[0],
                                 check_out=stay_dates()[1], guests=2)
    assert stays.booking_cancel_preview(booking=booking).refund_krw == 0
    client = _login(guest)
    client.post(f"/stays/bookings/{booking.code}/cancel/", {"refund_krw": 0})
    booking.refresh_from_db()
    assert booking.status == Booking.Status.PENDING_PAYMENT
    client.post(f"/stays/bookings/{booking.code}/cancel/", {"refund_krw": 0, "confirmed": "yes"})
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CANCELLED_BY_GUEST


# --- the owner's cancellation ----------------------------------------------------------------------


def test_the_owner_sees_the_penalty_and_cancels_only_when_confirmed():
    fund_guarantee()
    partner = LodgingPartnerFactory()
    booking = confirmed_booking(RoomTypeFactory(property=PropertyFactory(partner=partner)))
    client = _login(partner.owner)
    url = f"/portal/stays/bookings/{booking.code}/"
    page = client.get(url).content.decode()
    dialog = page[page.index('id="cancel-confirm"'):]
    assert won(money.penalty_krw(booking)) in dialog[: dialog.index("</dialog>")]

    assert client.post(url, {"reason": "보일러 고장"}).status_code == 200
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED and not GuaranteeCase.objects.exists()

    assert client.post(url, {"reason": "보일러 고장", "confirmed": "yes"}).status_code == 302
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CANCELLED_BY_PROPERTY
    assert GuaranteeCase.objects.filter(booking=booking).count() == 1


def test_an_empty_reason_is_shown_beside_the_field_not_in_a_closed_section():
    partner = LodgingPartnerFactory()
    booking = confirmed_booking(RoomTypeFactory(property=PropertyFactory(partner=partner)))
    response = _login(partner.owner).post(
        f"/portal/stays/bookings/{booking.code}/", {"reason": "", "confirmed": "yes"}
    )
    page = response.content.decode()
    assert response.status_code == 200 and 'id="reason-error"' in page
    form = page[page.index('id="cancel-form"'):]
    assert form.index('id="reason-error"') < form.index("</form>")
    assert "<details" not in page[page.index('id="cancel"') - 200: page.index('id="cancel-form"')]
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED


# --- a second booking of the same room and dates ---------------------------------------------------


def _book(client, room_type, stay, **extra):
    return client.post(
        f"/stays/book/{room_type.pk}/",
        {**stay, "room_type": room_type.pk, "guest_name": "김안심", "guest_phone": "", **extra},
    )


def test_a_second_booking_of_the_same_room_and_dates_is_warned_about_and_refused_unless_meant():
    room_type = RoomTypeFactory(rooms=3)
    guest = GuestFactory()
    client = _login(guest)
    check_in, check_out = stay_dates(4, 2)
    stay = {"check_in": check_in.isoformat(), "check_out": check_out.isoformat(), "guests": 2}
    form_page = client.get(f"/stays/book/{room_type.pk}/", stay).content.decode()  # the second tab
    assert 'id="duplicate-warning"' not in form_page

    assert _book(client, room_type, stay).status_code == 302  # the first tab books
    first = Booking.objects.get(guest=guest)

    refused = _book(client, room_type, stay)  # the second tab submits the same
    page = refused.content.decode()
    assert refused.status_code == 200 and 'id="duplicate-warning"' in page
    assert f'href="/stays/bookings/{first.code}/"' in page
    assert Booking.objects.filter(guest=guest).count() == 1

    again = client.get(f"/stays/book/{room_type.pk}/", stay).content.decode()
    assert 'id="duplicate-warning"' in again and first.code in again

    assert _book(client, room_type, stay, another="on").status_code == 302  # meant: a second room
    assert Booking.objects.filter(guest=guest).count() == 2


def test_other_dates_or_another_guest_are_not_duplicates():
    room_type = RoomTypeFactory()
    guest = GuestFactory()
    check_in, check_out = stay_dates(4, 2)
    stay = {"check_in": check_in.isoformat(), "check_out": check_out.isoformat(), "guests": 2}
    assert _book(_login(guest), room_type, stay).status_code == 302
    later_in, later_out = stay_dates(6, 1)  # starts the day the first stay ends
    later = {"check_in": later_in.isoformat(), "check_out": later_out.isoformat(), "guests": 2}
    page = _login(guest).get(f"/stays/book/{room_type.pk}/", later).content.decode()
    assert 'id="duplicate-warning"' not in page
    page = _login(GuestFactory()).get(f"/stays/book/{room_type.pk}/", stay).content.decode()
    assert 'id="duplicate-warning"' not in page


# --- a payment in flight ---------------------------------------------------------------------------


def test_the_booking_page_watches_a_payment_in_flight_and_stops_offering_to_pay(monkeypatch):
    sent = []
    monkeypatch.setattr(sandbox_webhook_deliver, "delay_on_commit", lambda body, headers: sent.append(body))
    room_type = RoomTypeFactory()
    guest = GuestFactory()
    client = _login(guest)
    check_in, check_out = stay_dates(4, 2)
    stay = {"check_in": check_in.isoformat(), "check_out": check_out.isoformat(), "guests": 2}
    checkout = _book(client, room_type, stay)["Location"]
    booking = Booking.objects.get(guest=guest)
    detail = f"/stays/bookings/{booking.code}/"
    assert 'id="pay-now"' in client.get(detail).content.decode()

    client.post(checkout)  # paid at the checkout; the payment company's confirmation is on its way
    assert len(sent) == 1
    payment = Payment.objects.get(pk=int(checkout.rstrip("/").rsplit("/", 1)[1]))
    page = client.get(detail).content.decode()
    assert 'id="pay-now"' not in page and 'id="processing"' in page
    assert f'data-poll-url="/payments/{payment.pk}/status/"' in page
    assert '<meta http-equiv="refresh"' in page  # without JavaScript the page reloads itself
    assert 'id="psp-pay"' not in client.get(checkout).content.decode()
    assert client.get(f"/payments/{payment.pk}/status/").json() == {"status": "pending"}
    assert _login(GuestFactory()).get(f"/payments/{payment.pk}/status/").status_code == 404
