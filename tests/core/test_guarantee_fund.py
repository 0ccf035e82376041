"""The guarantee fund: finance funds the operating account, tops the fund up from it (four eyes above
the threshold, exactly once), sees its state in the admin and is told once a day when it runs low."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import IntegrityError
from django.urls import reverse
from django.utils import timezone

from tests.factories import StaffFactory
from tests.race import race
from trustplatform.audit.models import AuditEntry
from trustplatform.errors import Conflict
from trustplatform.ledger import services as ledger
from trustplatform.ledger import treasury
from trustplatform.ledger.models import FundTopUp, GuaranteeFundAlert, LedgerAccount, Transfer
from trustplatform.ledger.selectors import guarantee_fund_status, ledger_reconcile
from trustplatform.notifications.models import Notification

pytestmark = pytest.mark.django_db

KST = ZoneInfo("Asia/Seoul")
THRESHOLD = 5_000_000


@pytest.fixture(autouse=True)
def _fund_settings(settings):
    settings.LANGUAGE_CODE = "en"  # messages are read in the source language
    settings.GUARANTEE_FUND_FOUR_EYES_KRW = THRESHOLD
    settings.GUARANTEE_FUND_FLOOR_KRW = 20_000_000
    settings.GUARANTEE_FUND_MONTHLY_BUDGET_KRW = 80_000_000


@pytest.fixture
def finance():
    return StaffFactory(group="finance")


@pytest.fixture
def second_finance():
    return StaffFactory(group="finance")


@pytest.fixture
def agent():
    return StaffFactory(group="agents")


def balance(code: str) -> int:
    return LedgerAccount.objects.get(code=code).balance_krw


def capital_in(finance, amount_krw: int, reference: str = "BANK-0001") -> Transfer:
    return treasury.capital_record(
        actor=finance, amount_krw=amount_krw, reference=reference, reason="paid in"
    )


def topup(finance, amount_krw: int) -> FundTopUp:
    return treasury.fund_topup_request(actor=finance, amount_krw=amount_krw, reason="for this month's claims")


@pytest.fixture
def clock(monkeypatch):
    """Set the time: what timezone.now() answers (transfers' times on the portable ledger path too)."""
    monkeypatch.setattr(ledger, "SINGLE_STATEMENT", False)  # so a transfer's time is timezone.now()

    def set_to(moment: datetime) -> None:
        monkeypatch.setattr(timezone, "now", lambda: moment)

    return set_to


# --- four eyes ---------------------------------------------------------------------------------


def test_above_the_threshold_the_requester_can_neither_approve_nor_execute_alone(finance):
    capital_in(finance, 50_000_000)
    request = topup(finance, THRESHOLD + 1)

    with pytest.raises(treasury.LedgerForbidden) as refused:
        treasury.fund_topup_approve(topup=request, actor=finance)
    assert refused.value.code == "four_eyes"
    with pytest.raises(Conflict) as refused:
        treasury.fund_topup_execute(topup=request, actor=finance)
    assert refused.value.code == "approval_required"

    request.refresh_from_db()
    assert request.status == FundTopUp.Status.REQUESTED and request.transfer is None
    assert balance("platform-operating") == 50_000_000
    assert not LedgerAccount.objects.filter(code="platform-guarantee-fund", balance_krw__gt=0).exists()


def test_a_second_finance_person_approves_and_then_the_top_up_executes(finance, second_finance):
    capital_in(finance, 50_000_000)
    request = topup(finance, 30_000_000)
    # The rest of finance is asked for the second approval.
    assert Notification.objects.filter(user=second_finance, title__contains="₩30,000,000").exists()

    approved = treasury.fund_topup_approve(topup=request, actor=second_finance)
    assert (approved.status, approved.approved_by) == (FundTopUp.Status.APPROVED, second_finance)
    executed = treasury.fund_topup_execute(topup=approved, actor=finance)

    assert executed.status == FundTopUp.Status.EXECUTED and executed.executed_by == finance
    assert executed.transfer.idempotency_key == f"fund-topup:{request.pk}"
    assert balance("platform-operating") == 20_000_000
    assert balance("platform-guarantee-fund") == 30_000_000
    assert set(AuditEntry.objects.filter(object_id=str(request.pk), content_type__model="fundtopup")
               .values_list("action", flat=True)) == {"request", "approve", "execute"}
    assert ledger_reconcile() == []


def test_the_database_refuses_an_approval_recorded_for_the_requester(finance):
    request = topup(finance, 30_000_000)
    with pytest.raises(IntegrityError, match="ledger_fundtopup_four_eyes"):
        FundTopUp.objects.filter(pk=request.pk).update(approved_by=finance)


def test_at_the_threshold_one_finance_person_requests_and_executes(finance):
    capital_in(finance, 10_000_000)
    request = topup(finance, THRESHOLD)

    executed = treasury.fund_topup_execute(topup=request, actor=finance)

    assert executed.status == FundTopUp.Status.EXECUTED and executed.approved_by is None
    assert balance("platform-guarantee-fund") == THRESHOLD
    assert not Notification.objects.filter(title__contains="second approval").exists()


def test_a_rejected_top_up_never_moves_money(finance, second_finance):
    capital_in(finance, 10_000_000)
    request = topup(finance, 1_000_000)
    treasury.fund_topup_reject(topup=request, actor=second_finance, reason="not needed this month")

    with pytest.raises(Conflict) as refused:
        treasury.fund_topup_execute(topup=request, actor=finance)
    assert refused.value.code == "invalid_transition"
    assert balance("platform-operating") == 10_000_000
    assert Notification.objects.filter(user=finance, title__contains="rejected").exists()


# --- exactly once, and never an overdraft ------------------------------------------------------


def test_executing_twice_moves_the_money_once(finance):
    capital_in(finance, 10_000_000)
    request = topup(finance, 4_000_000)

    first = treasury.fund_topup_execute(topup=request, actor=finance)
    again = treasury.fund_topup_execute(topup=request, actor=finance)

    assert first.transfer_id == again.transfer_id
    assert Transfer.objects.filter(idempotency_key=f"fund-topup:{request.pk}").count() == 1
    assert balance("platform-guarantee-fund") == 4_000_000
    assert balance("platform-operating") == 6_000_000


@pytest.mark.parametrize("single_statement", [True, False], ids=["postgres-statement", "portable"])
def test_an_operating_account_short_of_the_amount_refuses_and_writes_nothing(
    finance, monkeypatch, single_statement
):
    monkeypatch.setattr(ledger, "SINGLE_STATEMENT", single_statement)
    capital_in(finance, 3_000_000)
    request = topup(finance, 4_000_000)
    transfers = Transfer.objects.count()

    with pytest.raises(Conflict) as refused:
        treasury.fund_topup_execute(topup=request, actor=finance)

    assert refused.value.code == "operating_insufficient"
    assert "₩3,000,000" in refused.value.detail and "₩4,000,000" in refused.value.detail
    request.refresh_from_db()
    assert request.status == FundTopUp.Status.REQUESTED and request.executed_at is None
    assert Transfer.objects.count() == transfers
    assert balance("platform-operating") == 3_000_000
    assert not AuditEntry.objects.filter(action="execute", content_type__model="fundtopup").exists()
    assert ledger_reconcile() == []


@pytest.mark.django_db(transaction=True)
def test_parallel_executes_move_the_money_once():
    finance = StaffFactory(group="finance")
    capital_in(finance, 10_000_000)
    request = topup(finance, 4_000_000)

    outcomes = race(lambda _i: treasury.fund_topup_execute(topup=request, actor=finance), 16)

    assert all(isinstance(outcome, FundTopUp) for outcome in outcomes)
    assert {outcome.transfer_id for outcome in outcomes} == {
        Transfer.objects.get(idempotency_key=f"fund-topup:{request.pk}").pk
    }
    assert balance("platform-guarantee-fund") == 4_000_000
    assert balance("platform-operating") == 6_000_000
    assert AuditEntry.objects.filter(action="execute", object_id=str(request.pk)).count() == 1
    assert ledger_reconcile() == []


# --- the operating account: capital paid in, fee revenue swept -----------------------------------


def test_capital_is_recorded_once_per_bank_reference(finance):
    capital_in(finance, 10_000_000, reference="BANK-42")
    capital_in(finance, 10_000_000, reference="BANK-42")
    with pytest.raises(Conflict) as refused:
        capital_in(finance, 12_000_000, reference="BANK-42")

    assert refused.value.code == "idempotency_mismatch"
    assert balance("platform-operating") == 10_000_000
    assert AuditEntry.objects.filter(action="capital_in").count() == 1


def test_sweeping_fee_revenue_folds_its_queue_and_moves_it_once(finance, second_finance):
    fees = ledger.platform_account("platform-fee-revenue")
    for number in range(3):  # queued credits, not yet folded into the stored balance
        ledger.ledger_transfer(debit=ledger.platform_account("platform-psp-clearing"), credit=fees,
                               amount_krw=100_000, key=f"fee-{number}", reason="fee")

    swept = treasury.fees_sweep(actor=finance, key="form-1", reason="month end")
    repeated = treasury.fees_sweep(actor=second_finance, key="form-1", reason="month end")

    assert swept.pk == repeated.pk and swept.amount_krw == 300_000
    assert balance("platform-operating") == 300_000 and balance("platform-fee-revenue") == 0
    with pytest.raises(Conflict) as refused:
        treasury.fees_sweep(actor=finance, key="form-2", reason="again")
    assert refused.value.code == "nothing_to_sweep"
    assert ledger_reconcile() == []


# --- what the fund used this month ------------------------------------------------------------


def test_month_use_counts_what_left_the_fund_since_the_first_of_the_korean_month(finance, clock):
    consumer = ledger.consumer_payable(StaffFactory())
    clock(datetime(2026, 2, 20, 12, 0, tzinfo=KST))
    capital_in(finance, 100_000_000)
    treasury.fund_topup_execute(topup=topup(finance, 5_000_000), actor=finance)
    fund = ledger.platform_account("platform-guarantee-fund")

    def paid_out(amount_krw: int, when: datetime, key: str) -> None:
        clock(when)
        ledger.ledger_transfer(debit=fund, credit=consumer, amount_krw=amount_krw, key=key, reason="claim")

    paid_out(400_000, datetime(2026, 2, 28, 23, 50, tzinfo=KST), "february")
    paid_out(250_000, datetime(2026, 3, 1, 0, 10, tzinfo=KST), "march")  # still February 28th in UTC
    clock(datetime(2026, 3, 1, 8, 0, tzinfo=KST))
    treasury.fund_topup_execute(topup=topup(finance, 1_000_000), actor=finance)  # money in is no use

    status = guarantee_fund_status()

    assert status.month_start.isoformat() == "2026-03-01"
    assert status.month_use_krw == 250_000
    assert (status.budget_krw, status.budget_left_krw, status.over_budget) == (80_000_000, 79_750_000, False)
    assert status.balance_krw == 5_000_000 - 400_000 - 250_000 + 1_000_000
    assert status.operating_krw == 100_000_000 - 6_000_000


# --- the floor ------------------------------------------------------------------------------


def test_below_the_floor_finance_is_told_once_a_day(finance, second_finance, agent, clock):
    clock(datetime(2026, 3, 2, 9, 0, tzinfo=KST))
    capital_in(finance, 50_000_000)
    treasury.fund_topup_execute(topup=topup(finance, 3_000_000), actor=finance)  # checks after it

    assert treasury.guarantee_fund_check() is False  # already told today, by the top-up's check
    from trustplatform.ledger.tasks import guarantee_fund_check_daily

    guarantee_fund_check_daily()
    alerts = Notification.objects.filter(title__contains="below its floor")
    assert alerts.filter(user=finance).count() == 1 and alerts.filter(user=second_finance).count() == 1
    assert not alerts.filter(user=agent).exists()
    assert "₩3,000,000" in alerts.first().title and "₩20,000,000" in alerts.first().title

    clock(datetime(2026, 3, 3, 0, 5, tzinfo=KST))  # a new Korean day (still March 2nd in UTC)
    assert treasury.guarantee_fund_check() is True
    assert alerts.filter(user=finance).count() == 2
    assert list(GuaranteeFundAlert.objects.values_list("day", flat=True).order_by("day")) == [
        datetime(2026, 3, 2).date(), datetime(2026, 3, 3).date()
    ]


def test_a_fund_above_its_floor_tells_nobody(finance):
    capital_in(finance, 50_000_000)
    request = topup(finance, 25_000_000)
    treasury.fund_topup_approve(topup=request, actor=StaffFactory(group="finance"))
    treasury.fund_topup_execute(topup=request, actor=finance)

    assert treasury.guarantee_fund_check() is False
    assert not GuaranteeFundAlert.objects.exists()


def test_the_daily_check_is_on_the_beat_schedule(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["ledger-guarantee-fund-check"]
    assert entry["task"] == "trustplatform.ledger.tasks.guarantee_fund_check_daily"


# --- who may: services and the admin ------------------------------------------------------------


def test_staff_outside_finance_are_refused_by_the_services(agent, finance):
    capital_in(finance, 10_000_000)
    request = topup(finance, 1_000_000)
    for call in (
        lambda: topup(agent, 1_000_000),
        lambda: treasury.fund_topup_approve(topup=request, actor=agent),
        lambda: treasury.fund_topup_execute(topup=request, actor=agent),
        lambda: capital_in(agent, 1_000_000, reference="BANK-9"),
        lambda: treasury.fees_sweep(actor=agent, key="k", reason="r"),
    ):
        with pytest.raises(treasury.LedgerForbidden):
            call()
    assert balance("platform-operating") == 10_000_000


def test_staff_outside_finance_get_403_on_the_fund_pages(client, agent, finance):
    request = topup(finance, 1_000_000)
    client.force_login(agent)
    change = reverse("admin:ledger_fundtopup_change", args=[request.pk])
    for url in ("admin:ledger_fundtopup_changelist", "admin:ledger_fundtopup_request",
                "admin:ledger_capital_record", "admin:ledger_fees_sweep"):
        assert client.get(reverse(url)).status_code == 403, url
    assert client.get(change).status_code == 403
    assert client.post(change, {"_fsm_transition_to": "execute"}).status_code == 403
    assert client.post(reverse("admin:ledger_capital_record"),
                       {"amount_krw": 1, "reference": "x", "reason": "x"}).status_code == 403
    assert not LedgerAccount.objects.filter(code="platform-operating", balance_krw__gt=0).exists()


def test_finance_sees_the_fund_and_tops_it_up_through_the_admin(client, finance, second_finance):
    client.force_login(finance)
    capital = {"amount_krw": 40_000_000, "reference": "BANK-7", "reason": "capital"}
    response = client.post(reverse("admin:ledger_capital_record"), capital, follow=True)
    assert "₩40,000,000 recorded" in response.content.decode()
    client.post(reverse("admin:ledger_fundtopup_request"), {"amount_krw": 30_000_000, "reason": "claims"})
    request = FundTopUp.objects.get()
    change = reverse("admin:ledger_fundtopup_change", args=[request.pk])

    response = client.post(change, {"_fsm_transition_to": "approve"}, follow=True)
    assert "cannot also approve" in response.content.decode()
    client.force_login(second_finance)
    client.post(change, {"_fsm_transition_to": "approve"})
    client.post(change, {"_fsm_transition_to": "execute"})

    request.refresh_from_db()
    assert request.status == FundTopUp.Status.EXECUTED and request.approved_by == second_finance
    page = client.get(reverse("admin:ledger_fundtopup_changelist")).content.decode()
    assert "₩30,000,000" in page and "₩10,000,000" in page  # the fund, and what operating has left
    assert "₩80,000,000" in page and "₩20,000,000" in page  # the budget and the floor
    assert "Below its floor" not in page
    assert "Request a top-up" in page and "Record capital paid in" in page
    assert ledger_reconcile() == []


def test_every_fund_page_opens_for_finance(client, finance):
    request = topup(finance, 1_000_000)
    treasury.guarantee_fund_check()  # an empty fund: the day's alert row
    client.force_login(finance)
    for url in (
        reverse("admin:ledger_fundtopup_changelist") + "?queue=all",
        reverse("admin:ledger_fundtopup_change", args=[request.pk]),
        reverse("admin:ledger_fundtopup_transition", args=[request.pk, "reject"]),
        reverse("admin:ledger_fundtopup_request"),
        reverse("admin:ledger_capital_record"),
        reverse("admin:ledger_fees_sweep"),
        reverse("admin:ledger_guaranteefundalert_changelist"),
    ):
        assert client.get(url).status_code == 200, url
    accounts = client.get(reverse("admin:ledger_ledgeraccount_changelist")).content.decode()
    assert reverse("admin:ledger_fundtopup_changelist") in accounts


def test_the_admin_says_when_the_fund_is_below_its_floor(client, finance):
    capital_in(finance, 10_000_000)
    treasury.fund_topup_execute(topup=topup(finance, 2_000_000), actor=finance)
    client.force_login(finance)

    page = client.get(reverse("admin:ledger_fundtopup_changelist")).content.decode()

    assert "₩2,000,000" in page and "Below its floor of ₩20,000,000" in page


def test_an_operating_shortfall_is_shown_to_finance_on_the_top_up_page(client, finance):
    request = topup(finance, 1_000_000)
    client.force_login(finance)
    change = reverse("admin:ledger_fundtopup_change", args=[request.pk])

    response = client.post(change, {"_fsm_transition_to": "execute"}, follow=True)

    assert "The operating account holds ₩0, less than this top-up of ₩1,000,000" in response.content.decode()
    request.refresh_from_db()
    assert request.status == FundTopUp.Status.REQUESTED


# --- the demo ---------------------------------------------------------------------------------


def test_the_demo_fills_the_fund_through_top_ups_and_runs_again_unchanged():
    from trustplatform import demo

    demo.seed()
    demo.seed()

    assert list(FundTopUp.objects.order_by("amount_krw").values_list("status", flat=True)) == [
        "requested", "executed", "executed"
    ]
    assert all(topup.approved_by_id not in (None, topup.requested_by_id)
               for topup in FundTopUp.objects.filter(status="executed"))
    assert balance("platform-guarantee-fund") == 600_000_000
    assert balance("platform-operating") == 100_000_000
    assert ledger_reconcile() == []
