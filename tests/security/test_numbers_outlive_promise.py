"""Issue 13, item 8: real numbers that outlive the promise.

A safe number promises the real number is gone a day after the session ends. Three things kept it:
the booking's own copy of the guest's number, blocks (an HMAC of a Korean mobile is reversed by anyone
holding the key: there are only about 10^8 of them) with their hints, and the caller's hint of calls
that reached no session.
"""

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from bookings.models import Booking
from bookings.services.common import safe_number_open
from bookings.services.stays import booking_expire, booking_hold
from masking import services as masking
from masking.models import Block, Interaction, MaskedSession
from tests.bookings.factories import GuestFactory, RoomTypeFactory, confirmed_booking, stay_dates
from tests.masking.conftest import Telco, mobile
from tests.masking.factories import ProxyNumberFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _eager():
    from trustplatform.celery import app

    before = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = before


def _ended_long_ago(session: MaskedSession) -> None:
    past = timezone.now() - timedelta(hours=settings.MASKING_SCRUB_HOURS, minutes=1)
    MaskedSession.objects.filter(pk=session.pk).update(
        ended_at=past, opens_at=past - timedelta(hours=3), expires_at=past
    )


def _beat_runs(task: str) -> bool:
    return any(entry["task"] == task for entry in settings.CELERY_BEAT_SCHEDULE.values())


# --- the booking's copy of the guest's number -------------------------------------------------------


def test_the_guests_number_on_the_booking_is_erased_with_its_safe_numbers_scrub():
    ProxyNumberFactory.create_batch(2)
    booking = confirmed_booking(RoomTypeFactory())
    safe_number_open(booking=booking)
    booking.refresh_from_db()
    assert booking.masked_session_id and booking.guest_phone
    masking.session_complete(session=booking.masked_session)
    _ended_long_ago(booking.masked_session)

    assert masking.sessions_scrub_due() == 1

    booking.refresh_from_db()
    assert booking.guest_phone == ""
    assert booking.masked_session.status == MaskedSession.Status.SCRUBBED


def test_a_booking_that_never_had_a_safe_number_loses_the_guests_number_after_the_same_delay():
    from bookings import tasks

    room_type = RoomTypeFactory()
    check_in, check_out = stay_dates()
    lapsed = booking_hold(
        guest=GuestFactory(), room_type=room_type, check_in=check_in, check_out=check_out, guests=2
    )
    Booking.objects.filter(pk=lapsed.pk).update(hold_expires_at=timezone.now() - timedelta(minutes=1))
    assert booking_expire(booking_id=lapsed.pk)
    fresh = booking_hold(
        guest=GuestFactory(), room_type=room_type, check_in=check_in, check_out=check_out, guests=1
    )  # still waiting for its payment: its number is still needed
    tasks.guest_phones_erase.delay()
    lapsed.refresh_from_db()
    assert lapsed.guest_phone, "erased before the scrub delay passed"

    Booking.objects.filter(pk=lapsed.pk).update(
        cancelled_at=timezone.now() - timedelta(hours=settings.MASKING_SCRUB_HOURS, minutes=1)
    )
    tasks.guest_phones_erase.delay()

    lapsed.refresh_from_db()
    fresh.refresh_from_db()
    assert lapsed.guest_phone == "" and fresh.guest_phone
    assert _beat_runs("bookings.tasks.guest_phones_erase")


def test_a_stay_that_ended_without_a_safe_number_loses_the_guests_number():
    from bookings import tasks

    booking = confirmed_booking(RoomTypeFactory())  # no pool: no safe number was ever opened
    assert booking.masked_session_id is None and booking.guest_phone
    long_ago = timezone.localdate() - timedelta(days=3)
    Booking.objects.filter(pk=booking.pk).update(check_in=long_ago - timedelta(days=2), check_out=long_ago)
    tasks.guest_phones_erase.delay()
    booking.refresh_from_db()
    assert booking.guest_phone == ""


# --- blocks -----------------------------------------------------------------------------------------


def _blocked_session(consumer: str, business: str) -> Block:
    ProxyNumberFactory.create_batch(2)
    session = masking.session_open(
        consumer=masking.Party(phone=consumer, label="고객"),
        business=masking.Party(phone=business, label="가게"),
        expires_at=timezone.now() + timedelta(hours=3),
    )
    return masking.block_add(session=session, owner_side="consumer")


def test_a_block_expires_and_its_hmacs_and_hint_are_gone():
    from masking import tasks

    old = _blocked_session(mobile(81), mobile(82))
    recent = _blocked_session(mobile(83), mobile(84))
    assert old.blocked_hint and old.blocked_index
    Block.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - timedelta(days=settings.MASKING_BLOCK_DAYS, minutes=1)
    )

    tasks.blocks_expire.delay()

    assert not Block.objects.filter(pk=old.pk).exists()
    assert not Block.objects.filter(blocked_index=old.blocked_index).exists()
    assert not Block.objects.filter(owner_index=old.owner_index).exists()
    assert Block.objects.filter(pk=recent.pk).exists()
    assert _beat_runs("masking.tasks.blocks_expire")


def test_blocks_expire_after_a_setting_that_refuses_nonsense(monkeypatch):
    from django.core.exceptions import ImproperlyConfigured

    from tests.security.test_sandbox_tools_in_production import load_settings

    assert load_settings(MASKING_BLOCK_DAYS="90").MASKING_BLOCK_DAYS == 90
    with pytest.raises(ImproperlyConfigured):
        load_settings(MASKING_BLOCK_DAYS="0")


# --- calls that reached no session ------------------------------------------------------------------


def test_the_callers_hint_of_a_call_that_reached_no_session_is_dropped_after_a_day():
    from masking import tasks

    ProxyNumberFactory.create_batch(1)
    proxy = ProxyNumberFactory()
    telco = Telco(settings.MASKING_SANDBOX_AUTH_TOKEN)
    telco.call(caller=mobile(91), proxy=proxy.e164)
    telco.text(caller=mobile(92), proxy=proxy.e164, body="hello")
    old, recent = Interaction.objects.order_by("pk")
    assert old.session_id is None and old.caller_hint and old.request_digest
    Interaction.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(hours=24, minutes=1))

    tasks.unrouted_hints_drop.delay()

    old.refresh_from_db()
    recent.refresh_from_db()
    # Gone: the hint, and the digest, a keyed hash over the request that holds the caller's number.
    assert old.caller_hint == "" and old.request_digest == ""
    assert recent.caller_hint  # a day to look into abuse, no longer
    assert _beat_runs("masking.tasks.unrouted_hints_drop")
