"""The owner-portal page "what you need for the 안심중개사 badge": each criterion of the badge rule
with the brokerage's own number beside the threshold, and who decides its badge now."""

from dataclasses import dataclass

from django.conf import settings
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from . import selectors
from .badge_rule import BadgeCriterion, BadgeMeasures, badge_criteria, badge_measures
from .portal import brokerage_view


@dataclass(frozen=True)
class CriterionRow:
    criterion: BadgeCriterion
    value: str
    needed: str


def _amount(value: int, unit: str) -> str:
    if unit == "days":
        return ngettext("%(count)s day", "%(count)s days", value) % {"count": f"{value:,}"}
    if unit == "percent":
        return f"{value}%"
    return f"{value:,}"


def _needed(criterion: BadgeCriterion) -> str:
    if criterion.at_most and criterion.threshold == 0:
        return _("none")
    amount = _amount(criterion.threshold, criterion.unit)
    return (_("at most %(amount)s") if criterion.at_most else _("at least %(amount)s")) % {"amount": amount}


def _rows(measures: BadgeMeasures) -> list[CriterionRow]:
    return [
        CriterionRow(criterion, _amount(criterion.value, criterion.unit), _needed(criterion))
        for criterion in badge_criteria(measures)
    ]


@brokerage_view
def badge(request):
    measures = badge_measures(partner_ids=[request.partner.pk]).get(request.partner.pk)
    rows = _rows(measures) if measures else []
    return render(
        request,
        "listings/portal_badge.html",
        {
            "standing": selectors.standing_of(request.partner),
            "measures": measures,
            "rows": rows,
            "all_met": bool(rows) and all(row.criterion.met for row in rows),
            "clean_days": settings.LISTINGS_BADGE_CLEAN_DAYS,
        },
    )
