"""The owner portal's month calendar of a room type: each night available, sold, taken by another
channel, or stopped; a range of nights is chosen (two taps, or the form without JavaScript) and then
stopped, opened, or given rooms and a price through the inventory service."""

import calendar as calendar_module
from dataclasses import dataclass
from datetime import date, timedelta

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy, ngettext, pgettext, pgettext_lazy

from trustplatform.pages import refusal_shown
from trustplatform.partners.roles import PartnerAction, PartnerRoleForbidden, partner_may

from . import selectors
from .forms_calendar import CalendarRangeForm
from .models import Night
from .portal import lodging_view
from .services import inventory

# What a night is, in the legend's words and order, and the short word its day shows (the grid says it
# in text and pattern too, never by colour alone).
STATES = {
    "available": (gettext_lazy("On sale"), pgettext_lazy("calendar day", "On sale")),
    "sold": (gettext_lazy("Sold out here"), pgettext_lazy("calendar day", "Sold out")),
    "external": (gettext_lazy("Taken on another channel"), pgettext_lazy("calendar day", "Other")),
    "stopped": (gettext_lazy("Sale stopped"), pgettext_lazy("calendar day", "Stopped")),
    "unopened": (gettext_lazy("Not open yet"), pgettext_lazy("calendar day", "Closed")),
}


@dataclass(frozen=True)
class Day:
    date: date
    in_month: bool
    past: bool
    night: Night | None
    selected: bool = False
    pick_url: str = ""  # without JavaScript, a tap chooses the range through the address

    @property
    def state(self) -> str:
        night = self.night
        if night is None:
            return "unopened"
        if night.stop_sell:
            return "stopped"
        if night.available > 0:
            return "available"
        return "sold" if night.sold >= night.rooms else "external"

    @property
    def label(self) -> str:
        return str(STATES[self.state][0])

    @property
    def short(self) -> str:
        return str(STATES[self.state][1])


def _month(request, today: date) -> date:
    try:
        month = date.fromisoformat(request.GET.get("month", "") + "-01")
    except ValueError:
        return today.replace(day=1)
    # Far outside any stay (and the month after year 9999 has no date): back to this month.
    return month if date(2000, 1, 1) <= month <= date(9000, 1, 1) else today.replace(day=1)


def _day(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _pick_url(day: date, month: date, start: date | None, last: date | None) -> str:
    """The address a tap on `day` leads to: it starts a range, or ends the one started."""
    if start is not None and last is None and day >= start:
        return f"?month={month:%Y-%m}&start={start.isoformat()}&last={day.isoformat()}#range"
    return f"?month={month:%Y-%m}&start={day.isoformat()}#range"


def _weeks(room_type, month: date, today: date, start: date | None, last: date | None) -> list[list[Day]]:
    """The month's weeks, Sunday first as Korean calendars are, with the nights of the days shown."""
    weeks = calendar_module.Calendar(firstweekday=calendar_module.SUNDAY).monthdatescalendar(
        month.year, month.month)
    nights = {
        night.date: night
        for night in Night.objects.filter(room_type=room_type, date__gte=weeks[0][0], date__lte=weeks[-1][-1])
    }
    until = last or start
    return [
        [Day(date=day, in_month=day.month == month.month, past=day < today, night=nights.get(day),
             selected=bool(start and start <= day <= until), pick_url=_pick_url(day, month, start, last))
         for day in week]
        for week in weeks
    ]


def _weekday_names() -> list[str]:
    return [
        pgettext("weekday, short", "Sun"), pgettext("weekday, short", "Mon"),
        pgettext("weekday, short", "Tue"), pgettext("weekday, short", "Wed"),
        pgettext("weekday, short", "Thu"), pgettext("weekday, short", "Fri"),
        pgettext("weekday, short", "Sat"),
    ]


@lodging_view
def calendar(request, room_type_id: int):
    room_types = selectors.partner_room_types(partner=request.partner).order_by(
        "property__name", "grade", "pk")
    room_type = get_object_or_404(room_types, pk=room_type_id)
    today = timezone.localdate()
    month = _month(request, today)
    may_edit = partner_may(user=request.user, partner=request.partner, action=PartnerAction.CALENDAR_EDIT)
    start, last = _day(request.GET.get("start")), _day(request.GET.get("last"))
    form = CalendarRangeForm(request.POST or None, initial={"start": start, "last": last or start})
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with refusal_shown(form=form) as shown:
            changed = inventory.calendar_update(
                room_type=room_type, actor=request.user, start=data["start"], end=data["end"],
                rooms=data.get("rooms"), price_krw=data.get("price_krw"), stop_sell=data.get("stop_sell"),
            )
            messages.success(request, ngettext("%(n)s night updated.", "%(n)s nights updated.", changed)
                             % {"n": changed})
            return redirect(f"{request.path}?month={data['start']:%Y-%m}")
        if isinstance(shown.error, PartnerRoleForbidden):
            status = 403
    previous = (month - timedelta(days=1)).replace(day=1)
    following = (month + timedelta(days=32)).replace(day=1)
    return render(
        request,
        "bookings/portal/calendar.html",
        {
            "room_type": room_type,
            "room_types": room_types,
            "weeks": _weeks(room_type, month, today, start, last),
            "weekdays": _weekday_names(),
            "states": [(state, label) for state, (label, _short) in STATES.items()],
            "form": form,
            "may_edit": may_edit,
            "month": month,
            "previous": previous,
            "next": following,
            "this_month": today.replace(day=1),
            "selected_start": start,
            "selected_last": last,
            "export_url": request.build_absolute_uri(
                reverse("bookings:ical_export", args=[room_type.export_token])),
        },
        status=status,
    )

