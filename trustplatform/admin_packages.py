"""The packages' admin screens as staff use them, in Korean: authenticators (django-otp), sign-in
lockouts (django-axes) and the periodic tasks (django-celery-beat).

Each package's own screens edit what staff must not (a device's secret, a schedule that comes from
settings) and label things in English, so they are replaced here: authenticators are read and
deleted only (staff enrol on the project's own page), lockout records are read and deleted, and the
periodic tasks are listed with only `enabled` to change (to pause one); their schedule models are
not shown, since the schedule is `CELERY_BEAT_SCHEDULE`. Machine text (paths, browsers' user agents,
form data) is marked `translate="no"`.
"""

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.utils.html import format_html
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from django_celery_beat.models import (
    ClockedSchedule,
    CrontabSchedule,
    IntervalSchedule,
    PeriodicTask,
    SolarSchedule,
)
from django_otp.plugins.otp_totp.models import TOTPDevice

from trustplatform.admin_base import ReadOnlyAdmin
from trustplatform.ui import korean

# The tasks of CELERY_BEAT_SCHEDULE (and celery's own clean-up), by task name.
TASK_WORDS = {
    "trustplatform.accounts.tasks.phone_codes_purge":
        pgettext_lazy("periodic task", "Delete expired phone codes"),
    "trustplatform.notifications.tasks.messages_requeue_stale":
        pgettext_lazy("periodic task", "Send stuck messages again"),
    "trustplatform.ledger.tasks.ledger_reconcile_nightly":
        pgettext_lazy("periodic task", "Check the ledger every night"),
    "trustplatform.ledger.tasks.ledger_credits_fold":
        pgettext_lazy("periodic task", "Post queued credits to balances"),
    "trustplatform.notifications.tasks.notifications_purge":
        pgettext_lazy("periodic task", "Delete old notices and messages"),
    "masking.tasks.sessions_expire": pgettext_lazy("periodic task", "Close expired safe-number connections"),
    "masking.tasks.sessions_scrub": pgettext_lazy("periodic task", "Erase the numbers of closed connections"),
    "masking.tasks.pool_check": pgettext_lazy("periodic task", "Check the safe-number pool"),
    "trustplatform.partners.tasks.business_status_sweep":
        pgettext_lazy("periodic task", "Check partners' business status"),
    "trustplatform.payments.tasks.provider_events_sweep":
        pgettext_lazy("periodic task", "Apply waiting payment events"),
    "trustplatform.payments.tasks.payouts_sync": pgettext_lazy("periodic task", "Check payouts on their way"),
    "trustplatform.payments.tasks.refunds_sync": pgettext_lazy("periodic task", "Check refunds on their way"),
    "trustplatform.payments.tasks.payments_reconcile_nightly":
        pgettext_lazy("periodic task", "Reconcile payments with the provider every night"),
    "escrow.tasks.conditions_sweep": pgettext_lazy("periodic task", "Check escrow conditions"),
    "escrow.tasks.milestones_sweep": pgettext_lazy("periodic task", "Remind and approve milestones due"),
    "trustplatform.api.tasks.idempotent_requests_purge":
        pgettext_lazy("periodic task", "Delete old duplicate-request records"),
    "escrow.tasks.agreements_expire_sweep": pgettext_lazy("periodic task", "Expire unfunded agreements"),
    "masking.tasks.blocks_expire": pgettext_lazy("periodic task", "Lift expired number blocks"),
    "masking.tasks.unrouted_hints_drop": pgettext_lazy("periodic task", "Drop old call routing hints"),
    "bookings.tasks.case_answers_due": pgettext_lazy("periodic task", "Act on guarantee answers past due"),
    "bookings.tasks.feeds_import_due": pgettext_lazy("periodic task", "Import channel calendars"),
    "bookings.tasks.holds_expire": pgettext_lazy("periodic task", "Release unpaid booking holds"),
    "bookings.tasks.offers_due": pgettext_lazy("periodic task", "Act on room offers past due"),
    "bookings.tasks.conflicts_due": pgettext_lazy("periodic task", "Act on calendar conflicts"),
    "bookings.tasks.calendars_extend": pgettext_lazy("periodic task", "Extend room calendars"),
    "bookings.tasks.guest_phones_erase":
        pgettext_lazy("periodic task", "Erase guests' numbers after the stay"),
    "bookings.tasks.stays_finish_due": pgettext_lazy("periodic task", "Finish stays past checkout"),
    "trustplatform.ledger.tasks.guarantee_fund_check_daily":
        pgettext_lazy("periodic task", "Check the guarantee fund daily"),
    "listings.tasks.listings_rescore": pgettext_lazy("periodic task", "Rescore listings"),
    "listings.tasks.campaign_open_monthly":
        pgettext_lazy("periodic task", "Open the month's inspection campaign"),
    "listings.tasks.listings_sweep": pgettext_lazy("periodic task", "Lapse and archive listings"),
    "listings.tasks.badges_evaluate": pgettext_lazy("periodic task", "Evaluate brokerage badges"),
    "celery.backend_cleanup": pgettext_lazy("periodic task", "Clean up old task results"),
}

# Names the project gives authenticators when staff enrol (accounts.second_factor).
DEVICE_NAMES = {"authenticator": pgettext_lazy("authenticator", "Authenticator app")}


def _machine_text(value) -> str:
    return format_html('<code translate="no">{}</code>', value) if value else "—"


def _names_in_words() -> None:
    """Page titles and breadcrumbs show these rows by str(); the packages write it in English."""
    TOTPDevice.__str__ = lambda device: f"{DEVICE_NAMES.get(device.name, device.name)} ({device.user})"
    AccessAttempt.__str__ = lambda row: gettext("Failed sign-ins of %(user)s") % {"user": row.username}
    AccessLog.__str__ = lambda row: gettext("Sign-in of %(user)s at %(moment)s") % {
        "user": row.username, "moment": korean.moment(row.attempt_time, with_year=True)}
    PeriodicTask.__str__ = lambda task: str(TASK_WORDS.get(task.task, task.name))
    AccessFailureLog.__str__ = lambda row: gettext("Failed sign-in of %(user)s at %(moment)s") % {
        "user": row.username, "moment": korean.moment(row.attempt_time, with_year=True)}


_names_in_words()


class DeletableReadOnlyAdmin(ReadOnlyAdmin):
    """Read-only, but those with the delete permission may delete a row."""

    def has_delete_permission(self, request, obj=None):
        return admin.ModelAdmin.has_delete_permission(self, request, obj)


class TOTPDeviceAdmin(DeletableReadOnlyAdmin):
    """Who has an authenticator and when it was last used; deleting one makes its owner enrol again."""

    list_display = ["device_name", "user", "confirmed", "created_at", "last_used_at"]
    list_filter = ["confirmed"]
    search_fields = ["user__email", "user__full_name"]
    list_select_related = ["user"]
    # Shown through methods: the package's help texts are English.
    fields = readonly_fields = ["owner", "device_name", "confirmed_shown", "created", "last_used", "failures"]

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields

    @admin.display(description=_("user"))
    def owner(self, device) -> str:
        return str(device.user)

    @admin.display(description=_("created at"))
    def created(self, device) -> str:
        return korean.moment(device.created_at, with_year=True) if device.created_at else "—"

    @admin.display(description=_("last used at"))
    def last_used(self, device) -> str:
        return korean.moment(device.last_used_at, with_year=True) if device.last_used_at else "—"

    @admin.display(description=_("throttling failure count"))
    def failures(self, device) -> int:
        return device.throttling_failure_count

    @admin.display(description=_("name"), ordering="name")
    def device_name(self, device) -> str:
        return str(DEVICE_NAMES.get(device.name, device.name))

    @admin.display(description=_("confirmed"))
    def confirmed_shown(self, device) -> str:
        return gettext("Yes") if device.confirmed else gettext("No")


class _SignInAdmin(DeletableReadOnlyAdmin):
    date_hierarchy = "attempt_time"
    search_fields = ["ip_address", "username"]
    list_filter = ["attempt_time"]
    machine_fields = ("path_shown", "user_agent_shown", "http_accept_shown")

    def get_readonly_fields(self, request, obj=None):
        return self.fields

    @admin.display(description=_("Path"))
    def path_shown(self, row) -> str:
        return _machine_text(row.path_info)

    @admin.display(description=_("User Agent"))
    def user_agent_shown(self, row) -> str:
        return _machine_text(row.user_agent)

    @admin.display(description=_("HTTP Accept"))
    def http_accept_shown(self, row) -> str:
        return _machine_text(row.http_accept)


class AccessAttemptAdmin(_SignInAdmin):
    """An account's or an address's failed sign-ins; deleting the row lifts its lockout."""

    list_display = ["attempt_time", "username", "ip_address", "failures_since_start", "path_shown"]
    fields = ["username", "ip_address", "attempt_time", "failures_since_start", "path_shown",
              "user_agent_shown", "http_accept_shown", "get_data_shown", "post_data_shown"]

    @admin.display(description=_("GET Data"))
    def get_data_shown(self, row) -> str:
        return _machine_text(row.get_data)

    @admin.display(description=_("POST Data"))
    def post_data_shown(self, row) -> str:
        return _machine_text(row.post_data)


class AccessLogAdmin(_SignInAdmin):
    list_display = ["attempt_time", "logout_time", "username", "ip_address", "path_shown"]
    list_filter = ["attempt_time", "logout_time"]
    fields = ["username", "ip_address", "attempt_time", "logout_time", "path_shown", "user_agent_shown",
              "http_accept_shown"]


class AccessFailureLogAdmin(_SignInAdmin):
    list_display = ["attempt_time", "username", "ip_address", "locked_out", "path_shown"]
    list_filter = ["attempt_time", "locked_out"]
    fields = ["username", "ip_address", "attempt_time", "locked_out", "path_shown", "user_agent_shown",
              "http_accept_shown"]


def schedule_words(task: PeriodicTask) -> str:
    """When a periodic task runs, as the schedules in settings are written: "매일 03:30", "10분마다"."""
    if task.crontab_id:
        return _crontab_words(task.crontab)
    if task.interval_id:
        unit = {"days": 86400, "hours": 3600, "minutes": 60}.get(task.interval.period, 1)
        seconds = task.interval.every * unit
        if seconds % 3600 == 0:
            return gettext("Every %(n)s hours") % {"n": seconds // 3600}
        if seconds % 60 == 0:
            return gettext("Every %(n)s minutes") % {"n": seconds // 60}
        return gettext("Every %(n)s seconds") % {"n": seconds}
    return "—"


def _crontab_words(crontab: CrontabSchedule) -> str:
    minute, hour, day, month, weekday = (crontab.minute, crontab.hour, crontab.day_of_month,
                                         crontab.month_of_year, crontab.day_of_week)
    if (month, weekday) != ("*", "*"):
        return _machine_text(f"{minute} {hour} {day} {month} {weekday}")
    if hour == "*" and day == "*":
        if minute == "*":
            return gettext("Every minute")
        if minute.startswith("*/"):
            return gettext("Every %(n)s minutes") % {"n": minute[2:]}
        if minute.isdigit():
            return gettext("Every hour at minute %(minute)s") % {"minute": minute}
        start, _dash, step = minute.partition("-")
        if start.isdigit() and "/" in step:
            every = step.split("/")[1]
            return gettext("Every %(n)s minutes from minute %(start)s") % {"n": every, "start": start}
    if minute.isdigit() and hour.isdigit():
        time = f"{int(hour):02d}:{int(minute):02d}"
        if day == "*":
            return gettext("Every day at %(time)s") % {"time": time}
        if day.isdigit():
            return gettext("On day %(day)s of every month at %(time)s") % {"day": day, "time": time}
    return _machine_text(f"{minute} {hour} {day} {month} {weekday}")


class PeriodicTaskAdmin(admin.ModelAdmin):
    """The tasks the beat runs; staff pause one by unticking `enabled`, nothing else changes here."""

    list_display = ["task_words", "schedule_shown", "enabled", "last_run", "total_run_count"]
    list_display_links = ["task_words"]
    list_editable = ["enabled"]
    list_filter = ["enabled"]
    list_select_related = ["crontab", "interval"]
    fields = ["task_words", "schedule_shown", "enabled", "last_run", "total_run_count"]
    readonly_fields = ["task_words", "schedule_shown", "last_run", "total_run_count"]
    actions = None

    @admin.display(description=pgettext_lazy("periodic task", "last run"), ordering="last_run_at")
    def last_run(self, task) -> str:
        return korean.moment(task.last_run_at, with_year=True) if task.last_run_at else "—"

    @admin.display(description=pgettext_lazy("periodic task", "task"), ordering="task")
    def task_words(self, task) -> str:
        words = TASK_WORDS.get(task.task)
        return str(words) if words else _machine_text(task.task)

    @admin.display(description=pgettext_lazy("periodic task", "runs"))
    def schedule_shown(self, task) -> str:
        return schedule_words(task)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def _replace(model, model_admin) -> None:
    if admin.site.is_registered(model):
        admin.site.unregister(model)
    if model_admin is not None:
        admin.site.register(model, model_admin)


for _model, _model_admin in (
    (TOTPDevice, TOTPDeviceAdmin),
    (AccessAttempt, AccessAttemptAdmin),
    (AccessLog, AccessLogAdmin),
    (AccessFailureLog, AccessFailureLogAdmin),
    (PeriodicTask, PeriodicTaskAdmin),
    (ClockedSchedule, None),
    (CrontabSchedule, None),
    (IntervalSchedule, None),
    (SolarSchedule, None),
):
    _replace(_model, _model_admin)
