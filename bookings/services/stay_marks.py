"""The end of a stay: the property records that its guest arrived, left, or never came, and a stay
nobody marked completes by itself BOOKINGS_AUTO_COMPLETE_HOURS after check-out.

Each mark is one transaction under the booking's row lock (common.lock), the transition re-checked
under it. A completed stay pays what is held in trust to the property's payable under the key
`booking-<pk>-payout`, so the money moves once whoever completes it and however often. A no-show
keeps the money in trust while the guest may dispute it (no_shows.py settles it). A booking with an
open guarantee case belongs to the guarantee and is never marked here. Front-desk staff record
arrivals and departures; only owners and managers record a no-show (partners.roles). A person's marks
(the property's, or staff's in the admin) follow the clock: nothing before the guest could have come.
"""

from datetime import datetime, time, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from trustplatform.notifications.services import Phrase, notification_send
from trustplatform.partners.roles import PartnerAction, partner_action_require
from trustplatform.partners.services import partner_notify
from trustplatform.transitions import transition_run

from ..errors import BookingConflict
from ..models import Booking, GuaranteeCase
from ..models.guarantee import OPEN_STATUSES as OPEN_CASE_STATUSES
from . import money
from .common import check_in_at, lock, stay_end


def _role_require(booking: Booking, actor, action: PartnerAction) -> None:
    """Refuse what the actor's role at the property does not allow (no actor: the platform itself)."""
    partner_action_require(actor=actor, partner=booking.property.partner, action=action)


def _open_cases():
    return GuaranteeCase.objects.filter(status__in=OPEN_CASE_STATUSES)


def _guarantee_open(booking: Booking) -> bool:
    return _open_cases().filter(booking_id=booking.pk).exists()


def _refuse_guaranteed(booking: Booking) -> None:
    if _guarantee_open(booking):
        raise BookingConflict(
            _("The Ansim guarantee is handling this booking; our agents close it."), code="guarantee_open"
        )


def _day_starts(booking: Booking) -> datetime:
    return datetime.combine(booking.check_in, time.min, tzinfo=timezone.get_current_timezone())


def _too_early(until: datetime, what) -> BookingConflict:
    return BookingConflict(
        _("%(what)s can be recorded from %(when)s.")
        % {"what": what, "when": timezone.localtime(until).strftime("%Y-%m-%d %H:%M")},
        code="too_early",
    )


def booking_check_in(*, booking: Booking, actor=None, at: datetime | None = None) -> Booking:
    """The guest arrived (recorded by a person from the check-in day on). Locks the booking."""
    at = at or timezone.now()
    _role_require(booking, actor, PartnerAction.STAY_RECORD)
    with transaction.atomic():
        booking = lock(booking.pk)
        _refuse_guaranteed(booking)
        if actor is not None and at < _day_starts(booking):
            raise _too_early(_day_starts(booking), _("An arrival"))
        return transition_run(instance=booking, name="check_in_guest", actor=actor, at=at)


def booking_complete(*, booking: Booking, actor=None, at: datetime | None = None) -> Booking:
    """The guest left: the stay is complete and the money held in trust goes to the property."""
    at = at or timezone.now()
    _role_require(booking, actor, PartnerAction.STAY_RECORD)
    with transaction.atomic():
        booking = lock(booking.pk)
        _refuse_guaranteed(booking)
        if actor is not None and at < _day_starts(booking):
            raise _too_early(_day_starts(booking), _("A departure"))
        booking = transition_run(instance=booking, name="complete", actor=actor, at=at)
        property_pay(booking, why="complete", at=at)
    _review_invite(booking)
    return booking


def booking_no_show(*, booking: Booking, actor=None, at: datetime | None = None) -> Booking:
    """The guest never came (recorded by a person from the check-in time on). The money stays in trust
    while the guest may dispute it, BOOKINGS_NO_SHOW_DISPUTE_HOURS; no_shows.py settles it."""
    at = at or timezone.now()
    _role_require(booking, actor, PartnerAction.STAY_NO_SHOW)
    with transaction.atomic():
        booking = lock(booking.pk)
        _refuse_guaranteed(booking)
        if actor is not None and at < check_in_at(booking):
            raise _too_early(check_in_at(booking), _("A no-show"))
        booking = transition_run(instance=booking, name="mark_no_show", actor=actor, at=at)
        notification_send(
            user=booking.guest,
            url=reverse("bookings:booking", args=[booking.code]),
            sms_text=True,
            key=f"booking:{booking.pk}:no-show:guest",
            title=Phrase(
                gettext_lazy(
                    "%(property)s recorded booking %(code)s as a no-show. If you came, dispute it on the "
                    "booking page by %(until)s."
                ),
                {
                    "property": booking.property.name,
                    "code": booking.code,
                    "until": timezone.localtime(booking.no_show_dispute_ends_at).strftime("%m-%d %H:%M"),
                },
            ),
        )
    return booking


def property_pay(booking: Booking, *, why: str, at: datetime | None = None) -> int:
    """Pay what is held for the booking to the property's payable, less what it still owes for
    guarantees; once (ledger key `booking-<pk>-payout`). Caller holds the booking's lock. Returns
    the amount paid in."""
    partner = booking.property.partner
    money.partner_accounts_lock(partner)
    held = money.held_account(booking)
    held.refresh_from_db()
    amount = held.available_krw  # what a refund being sent back to the guest has not reserved
    money.move(
        debit=held,
        credit=money.payable(partner),
        amount_krw=amount,
        key=f"booking-{booking.pk}-payout",
        reason=f"{why} {booking.code}",
        subject=booking,
    )
    money.charges_recover(
        partner=partner, key=f"booking-{booking.pk}-payout-charges-recovered", subject=booking
    )
    booking.settled_at = booking.settled_at or at or timezone.now()
    Booking.objects.filter(pk=booking.pk, settled_at__isnull=True).update(settled_at=booking.settled_at)
    return amount


def _review_invite(booking: Booking) -> None:
    notification_send(
        user=booking.guest,
        url=reverse("bookings:booking", args=[booking.code]),
        title=Phrase(
            gettext_lazy("Your stay at %(property)s is complete. How was it? Write a review."),
            {"property": booking.property.name},
        ),
    )


def stay_complete_automatically(*, booking_id: int, now: datetime | None = None) -> bool:
    """Complete one stay nobody marked, if it is still unmarked and past its time; False otherwise.
    Locks the booking; the money goes to the property as for a departure it recorded."""
    now = now or timezone.now()
    with transaction.atomic():
        booking = lock(booking_id)
        if booking.status not in (Booking.Status.CONFIRMED, Booking.Status.CHECKED_IN):
            return False
        due_at = stay_end(booking) + timedelta(hours=settings.BOOKINGS_AUTO_COMPLETE_HOURS)
        if due_at > now or _guarantee_open(booking):
            return False
        booking = transition_run(
            instance=booking, name="complete", reason="not marked after check-out", at=now, automatically=True
        )
        amount = property_pay(booking, why="completed automatically", at=now)
        partner_notify(
            partner=booking.property.partner,
            key=f"booking:{booking.pk}:auto-completed",
            url=reverse("bookings_portal:booking", args=[booking.code]),
            title=Phrase(
                gettext_lazy("Stay %(code)s was completed automatically: ₩%(amount)s added to your payouts."),
                {"code": booking.code, "amount": f"{amount:,}"},
            ),
        )
    _review_invite(booking)
    return True


def stays_complete_due(*, now: datetime | None = None, limit: int = 500) -> int:
    """The sweep: complete the stays nobody marked BOOKINGS_AUTO_COMPLETE_HOURS after check-out.
    Each in its own transaction; a stay marked meanwhile is left alone. Returns how many completed."""
    now = now or timezone.now()
    # Check-out on or before this day is a superset of the due; each is checked exactly under its lock.
    last_day = timezone.localdate(now - timedelta(hours=settings.BOOKINGS_AUTO_COMPLETE_HOURS))
    ids = list(
        Booking.objects.filter(
            status__in=[Booking.Status.CONFIRMED, Booking.Status.CHECKED_IN],
            check_out__lte=last_day,
        )
        .exclude(Exists(_open_cases().filter(booking_id=OuterRef("pk"))))
        .order_by("check_out", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    return sum(stay_complete_automatically(booking_id=pk, now=now) for pk in ids)
