"""The beat entries of the bookings app name real tasks; the sweeps run through their tasks."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from bookings import tasks
from bookings.models import Booking
from bookings.services.stays import booking_hold
from trustplatform.celery import app

from .factories import GuestFactory, PropertyFactory, RoomTypeFactory, stay_dates

pytestmark = pytest.mark.django_db


def test_every_bookings_beat_entry_names_a_registered_task():
    app.loader.import_default_modules()
    entries = {k: v for k, v in settings.CELERY_BEAT_SCHEDULE.items() if k.startswith("bookings-")}
    # feeds, holds, offers, conflicts, calendars, guest phones, guarantee answers, stays finished
    assert len(entries) == 8
    for entry in entries.values():
        assert entry["task"] in app.tasks, entry["task"]


def test_the_hold_sweep_task_expires_unpaid_holds():
    room_type = RoomTypeFactory(property=PropertyFactory())
    check_in, check_out = stay_dates()
    booking = booking_hold(
        guest=GuestFactory(), room_type=room_type, check_in=check_in, check_out=check_out, guests=2
    )
    Booking.objects.filter(pk=booking.pk).update(hold_expires_at=timezone.now() - timedelta(minutes=1))
    assert tasks.holds_expire() == 1
    assert Booking.objects.get(pk=booking.pk).status == "expired"
    assert tasks.offers_due() == 0
    assert tasks.conflicts_due() == 0
