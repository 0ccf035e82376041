"""The bookings app's ledger accounts and the rules that size refunds, penalties and compensation."""

from datetime import date, datetime

from django.conf import settings
from django.utils import timezone

from trustplatform.ledger.models import LedgerAccount
from trustplatform.ledger.services import (
    account_open,
    accounts_lock,
    consumer_payable,
    ledger_transfer,
    partner_payable,
    platform_account,
    transfer_done,
)
from trustplatform.payments.services import subject_refund

from ..models import Booking


def held_account(booking: Booking) -> LedgerAccount:
    """The guest's money for one booking, held in trust until the stay is over or refunded."""
    return account_open(
        code=f"booking-{booking.pk}-held",
        name=f"Held in trust: booking {booking.code}",
        kind=LedgerAccount.Kind.HOLDING,
    )


def guarantee_charges_account(partner) -> LedgerAccount:
    """What a property owes for the guarantee it triggered; below zero until recovered from its payable
    (charges_recover, run whenever a charge is made or the partner earns money here)."""
    return account_open(
        code=f"partner-{partner.pk}-guarantee-charges",
        name=f"Guarantee charges: {partner.name}",
        kind=LedgerAccount.Kind.PARTNER,
        allow_negative=True,
        partner=partner,
    )


def partner_accounts_lock(partner) -> tuple[LedgerAccount, LedgerAccount]:
    """Lock the partner's payable and guarantee-charges rows (pk order), fresh balances read under the
    lock. Every bookings transaction that moves money into or out of either takes this first, so
    recovering charges never deadlocks against another booking of the same partner."""
    pay, charges = accounts_lock(payable(partner), guarantee_charges_account(partner))
    return pay, charges


def charge_headroom_krw(partner) -> int:
    """How much more the property may be charged now: what its payable covers at once, plus what it may
    still owe the fund beyond that (BOOKINGS_PROPERTY_CHARGES_FLOOR_KRW). Locks its accounts."""
    pay, charges = partner_accounts_lock(partner)
    owed = max(0, -charges.balance_krw)
    return max(0, settings.BOOKINGS_PROPERTY_CHARGES_FLOOR_KRW + max(0, pay.available_krw) - owed)


def charges_recover(*, partner, key: str, subject=None) -> int:
    """Net what the partner owes for guarantees it triggered against its payable (its payouts): as much
    as the payable has available moves to the charges account; the rest waits for the next money the
    partner earns here. Once per key (the key derives from the case or booking). Returns the amount."""
    if transfer_done(key):
        return 0
    pay, charges = partner_accounts_lock(partner)
    amount = min(max(0, -charges.balance_krw), max(0, pay.available_krw))
    move(
        debit=pay,
        credit=charges,
        amount_krw=amount,
        key=key,
        reason=f"guarantee charges of {partner.name} recovered from its payouts",
        subject=subject,
    )
    return amount


def property_charge(*, partner, amount_krw: int, key: str, reason: str, subject) -> None:
    """Charge a property for a guarantee it triggered: the amount goes from its charges account into
    the fund, then is recovered from its payable as far as that goes. Once per key. Callers size
    penalties and compensation within `charge_headroom_krw`, so what a property owes stays bounded."""
    partner_accounts_lock(partner)
    move(debit=guarantee_charges_account(partner), credit=fund(), amount_krw=amount_krw,
         key=f"{key}-charge", reason=reason, subject=subject)
    charges_recover(partner=partner, key=f"{key}-charge-recovered", subject=subject)


def guest_refund(*, booking: Booking, amount_krw: int, key: str, reason: str, source: LedgerAccount) -> None:
    """Give `amount_krw` held on `source` back to the guest through the payment company: a cancellation,
    whole or partial, of the guest's payment, once per key. A room the guarantee moved the guest to
    was paid by the guest's payment for the booking it replaced, so that payment is the one cancelled.
    """
    if amount_krw <= 0:
        return
    paid_for = booking
    while paid_for.source == Booking.Source.GUARANTEE and paid_for.guarantee_case_id:
        paid_for = paid_for.guarantee_case.booking
    subject_refund(subject=paid_for, amount_krw=amount_krw, key=key, reason=reason, source=source)


def guest_credit(guest) -> LedgerAccount:
    """What the platform owes the guest beyond their payment (compensation): theirs to withdraw."""
    return consumer_payable(guest)


def clearing() -> LedgerAccount:
    return platform_account("platform-psp-clearing")


def fund() -> LedgerAccount:
    return platform_account("platform-guarantee-fund")


def move(*, debit, credit, amount_krw: int, key: str, reason: str, subject=None) -> None:
    """A ledger transfer that skips zero amounts (the ledger refuses them)."""
    if amount_krw > 0:
        ledger_transfer(
            debit=debit, credit=credit, amount_krw=amount_krw, key=key, reason=reason, subject=subject
        )


def payable(partner) -> LedgerAccount:
    return partner_payable(partner)


def _percent_for(table: list[tuple[int, int]], days_before: int) -> int:
    """The percent of the first row whose 'days before at least' the stay meets (tables run high→low)."""
    for at_least, percent in table:
        if days_before >= at_least:
            return percent
    return table[-1][1]


def guest_refund_krw(*, booking: Booking, today: date, paid_krw: int | None = None) -> int:
    """What a guest cancelling today gets back of what they paid, under the property's policy."""
    table = settings.BOOKINGS_CANCELLATION_POLICIES[booking.property.cancellation_policy]
    paid = booking.guest_paid_krw if paid_krw is None else paid_krw
    return paid * _percent_for(table, (booking.check_in - today).days) // 100


def is_peak(day: date) -> bool:
    for (start_month, start_day), (end_month, end_day) in settings.BOOKINGS_PEAK_SEASONS:
        start, end, here = (start_month, start_day), (end_month, end_day), (day.month, day.day)
        inside = start <= here <= end if start <= end else (here >= start or here <= end)
        if inside:
            return True
    return False


def compensation_krw(*, booking: Booking, at: datetime) -> int:
    """Compensation on top of the full refund when we could not rehouse the guest (consumer standard)."""
    table = settings.BOOKINGS_COMPENSATION["peak" if is_peak(booking.check_in) else "off_peak"]
    days_before = max(0, (booking.check_in - timezone.localtime(at).date()).days)
    return booking.price_total_krw * _percent_for(table, days_before) // 100


def penalty_krw(booking: Booking) -> int:
    return booking.price_total_krw * settings.BOOKINGS_PENALTY_BPS // 10_000
