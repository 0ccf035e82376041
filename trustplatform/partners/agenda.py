"""What needs a partner now, for the portal home: today's arrivals, answers owed before a deadline,
money on its way. The core imports no app, so each app (and each core module) hands in its own items
through a function registered in its `agenda` module, found at start-up the way admin modules are.

    # bookings/agenda.py
    from trustplatform.partners.agenda import AgendaItem, Section, agenda_provider

    @agenda_provider
    def stays_today(*, partner, role, today) -> list[AgendaItem]: ...

An item names the partner action it leads to; the portal shows it only to members whose role allows
that action, so a page never offers what the person may not do.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from django.utils import timezone
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _

from .roles import ALLOWED, MANAGERS, PartnerAction
from .selectors import membership_role


class Section(StrEnum):
    TODAY = "today"
    ANSWER = "answer"
    MONEY = "money"


SECTION_TITLES = {
    Section.TODAY: _("Today at your property"),
    Section.ANSWER: _("Waiting for your answer"),
    Section.MONEY: _("Payouts"),
}


@dataclass(frozen=True)
class AgendaItem:
    """One thing that needs the partner, in words, with the page where it is handled."""

    section: Section
    kind: str  # a stable name of what it is ("check_in", "conflict", ...), for pages and tests
    title: str
    url: str
    action: PartnerAction | None = None  # what the linked page lets the member do
    roles: frozenset[str] | None = None  # when no partner action names it (money): who may see it
    detail: str = ""
    due: datetime | date | None = None
    due_label: str = ""  # "Resolve by", "Answer by"...
    amount_krw: int | None = None
    tone: str = "info"  # danger, warn, info, ok: how urgent it is (always said in words too)
    icon: str = "alert"

    @property
    def due_has_time(self) -> bool:
        return isinstance(self.due, datetime)

    def allowed(self, role: str | None) -> bool:
        if role is None:
            return False
        if self.action is not None and role not in ALLOWED[self.action]:
            return False
        return self.roles is None or role in self.roles


AgendaProvider = Callable[..., list[AgendaItem]]
_providers: list[AgendaProvider] = []

# What money pages allow (trustplatform/payments keeps the same check): owners and managers.
MONEY_ROLES = MANAGERS


def agenda_provider(provider: AgendaProvider) -> AgendaProvider:
    """Register a function `(*, partner, role, today) -> list[AgendaItem]` (idempotent)."""
    if provider not in _providers:
        _providers.append(provider)
    return provider


def agenda_discover() -> None:
    """Import every installed app's `agenda` module, which registers its providers."""
    autodiscover_modules("agenda")


def _order(item: AgendaItem) -> tuple:
    due = item.due
    if isinstance(due, datetime):
        key = timezone.localtime(due).replace(tzinfo=None) if timezone.is_aware(due) else due
    elif isinstance(due, date):
        key = datetime(due.year, due.month, due.day)
    else:
        key = datetime.max
    return (list(Section).index(item.section), key, item.kind)


def partner_agenda(*, partner, user) -> list[tuple[Section, str, list[AgendaItem]]]:
    """The sections of the partner's day that have something for this member, each with its items,
    soonest deadline first."""
    role = membership_role(user=user, partner=partner)
    today = timezone.localdate()
    items = [
        item
        for provider in _providers
        for item in provider(partner=partner, role=role, today=today)
        if item.allowed(role)
    ]
    items.sort(key=_order)
    return [
        (section, SECTION_TITLES[section], [item for item in items if item.section == section])
        for section in Section
        if any(item.section == section for item in items)
    ]
