"""Compensation when the guarantee could not rehouse a guest: the fund's money, sized on a price the
property set, so a property and a guest acting together must not be able to draw on it.

It is paid at once only within every limit: at most BOOKINGS_COMPENSATION_CASE_CAP_KRW a case, no more
than BOOKINGS_COMPENSATION_REVIEW_KRW, within what BOOKINGS_COMPENSATION_MONTHLY_CAP_KRW leaves this
Korean calendar month, only while the property, charged for it with its penalty, stays within its
floor (`money.charge_headroom_krw`), and never to a guest who belongs to the property's business.
Otherwise it waits on the case, in the agents' queue, for an agent to pay it (within the caps) or
refuse it. Locks: the case row first, then the property's accounts (`partner_accounts_lock`), then the
fund's row, which serialises the month's total; ledger keys derive from the case.
"""

from datetime import datetime, time

from django.conf import settings
from django.db import transaction
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from trustplatform.audit.services import audit_record
from trustplatform.ledger.selectors import KST, kst_today
from trustplatform.ledger.services import accounts_lock
from trustplatform.notifications.services import Phrase, notification_send
from trustplatform.partners.selectors import is_member

from ..errors import BookingConflict, BookingError
from ..models import GuaranteeCase
from . import money


def compensation_month_paid() -> int:
    """Compensation paid since the 1st of this Korean calendar month, by the fund to guests."""
    since = datetime.combine(kst_today().replace(day=1), time.min, tzinfo=KST)
    paid = GuaranteeCase.objects.filter(compensation_paid_at__gte=since).aggregate(
        total=Sum("compensation_krw")
    )
    return paid["total"] or 0


def _month_left(partner) -> int:
    """Lock the property's accounts, then the fund's row; what the month's cap still allows."""
    money.partner_accounts_lock(partner)
    accounts_lock(money.fund())
    return max(0, settings.BOOKINGS_COMPENSATION_MONTHLY_CAP_KRW - compensation_month_paid())


def _review_reasons(*, case: GuaranteeCase, amount_krw: int, penalty_krw: int, month_left: int) -> list[str]:
    booking, partner = case.booking, case.booking.property.partner
    reasons = []
    if amount_krw > settings.BOOKINGS_COMPENSATION_REVIEW_KRW:
        reasons.append(
            _("more than ₩%(amount)s") % {"amount": f"{settings.BOOKINGS_COMPENSATION_REVIEW_KRW:,}"}
        )
    if amount_krw > month_left:
        reasons.append(_("this month's compensation cap is reached"))
    if amount_krw + penalty_krw > money.charge_headroom_krw(partner):
        reasons.append(_("the property would owe the guarantee fund more than its floor"))
    if is_member(user=booking.guest, partner=partner):
        reasons.append(_("the guest belongs to the property's business"))
    return reasons


def _charge_and_pay(*, case: GuaranteeCase, amount_krw: int, penalty_krw: int) -> int:
    """Charge the property the compensation and its penalty (down to its floor), pay the guest the
    compensation from the fund. Caller holds the locks. Returns what the property was charged."""
    booking = case.booking
    partner = booking.property.partner
    key = f"guarantee-case-{case.pk}"
    charged = min(amount_krw + penalty_krw, money.charge_headroom_krw(partner))
    money.property_charge(
        partner=partner,
        amount_krw=charged,
        key=key,
        reason=f"guarantee charge for cancelling {booking.code}",
        subject=case,
    )
    # Compensation is more than the payment can give back: it is the guest's credit, to withdraw.
    money.move(
        debit=money.fund(),
        credit=money.guest_credit(booking.guest),
        amount_krw=amount_krw,
        key=f"{key}-compensation",
        reason=f"compensation for {booking.code}",
        subject=case,
    )
    GuaranteeCase.objects.filter(pk=case.pk).update(
        compensation_krw=amount_krw,
        compensation_due_krw=0,
        penalty_krw=penalty_krw,
        compensation_paid_at=timezone.now() if amount_krw else None,
    )
    return charged


def compensation_settle(*, case: GuaranteeCase, amount_krw: int, penalty_krw: int) -> int:
    """The refund path's compensation (and the property's charge): paid at once within every limit,
    else left on the case for an agent with the reasons why. Caller holds the case's lock. Returns
    what was paid now."""
    amount = min(amount_krw, settings.BOOKINGS_COMPENSATION_CASE_CAP_KRW)
    month_left = _month_left(case.booking.property.partner)
    reasons = _review_reasons(case=case, amount_krw=amount, penalty_krw=penalty_krw, month_left=month_left)
    if amount < amount_krw:  # the price asked for more than any case may get: an outlier whatever the cap
        reasons.append(
            _("the price asks for ₩%(asked)s, more than the cap per case") % {"asked": f"{amount_krw:,}"}
        )
    if amount and reasons:
        GuaranteeCase.objects.filter(pk=case.pk).update(
            compensation_due_krw=amount, compensation_review="; ".join(reasons)[:300], penalty_krw=penalty_krw
        )
        return 0
    _charge_and_pay(case=case, amount_krw=amount, penalty_krw=penalty_krw)
    return amount


def _lock_case(case_id: int) -> GuaranteeCase:
    return (
        GuaranteeCase.objects.select_for_update(of=("self",))
        .select_related("booking__property__partner", "booking__guest")
        .get(pk=case_id)
    )


def _require_agent(actor, reason: str) -> str:
    if actor is None or not actor.has_perm("bookings.work_case"):
        raise BookingError(_("You are not allowed to do this."), code="forbidden", status=403)
    if not (reason or "").strip():
        raise BookingError(_("Say why."), code="reason_required", fields={"reason": [_("Required.")]})
    return reason.strip()


def _waiting(case: GuaranteeCase) -> None:
    if not case.compensation_due_krw:
        raise BookingConflict(_("No compensation waits for a decision on this case."), code="nothing_waiting")


def case_compensation_pay(*, case: GuaranteeCase, actor, amount_krw: int, reason: str) -> GuaranteeCase:
    """An agent pays the compensation waiting on a case: at most what waits (itself within the case
    cap) and what the month's cap leaves; paying again does nothing. Takes the case's lock first."""
    reason = _require_agent(actor, reason)
    if isinstance(amount_krw, bool) or not isinstance(amount_krw, int) or amount_krw <= 0:
        raise BookingError(
            _("The amount is a whole number of won above zero."),
            code="invalid_amount",
            fields={"amount_krw": [_("Must be a whole number above zero.")]},
        )
    with transaction.atomic():
        case = _lock_case(case.pk)
        if not case.compensation_due_krw and case.compensation_paid_at:
            return case  # a second click on the same decision
        _waiting(case)
        if amount_krw > case.compensation_due_krw:
            raise BookingError(
                _("Pay at most the ₩%(due)s this case waits for.")
                % {"due": f"{case.compensation_due_krw:,}"},
                code="over_due",
                fields={"amount_krw": [_("Too much.")]},
            )
        month_left = _month_left(case.booking.property.partner)
        if amount_krw > month_left:
            raise BookingConflict(
                _("This month's compensation cap leaves ₩%(left)s.") % {"left": f"{month_left:,}"},
                code="monthly_cap",
                fields={"amount_krw": [_("Too much.")]},
            )
        charged = _charge_and_pay(case=case, amount_krw=amount_krw, penalty_krw=case.penalty_krw)
        audit_record(
            obj=case,
            action="compensation_paid",
            actor=actor,
            reason=reason,
            extra={
                "amount_krw": amount_krw,
                "charged_krw": charged,
                "uncharged_krw": amount_krw + case.penalty_krw - charged,
            },
        )
        booking = case.booking
        transaction.on_commit(
            lambda: notification_send(
                user=booking.guest,
                url=reverse("bookings:booking", args=[booking.code]),
                key=f"case:{case.pk}:compensation",
                title=Phrase(
                    gettext_lazy(
                        "Compensation of ₩%(amount)s for booking %(code)s is in your Ansim balance."
                    ),
                    {"amount": f"{amount_krw:,}", "code": booking.code},
                ),
            )
        )
    case.refresh_from_db()
    return case


def case_compensation_refuse(*, case: GuaranteeCase, actor, reason: str) -> GuaranteeCase:
    """An agent refuses the compensation waiting on a case; the property is still charged its penalty,
    down to its floor. Takes the case's lock first."""
    reason = _require_agent(actor, reason)
    with transaction.atomic():
        case = _lock_case(case.pk)
        _waiting(case)
        _month_left(case.booking.property.partner)  # the same locks, in the same order, as a payment
        charged = _charge_and_pay(case=case, amount_krw=0, penalty_krw=case.penalty_krw)
        audit_record(
            obj=case,
            action="compensation_refused",
            actor=actor,
            reason=reason,
            extra={
                "refused_krw": case.compensation_due_krw,
                "charged_krw": charged,
                "uncharged_krw": case.penalty_krw - charged,
            },
        )
    case.refresh_from_db()
    return case
