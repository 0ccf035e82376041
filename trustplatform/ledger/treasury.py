"""The platform's own money: capital paid in and fee revenue swept into the operating account, and
finance's top-ups of the guarantee fund from it.

Every movement is one ledger transfer under an idempotency key: capital by the bank transfer's
reference, a sweep by the key of the form that asked for it, a top-up by its own id. A top-up
executes once: its row is locked first and re-checked, then the ledger locks the two accounts (in
primary-key order) and the transfer and the transition commit together or not at all. Above
GUARANTEE_FUND_FOUR_EYES_KRW a second finance person, never the requester, approves it first.
"""

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from trustplatform.audit.services import audit_record
from trustplatform.errors import Forbidden
from trustplatform.notifications.services import Phrase, notification_send, staff_notify
from trustplatform.transitions import transition_run

from .models import FundTopUp, GuaranteeFundAlert, LedgerAccount, Transfer
from .selectors import GUARANTEE_FUND, OPERATING, guarantee_fund_status, kst_today
from .services import (
    LedgerConflict,
    LedgerError,
    accounts_lock,
    credits_fold,
    ledger_transfer,
    platform_account,
    transfer_done,
)

FEE_REVENUE = "platform-fee-revenue"
CAPITAL = "platform-capital"


class LedgerForbidden(LedgerError, Forbidden):
    """A LedgerError refused to this person (403)."""


def _require(actor, permission: str) -> None:
    if actor is None or not actor.has_perm(permission):
        raise LedgerForbidden(_("You are not allowed to do this."))


def _reason_required(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise LedgerError(_("Say why."), code="reason_required", fields={"reason": [_("Required.")]})
    return reason


def capital_record(*, actor, amount_krw: int, reference: str, reason: str) -> Transfer:
    """Record capital the company paid in from its bank (platform capital → operating account), once
    per bank reference. Locks both account rows."""
    _require(actor, "ledger.fund_operating_account")
    reason, reference = _reason_required(reason), (reference or "").strip()
    if not reference:
        raise LedgerError(
            _("Give the bank transfer's reference, so it is never recorded twice."),
            code="reference_required",
            fields={"reference": [_("Required.")]},
        )
    key = f"capital:{reference}"
    capital, operating = platform_account(CAPITAL), platform_account(OPERATING)
    with transaction.atomic():
        accounts_lock(capital, operating)
        repeated = transfer_done(key)
        transfer = ledger_transfer(
            debit=capital,
            credit=operating,
            amount_krw=amount_krw,
            key=key,
            reason=f"capital paid in ({reference}): {reason}",
            metadata={"reference": reference},
        )
        if not repeated:
            audit_record(
                obj=operating,
                action="capital_in",
                actor=actor,
                reason=reason,
                extra={"amount_krw": amount_krw, "reference": reference, "transfer": transfer.pk},
            )
    return transfer


def fees_sweep(*, actor, key: str, reason: str, amount_krw: int | None = None) -> Transfer:
    """Move fee revenue (its queued credits folded first) into the operating account: all of it, or
    `amount_krw`. A repeat with the same key moves nothing. Locks both account rows."""
    _require(actor, "ledger.fund_operating_account")
    reason = _reason_required(reason)
    key = f"fee-sweep:{key}"
    fees, operating = platform_account(FEE_REVENUE), platform_account(OPERATING)
    with transaction.atomic():
        accounts_lock(fees, operating)
        if transfer_done(key):
            return Transfer.objects.get(idempotency_key=key)
        fees = credits_fold(account=fees)
        amount = fees.available_krw if amount_krw is None else amount_krw
        if amount_krw is None and amount <= 0:
            raise LedgerConflict(_("There is no fee revenue to sweep."), code="nothing_to_sweep")
        transfer = ledger_transfer(
            debit=fees, credit=operating, amount_krw=amount, key=key, reason=f"fee revenue swept: {reason}"
        )
        audit_record(
            obj=operating,
            action="fees_swept",
            actor=actor,
            reason=reason,
            extra={"amount_krw": amount, "transfer": transfer.pk},
        )
    return transfer


def fund_topup_needs_approval(topup: FundTopUp) -> bool:
    return topup.amount_krw > settings.GUARANTEE_FUND_FOUR_EYES_KRW


def _topup_url(topup: FundTopUp) -> str:
    return reverse("admin:ledger_fundtopup_change", args=[topup.pk])


def fund_topup_request(*, actor, amount_krw: int, reason: str) -> FundTopUp:
    """Finance asks to move `amount_krw` from the operating account into the guarantee fund; above
    the four-eyes threshold the rest of finance is asked for a second approval."""
    _require(actor, "ledger.request_fundtopup")
    reason = _reason_required(reason)
    if isinstance(amount_krw, bool) or not isinstance(amount_krw, int) or amount_krw <= 0:
        raise LedgerError(
            _("An amount is a whole number of won above zero."),
            code="invalid_amount",
            fields={"amount_krw": [_("Must be a whole number above zero.")]},
        )
    with transaction.atomic():
        topup = FundTopUp.objects.create(amount_krw=amount_krw, reason=reason, requested_by=actor)
        audit_record(
            obj=topup, action="request", actor=actor, reason=reason, extra={"amount_krw": amount_krw}
        )
        if fund_topup_needs_approval(topup):
            staff_notify(
                group="finance",
                title=Phrase(
                    gettext_lazy("A guarantee fund top-up of ₩%(amount)s needs a second approval"),
                    {"amount": f"{amount_krw:,}"},
                ),
                body=reason,
                url=_topup_url(topup),
            )
    return topup


def _locked(topup: FundTopUp) -> FundTopUp:
    return FundTopUp.objects.select_for_update().get(pk=topup.pk)


def fund_topup_approve(*, topup: FundTopUp, actor, reason: str = "") -> FundTopUp:
    """A second finance person approves a requested top-up; the requester never can. Locks the top-up."""
    _require(actor, "ledger.approve_fundtopup")
    with transaction.atomic():
        topup = _locked(topup)
        if actor.pk == topup.requested_by_id:
            raise LedgerForbidden(
                _("The person who asked for a top-up cannot also approve it."), code="four_eyes"
            )
        topup = transition_run(instance=topup, name="approve", actor=actor, reason=reason)
        FundTopUp.objects.filter(pk=topup.pk).update(approved_by=actor, approved_at=timezone.now())
        notification_send(
            user=topup.requested_by,
            title=Phrase(
                gettext_lazy("Your guarantee fund top-up of ₩%(amount)s was approved: execute it"),
                {"amount": f"{topup.amount_krw:,}"},
            ),
            url=_topup_url(topup),
        )
    topup.refresh_from_db()
    return topup


def fund_topup_reject(*, topup: FundTopUp, actor, reason: str) -> FundTopUp:
    """Turn a top-up down (an approver), or withdraw it (its requester). Locks the top-up."""
    reason = _reason_required(reason)
    if actor is None or actor.pk != topup.requested_by_id:
        _require(actor, "ledger.approve_fundtopup")
    with transaction.atomic():
        topup = transition_run(instance=topup, name="reject", actor=actor, reason=reason)
        FundTopUp.objects.filter(pk=topup.pk).update(
            rejected_by=actor, rejected_at=timezone.now(), rejection_reason=reason
        )
        if actor.pk != topup.requested_by_id:
            notification_send(
                user=topup.requested_by,
                title=Phrase(
                    gettext_lazy("Your guarantee fund top-up of ₩%(amount)s was rejected"),
                    {"amount": f"{topup.amount_krw:,}"},
                ),
                body=reason,
                url=_topup_url(topup),
            )
    topup.refresh_from_db()
    return topup


def fund_topup_execute(*, topup: FundTopUp, actor) -> FundTopUp:
    """Move the top-up from the operating account into the guarantee fund, once; executing it again
    returns it. Locks the top-up, then both account rows; then checks the fund against its floor."""
    _require(actor, "ledger.request_fundtopup")
    with transaction.atomic():
        topup = _locked(topup)
        if topup.status == FundTopUp.Status.EXECUTED:
            return topup
        if topup.status == FundTopUp.Status.REQUESTED and fund_topup_needs_approval(topup):
            raise LedgerConflict(
                _("Top-ups above ₩%(threshold)s need a second finance approval before they execute.")
                % {"threshold": f"{settings.GUARANTEE_FUND_FOUR_EYES_KRW:,}"},
                code="approval_required",
            )
        operating, fund = platform_account(OPERATING), platform_account(GUARANTEE_FUND)
        try:
            transfer = ledger_transfer(
                debit=operating,
                credit=fund,
                amount_krw=topup.amount_krw,
                key=topup.idempotency_key,
                reason=f"guarantee fund top-up #{topup.pk}: {topup.reason}",
                subject=topup,
            )
        except LedgerConflict as exc:
            if exc.code != "insufficient_funds":
                raise
            raise LedgerConflict(
                _(
                    "The operating account holds ₩%(available)s, less than this top-up of ₩%(amount)s. "
                    "Record capital paid in or sweep fee revenue first."
                )
                % {
                    "available": f"{LedgerAccount.objects.get(pk=operating.pk).available_krw:,}",
                    "amount": f"{topup.amount_krw:,}",
                },
                code="operating_insufficient",
            ) from exc
        topup = transition_run(instance=topup, name="execute", actor=actor, transfer=transfer)
        FundTopUp.objects.filter(pk=topup.pk).update(executed_by=actor, executed_at=timezone.now())
    guarantee_fund_check()
    topup.refresh_from_db()
    return topup


def guarantee_fund_check() -> bool:
    """Tell finance when the guarantee fund is below its floor, at most once per Korean day (a row
    per day, unique). Returns whether it told them."""
    status = guarantee_fund_status()
    if not status.below_floor:
        return False
    with transaction.atomic():  # the day's row and the notices commit together
        try:
            with transaction.atomic():
                alert = GuaranteeFundAlert.objects.create(
                    day=kst_today(), balance_krw=status.balance_krw, floor_krw=status.floor_krw
                )
        except IntegrityError:
            return False  # finance was already told today
        audit_record(obj=alert, action="fund_below_floor", extra={"balance_krw": status.balance_krw})
        staff_notify(
            group="finance",
            title=Phrase(
                gettext_lazy("Guarantee fund at ₩%(balance)s, below its floor of ₩%(floor)s"),
                {"balance": f"{status.balance_krw:,}", "floor": f"{status.floor_krw:,}"},
            ),
            body=Phrase(
                gettext_lazy(
                    "Top it up from the operating account (₩%(operating)s there now). This month it "
                    "paid out ₩%(used)s of its ₩%(budget)s budget."
                ),
                {
                    "operating": f"{status.operating_krw:,}",
                    "used": f"{status.month_use_krw:,}",
                    "budget": f"{status.budget_krw:,}",
                },
            ),
            url=reverse("admin:ledger_fundtopup_changelist"),
        )
    return True
