"""The packages' admin screens as the project replaces them: authenticators read and deleted only,
lockout records read, the periodic tasks paused through `enabled` alone, their schedules in words."""

import pytest
from django.conf import settings
from django.contrib import admin
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django_celery_beat.models import (
    ClockedSchedule,
    CrontabSchedule,
    IntervalSchedule,
    PeriodicTask,
    SolarSchedule,
)
from django_celery_beat.schedulers import ModelEntry
from django_otp.plugins.otp_totp.models import TOTPDevice

from trustplatform.admin_packages import TASK_WORDS, schedule_words

from ..factories import StaffFactory

pytestmark = pytest.mark.django_db


def _beat_schedule():
    for name, entry in settings.CELERY_BEAT_SCHEDULE.items():
        ModelEntry.from_entry(name, **entry)


def test_the_schedule_models_are_not_in_the_admin_since_settings_hold_the_schedule():
    for model in (ClockedSchedule, CrontabSchedule, IntervalSchedule, SolarSchedule):
        assert not admin.site.is_registered(model)
    with pytest.raises(NoReverseMatch):
        reverse("admin:django_celery_beat_crontabschedule_changelist")


def test_every_scheduled_task_has_words_and_its_schedule_reads_in_words():
    _beat_schedule()
    with translation.override("en"):
        for task in PeriodicTask.objects.select_related("crontab", "interval"):
            assert task.task in TASK_WORDS, task.task
            assert "translate" not in schedule_words(task), (task.name, schedule_words(task))
    every_ten = PeriodicTask.objects.get(task="trustplatform.payments.tasks.refunds_sync")
    nightly = PeriodicTask.objects.get(task="trustplatform.ledger.tasks.ledger_reconcile_nightly")
    with translation.override("en"):
        assert schedule_words(every_ten) == "Every 10 minutes from minute 5"
        assert schedule_words(nightly) == "Every day at 03:30"


def test_staff_pause_a_periodic_task_and_change_nothing_else(client):
    _beat_schedule()
    task = PeriodicTask.objects.get(task="masking.tasks.pool_check")
    client.force_login(StaffFactory(is_superuser=True))
    url = reverse("admin:django_celery_beat_periodictask_change", args=[task.pk])
    response = client.post(url, {"enabled": "", "task": "escrow.tasks.conditions_sweep", "name": "renamed"})
    assert response.status_code == 302
    task.refresh_from_db()
    assert (task.enabled, task.task, task.name) == (False, "masking.tasks.pool_check", "masking-pool-check")
    assert client.get(reverse("admin:django_celery_beat_periodictask_add")).status_code == 403


def test_an_authenticator_is_read_and_deleted_never_added_or_edited(client):
    staff = StaffFactory(is_superuser=True)
    client.force_login(staff)
    device = TOTPDevice.objects.get(user=staff)
    change = client.get(reverse("admin:otp_totp_totpdevice_change", args=[device.pk]))
    assert change.status_code == 200
    assert device.key.encode() not in change.content and b'name="_save"' not in change.content
    assert client.get(reverse("admin:otp_totp_totpdevice_add")).status_code == 403
    delete = reverse("admin:otp_totp_totpdevice_delete", args=[device.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 302
    assert not TOTPDevice.objects.filter(pk=device.pk).exists()
