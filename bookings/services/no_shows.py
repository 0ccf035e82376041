"""A no-show's money, and the guest's dispute of it.

A no-show keeps the guest's money in trust for BOOKINGS_NO_SHOW_DISPUTE_HOURS after it was marked.
The guest may dispute it once within that window (one NoShowDispute per booking, a one-to-one, opened
under the booking's row lock). Undisputed, the sweep settles it when the window closes; disputed, an
agent decides, and the money follows the decision:
- the guest stayed: the booking becomes a completed stay and the property is paid all that is held;
- a no-show: it is settled as one.
A no-show is settled as a cancellation on the check-in day (Korea's consumer dispute standard for
lodging treats a same-day cancellation and a no-show alike): the property's cancellation policy gives
the guest its day-of share of what they paid, through the payment company, and the property is paid
the rest. Every movement has a ledger key derived from the booking, so it happens once.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from trustplatform.audit.services import audit_record
from trustplatform.notifications.services import Phrase, notification_send, staff_notify
from trustplatform.partners.services import partner_notify
from trustplatform.transitions import transition_run

from ..errors import BookingConflict, BookingError, BookingForbidden, BookingNotFound
from ..models import Booking, NoShowDispute
from . import money
from .common import lock
from .stay_marks import property_pay

STATEMENT_MAX = 2000


def no_show_split(booking: Booking, *, held_krw: int | None = None) -> tuple[int, int]:
    """What settling the booking as a no-show does with what is held for it (by default the price of a
    paid booking): (back to the guest under the property's policy for the check-in day, to the property)."""
    held = booking.price_total_krw if held_krw is None else held_krw
    refund = money.guest_refund_krw(
        booking=booking, today=booking.check_in, paid_krw=min(booking.guest_paid_krw, held)
    )
    return refund, held - refund


def no_show_disputable(booking: Booking, *, now: datetime | None = None) -> bool:
    """Whether the guest may still dispute this no-show (pages offer the form only then)."""
    if booking.status != Booking.Status.NO_SHOW or booking.settled_at is not None:
        return False
    if NoShowDispute.objects.filter(booking_id=booking.pk).exists():
        return False
    return (now or timezone.now()) < booking.no_show_dispute_ends_at


def no_show_dispute_open(*, booking: Booking, actor, statement: str) -> NoShowDispute:
    """The guest says they were not a no-show; once, within the window. Locks the booking. The money
    stays in trust until an agent decides."""
    statement = (statement or "").strip()
    if not statement:
        raise BookingError(
            _("Tell us what happened: our agent reads it before deciding."),
            code="statement_required",
            fields={"statement": [_("Required.")]},
        )
    with transaction.atomic():
        booking = lock(booking.pk)
        if actor is None or booking.guest_id != actor.pk:
            raise BookingNotFound(_("No such booking."))
        if booking.status != Booking.Status.NO_SHOW:
            raise BookingConflict(
                _("Only a stay recorded as a no-show can be disputed."), code="not_a_no_show"
            )
        if NoShowDispute.objects.filter(booking=booking).exists():
            raise BookingConflict(_("You have already disputed this no-show."), code="already_disputed")
        if not no_show_disputable(booking):
            raise BookingConflict(
                _("The time to dispute this no-show ended at %(when)s.")
                % {"when": timezone.localtime(booking.no_show_dispute_ends_at).strftime("%Y-%m-%d %H:%M")},
                code="dispute_window_closed",
            )
        dispute = NoShowDispute.objects.create(booking=booking, statement=statement[:STATEMENT_MAX])
        audit_record(obj=dispute, action="opened", actor=actor)
        _dispute_tell(booking, dispute)
    return dispute


def _dispute_tell(booking: Booking, dispute: NoShowDispute) -> None:
    """The agents' queue and the property hear of a new dispute."""
    staff_notify(
        group="agents",
        title=Phrase(
            gettext_lazy("A guest disputes the no-show of booking %(code)s"), {"code": booking.code}
        ),
        url=reverse("admin:bookings_noshowdispute_change", args=[dispute.pk]),
    )
    partner_notify(
        partner=booking.property.partner,
        key=f"booking:{booking.pk}:no-show-disputed",
        url=reverse("bookings_portal:booking", args=[booking.code]),
        title=Phrase(
            gettext_lazy(
                "The guest disputes the no-show of booking %(code)s. An Ansim agent decides; its "
                "payment stays held until then."
            ),
            {"code": booking.code},
        ),
    )


def no_show_dispute_decide(*, dispute: NoShowDispute, actor, stayed: bool, reason: str) -> NoShowDispute:
    """An agent decides a dispute (permission bookings.decide_noshowdispute): the guest stayed, or it
    was a no-show; the money follows at once. Locks the booking, then the dispute."""
    if actor is None or not actor.has_perm("bookings.decide_noshowdispute"):
        raise BookingForbidden(_("Only agents decide no-show disputes."), code="not_an_agent")
    if not (reason or "").strip():
        raise BookingError(
            _("Give the grounds of the decision; both sides read them."),
            code="reason_required",
            fields={"reason": [_("Required.")]},
        )
    now = timezone.now()
    with transaction.atomic():
        booking = lock(dispute.booking_id)
        name = "decide_stayed" if stayed else "decide_no_show"
        dispute = transition_run(instance=dispute, name=name, actor=actor, reason=reason.strip(), at=now)
        if stayed:
            booking = transition_run(instance=booking, name="overturn_no_show", actor=actor, reason=reason)
            refund, paid = 0, property_pay(booking, why="stayed (no-show overturned)", at=now)
        else:
            refund, paid = no_show_settle(booking, at=now)
        _decision_tell(booking, stayed=stayed, refund=refund, paid=paid)
    return dispute


def _decision_tell(booking: Booking, *, stayed: bool, refund: int, paid: int) -> None:
    if stayed:
        guest = gettext_lazy("Our agent found that you stayed at %(property)s (booking %(code)s): it is "
                             "recorded as a completed stay, and you can review it.")
        owner = gettext_lazy("Booking %(code)s: our agent found that the guest stayed. ₩%(paid)s was added "
                             "to your payouts.")
    else:
        guest = gettext_lazy("Our agent found that booking %(code)s at %(property)s was a no-show. "
                             "₩%(refund)s comes back to you under the property's policy.")
        owner = gettext_lazy("Booking %(code)s: our agent confirmed the no-show. ₩%(paid)s was added to "
                             "your payouts.")
    values = {"code": booking.code, "property": booking.property.name,
              "refund": f"{refund:,}", "paid": f"{paid:,}"}
    notification_send(
        user=booking.guest, url=reverse("bookings:booking", args=[booking.code]), sms_text=True,
        key=f"booking:{booking.pk}:no-show-decided:guest", title=Phrase(guest, values),
    )
    partner_notify(
        partner=booking.property.partner, key=f"booking:{booking.pk}:no-show-decided",
        url=reverse("bookings_portal:booking", args=[booking.code]), title=Phrase(owner, values),
    )


def no_show_settle(booking: Booking, *, at: datetime) -> tuple[int, int]:
    """Settle a no-show as a same-day cancellation: the policy's day-of refund of the guest's share
    to the guest, the rest to the property. Caller holds the booking's lock. Returns (refund, paid)."""
    money.partner_accounts_lock(booking.property.partner)
    held = money.held_account(booking)
    held.refresh_from_db()
    refund, _rest = no_show_split(booking, held_krw=held.available_krw)
    money.guest_refund(
        booking=booking, amount_krw=refund, key=f"booking-{booking.pk}-no-show-refund", source=held,
        reason=f"예약 {booking.code} 노쇼 환불",
    )
    return refund, property_pay(booking, why="no-show", at=at)


def no_show_settle_due(*, booking_id: int, now: datetime | None = None) -> bool:
    """Settle one undisputed no-show whose window has closed; False when it is not due (yet)."""
    now = now or timezone.now()
    with transaction.atomic():
        booking = lock(booking_id)
        if booking.status != Booking.Status.NO_SHOW or booking.settled_at is not None:
            return False
        if booking.no_show_dispute_ends_at > now or NoShowDispute.objects.filter(booking=booking).exists():
            return False
        _refund, paid = no_show_settle(booking, at=now)
        partner_notify(
            partner=booking.property.partner,
            key=f"booking:{booking.pk}:no-show-settled",
            url=reverse("bookings_portal:booking", args=[booking.code]),
            title=Phrase(
                gettext_lazy(
                    "The no-show of booking %(code)s is final: ₩%(paid)s was added to your payouts."
                ),
                {"code": booking.code, "paid": f"{paid:,}"},
            ),
        )
    return True


def no_shows_settle_due(*, now: datetime | None = None, limit: int = 500) -> int:
    """The sweep: settle the no-shows nobody disputed once their window closed. Returns how many."""
    now = now or timezone.now()
    cutoff = now - timedelta(hours=settings.BOOKINGS_NO_SHOW_DISPUTE_HOURS)
    ids = list(
        Booking.objects.filter(
            status=Booking.Status.NO_SHOW,
            settled_at__isnull=True,
            finished_at__lte=cutoff,
            no_show_dispute__isnull=True,
        )
        .order_by("finished_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    return sum(no_show_settle_due(booking_id=pk, now=now) for pk in ids)
