"""The staff dashboards: each app's figures for a known set of rows (per Korean week or month), the
page that draws them for staff (figures in json_script and in a table), and nobody else."""

import json
import re
from datetime import date, datetime, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from bookings import selectors as booking_selectors
from bookings.models import GuaranteeCase
from listings import selectors as listing_selectors
from listings.models import Report, Strike
from masking import selectors as masking_selectors
from masking.models import MaskedSession
from tests.bookings.factories import PropertyFactory, RoomTypeFactory, confirmed_booking
from tests.factories import StaffFactory, UserFactory
from tests.listings.conftest import listing_data
from tests.listings.factories import BrokerageFactory
from trustplatform.admin_dashboards import month_starts, week_starts
from trustplatform.ledger import selectors as ledger_selectors
from trustplatform.ledger.services import ledger_transfer, platform_account
from trustplatform.ui.korean import KST

pytestmark = pytest.mark.django_db

TODAY = date(2026, 12, 10)  # a Thursday
WEEKS = week_starts(weeks=4, today=TODAY)  # Mondays Nov 16, 23, 30 and Dec 7
MONTHS = month_starts(months=3, today=TODAY)  # Oct 1, Nov 1, Dec 1


def at(day: date, hour: int = 12) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=KST)


def test_the_calendar_buckets_start_on_korean_mondays_and_firsts():
    assert WEEKS == [date(2026, 11, 16), date(2026, 11, 23), date(2026, 11, 30), date(2026, 12, 7)]
    assert MONTHS == [date(2026, 10, 1), date(2026, 11, 1), date(2026, 12, 1)]
    assert month_starts(months=2, today=date(2026, 1, 5)) == [date(2025, 12, 1), date(2026, 1, 1)]


def _case(opened: datetime, *, rebooked_after_hours: float | None = None) -> GuaranteeCase:
    booking = confirmed_booking(RoomTypeFactory(property=PropertyFactory(), rooms=3), days_ahead=30)
    case = GuaranteeCase.objects.create(booking=booking, budget_krw=100_000)
    fields = {"opened_at": opened}
    if rebooked_after_hours is not None:
        fields.update(
            status=GuaranteeCase.Status.REBOOKED,
            started_at=opened,
            resolved_at=opened + timedelta(hours=rebooked_after_hours),
            rebooked=booking,
        )
    GuaranteeCase.objects.filter(pk=case.pk).update(**fields)
    return case


def test_guarantee_cases_per_week_and_the_median_time_to_rebook():
    _case(at(date(2026, 11, 17)), rebooked_after_hours=2)
    _case(at(date(2026, 11, 18)), rebooked_after_hours=4)
    _case(at(date(2026, 11, 22), hour=23))  # Sunday night in Seoul: still the week of Nov 16
    _case(at(date(2026, 12, 7), hour=0))  # Monday 00:00 in Seoul (Sunday in UTC): this week
    _case(at(date(2026, 11, 1)))  # before the window

    rows = booking_selectors.guarantee_weeks(starts=WEEKS)

    assert [count for count, _hours in rows] == [3, 0, 0, 1]
    assert [hours for _count, hours in rows] == [3.0, None, None, None]


def test_the_fund_balance_at_each_months_end_and_its_monthly_burn(monkeypatch):
    fund, capital = platform_account("platform-guarantee-fund"), platform_account("platform-capital")
    payee = platform_account("platform-operating")
    moves = [
        (capital, fund, 10_000_000, date(2026, 10, 5)),
        (fund, payee, 1_000_000, date(2026, 10, 20)),
        (fund, payee, 2_500_000, date(2026, 11, 3)),
        (capital, fund, 3_000_000, date(2026, 12, 1)),
        (fund, payee, 500_000, date(2026, 12, 9)),
    ]
    from trustplatform.ledger import services as ledger

    # Transfers are append-only: each is written at its day's clock (the portable path reads the clock
    # in Python) instead of being moved there later.
    monkeypatch.setattr(ledger, "SINGLE_STATEMENT", False)
    for index, (debit, credit, amount, day) in enumerate(moves):
        monkeypatch.setattr(timezone, "now", lambda day=day: at(day))
        ledger_transfer(debit=debit, credit=credit, amount_krw=amount, key=f"dash:{index}", reason="t")
    monkeypatch.undo()

    rows = ledger_selectors.guarantee_fund_months(starts=MONTHS)

    assert [burn for _balance, burn in rows] == [1_000_000, 2_500_000, 500_000]
    assert [balance for balance, _burn in rows] == [9_000_000, 6_500_000, 9_000_000]


def test_confirmed_fakes_and_strikes_per_month():
    brokerage = BrokerageFactory(owner__phone="+821055550009", owner__phone_verified_at=timezone.now())
    from listings import services

    actor = brokerage.memberships.first().user
    listings = [
        services.listing_create(partner=brokerage, actor=actor, data=listing_data(), publish=True)
        for _n in range(3)
    ]
    reporter = UserFactory()
    decided = (date(2026, 10, 15), date(2026, 12, 2), date(2026, 12, 3))
    for listing, day in zip(listings, decided, strict=True):
        report = Report.objects.create(
            listing=listing, reporter=reporter, reason=Report.Reason.OTHER, respond_by=timezone.now()
        )
        Report.objects.filter(pk=report.pk).update(status=Report.Status.UPHELD, decided_at=at(day))
    for listing, day in zip(listings[:2], (date(2026, 11, 30), date(2026, 12, 1)), strict=True):
        Strike.objects.create(
            partner=brokerage, listing=listing, severity=Strike.Severity.MAJOR, category="price_bait",
            issued_at=at(day, hour=1), expires_at=at(day) + timedelta(days=365),
        )

    assert listing_selectors.fakes_and_strikes_months(starts=MONTHS) == [(1, 0), (0, 1), (2, 1)]


def test_safe_number_sessions_opened_per_week(open_session_at):
    # Monday and Sunday of the first week; two days of this week.
    for day in (date(2026, 11, 16), date(2026, 11, 22), date(2026, 12, 8), date(2026, 12, 9)):
        open_session_at(at(day))
    assert masking_selectors.sessions_weeks(starts=WEEKS) == [2, 0, 0, 2]


@pytest.fixture
def open_session_at():
    from masking.services import Party, session_open
    from tests.masking.factories import ProxyNumberFactory

    ProxyNumberFactory.create_batch(4)
    made = iter(range(1, 100))

    def make(moment: datetime) -> MaskedSession:
        n = next(made)
        session = session_open(
            consumer=Party(phone=f"+8210{30000000 + n:08d}", label="guest"),
            business=Party(phone=f"+8210{40000000 + n:08d}", label="host"),
            expires_at=timezone.now() + timedelta(hours=3),
        )
        MaskedSession.objects.filter(pk=session.pk).update(created_at=moment)
        return session

    return make


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize(
    ("group", "charts"),
    [
        ("agents", {"guarantee-weeks", "fakes-strikes", "safe-number-pool"}),
        ("finance", {"guarantee-weeks", "guarantee-fund", "safe-number-pool"}),
    ],
)
def test_staff_see_the_charts_their_work_needs_with_figures_and_a_table(group, charts):
    _case(timezone.now())
    page = _client(StaffFactory(group=group)).get(reverse("admin_dashboards"))

    assert page.status_code == 200
    html = page.content.decode()
    shown = set(re.findall(r'<canvas id="chart-([a-z-]+)"', html))
    assert shown == charts
    for key in shown:
        data = json.loads(re.search(rf'<script id="chart-{key}-data" type="application/json">(.*?)</script>',
                                    html, flags=re.S).group(1))
        assert data["labels"] and all(len(s["data"]) == len(data["labels"]) for s in data["datasets"])
    assert "<table>" in html and "chart.umd.min.js" in html and "admin-dashboards.js" in html
    assert "<script>" not in html  # no inline script: the page runs under a strict CSP


def test_the_cases_chart_counts_this_weeks_cases():
    _case(timezone.now())
    _case(timezone.now())
    html = _client(StaffFactory(group="agents")).get(reverse("admin_dashboards")).content.decode()
    pattern = r'<script id="chart-guarantee-weeks-data" type="application/json">(.*?)</script>'
    data = json.loads(re.search(pattern, html, flags=re.S).group(1))
    assert data["datasets"][0]["data"][-1] == 2


def test_the_dashboards_are_for_staff_only():
    url = reverse("admin_dashboards")
    anonymous = Client().get(url)
    assert anonymous.status_code == 302 and reverse("admin:login") in anonymous["Location"]
    customer = _client(UserFactory())
    response = customer.get(url)
    assert response.status_code == 302 and reverse("admin:login") in response["Location"]
    assert "<canvas" not in response.content.decode()


def test_the_admin_index_links_to_the_dashboards():
    html = _client(StaffFactory(group="agents")).get(reverse("admin:index")).content.decode()
    assert reverse("admin_dashboards") in html
