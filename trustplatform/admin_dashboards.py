"""The staff dashboards: charts each app registers from its own admin module, drawn on one admin page.

The core imports no app: an app calls `dashboard_register(DashboardChart(...))` from its admin module
(loaded by the admin's autodiscovery), naming the permission that shows the chart and a selector of
its own that computes the figures. The page passes each chart's figures to the script with
json_script, and writes them out as a table too, for screen readers and for people who read numbers.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.contrib import admin
from django.template.response import TemplateResponse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from trustplatform.ui import korean


@dataclass(frozen=True)
class Series:
    label: str
    values: Sequence[int | float | None]
    kind: str = ""  # "line" or "bar"; empty: the chart's kind
    unit: str = "count"  # count, won, hours or percent: how the table writes the values


@dataclass(frozen=True)
class ChartData:
    labels: Sequence[str]  # each period in words, for the table
    series: Sequence[Series]
    summary: str  # one or two sentences: what the chart shows now
    axis_labels: Sequence[str] = ()  # shorter ones under the chart, if the words are long


@dataclass(frozen=True)
class DashboardChart:
    key: str  # unique, used as the element id
    title: str
    compute: Callable[[], ChartData]
    permissions: tuple[str, ...]  # any of these shows the chart
    kind: str = "bar"
    order: int = 100
    group: str = field(default="")  # a heading the charts sit under


_charts: dict[str, DashboardChart] = {}


def dashboard_register(chart: DashboardChart) -> DashboardChart:
    """Add (or replace, on a module's reload) one chart on the staff dashboards."""
    _charts[chart.key] = chart
    return chart


def dashboard_chart(*, key: str, title: str, permissions: tuple[str, ...], group: str, order: int):
    """Register the decorated function as the figures of one chart (see `dashboard_register`)."""

    def register(compute: Callable[[], ChartData]) -> Callable[[], ChartData]:
        dashboard_register(DashboardChart(
            key=key, title=title, compute=compute, permissions=permissions, group=group, order=order
        ))
        return compute

    return register


def dashboard_charts(*, user) -> list[DashboardChart]:
    """The registered charts this person may see, in their order."""
    return sorted(
        (chart for chart in _charts.values() if any(user.has_perm(p) for p in chart.permissions)),
        key=lambda chart: (chart.order, chart.key),
    )


def week_starts(*, weeks: int, today: date | None = None) -> list[date]:
    """The Mondays (Korean calendar) of the last `weeks` weeks, oldest first, this week last."""
    today = today or timezone.localdate()
    monday = today - timedelta(days=today.weekday())
    return [monday - timedelta(weeks=back) for back in range(weeks - 1, -1, -1)]


def month_starts(*, months: int, today: date | None = None) -> list[date]:
    """The first days of the last `months` months (Korean calendar), oldest first, this month last."""
    today = today or timezone.localdate()
    year, month = today.year, today.month
    firsts = []
    for _back in range(months):
        firsts.append(date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return firsts[::-1]


def local_start(day: date) -> datetime:
    """Midnight of `day` in Korea's time, as an aware moment for queries."""
    return datetime(day.year, day.month, day.day, tzinfo=korean.KST)


def week_label(monday: date) -> str:
    return _("week of %(day)s") % {"day": korean.day(monday)}


def short_day(day: date) -> str:
    """A period's start under a chart: "11/30", as Korean charts mark their axes."""
    return f"{day.month}/{day.day}"


def month_label(first: date) -> str:
    """A month as its readers write it: "2026년 12월", or "Dec 2026"."""
    if (translation.get_language() or "ko").startswith("ko"):
        return f"{first.year}년 {first.month}월"
    return f"{first:%b %Y}"


def chart_by_week(*, starts: Sequence[date], series: Sequence[Series], summary: str) -> ChartData:
    """Figures per week from `week_starts`: each week in words for the table, its Monday under the chart."""
    return ChartData(
        labels=[week_label(start) for start in starts],
        axis_labels=[short_day(start) for start in starts],
        series=series,
        summary=summary,
    )


def chart_by_month(*, starts: Sequence[date], series: Sequence[Series], summary: str) -> ChartData:
    """Figures per month from `month_starts`, each month as its readers write it."""
    return ChartData(labels=[month_label(start) for start in starts], series=series, summary=summary)


def _cell(value, unit: str) -> str:
    if value is None:
        return "—"
    if unit == "won":
        return korean.won(value)
    if unit == "hours":
        return _("%(hours)s h") % {"hours": f"{value:.1f}"}
    if unit == "percent":
        return f"{value:.0f}%"
    return f"{value:,}"


def _panel(chart: DashboardChart) -> dict:
    data = chart.compute()
    return {
        "key": chart.key,
        "title": chart.title,
        "group": chart.group,
        "summary": data.summary,
        "data_id": f"chart-{chart.key}-data",
        "headers": [s.label for s in data.series],
        "rows": [
            (label, [_cell(s.values[index], s.unit) for s in data.series])
            for index, label in enumerate(data.labels)
        ],
        # What the script draws with: plain numbers and strings only.
        "config": {
            "kind": chart.kind,
            "labels": [str(label) for label in data.labels],
            "axis_labels": [str(label) for label in data.axis_labels] or None,
            "datasets": [
                {"label": str(s.label), "data": list(s.values), "kind": s.kind or chart.kind, "unit": s.unit}
                for s in data.series
            ],
        },
    }


def dashboards_view(request):
    """The dashboards page: every chart the signed-in staff member may see."""
    panels = [_panel(chart) for chart in dashboard_charts(user=request.user)]
    context = {
        **admin.site.each_context(request),
        "title": _("Dashboards"),
        "panels": panels,
        "generated_at": timezone.now(),
    }
    return TemplateResponse(request, "admin/dashboards.html", context)
