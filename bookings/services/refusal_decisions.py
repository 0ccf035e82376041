"""An agent decides a contested report (refusals) with both statements: upheld, the property's
cancellation runs as if it had confirmed; dismissed, the booking stays as it was and the dismissal
counts against the guest, who is flagged for staff after BOOKINGS_GUARANTEE_ABUSE_DISMISSALS of them.

Locks: the booking row, the case row, then (on a dismissal) the guest's user row, in one transaction.
"""

from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from trustplatform.audit.services import audit_record
from trustplatform.notifications.services import Phrase, notification_send, staff_notify
from trustplatform.partners.services import partner_notify
from trustplatform.transitions import transition_run

from ..errors import BookingConflict, BookingError
from ..models import Booking, GuaranteeCase, GuestFlag
from .common import guest_lock
from .refusals import case_lock, case_rehouse

Status = GuaranteeCase.Status


def case_decide(*, case: GuaranteeCase, actor, uphold: bool, reason: str) -> GuaranteeCase:
    """An agent's decision on a contested report, with its grounds (shown to both sides)."""
    reason = (reason or "").strip()
    if not reason:
        raise BookingError(
            _("Give the grounds of the decision."),
            code="reason_required",
            fields={"reason": [_("Required.")]},
        )
    with transaction.atomic():
        booking, case = case_lock(case)
        if case.status != Status.CONTESTED:
            raise BookingConflict(_("This case is not waiting for a decision."), code="invalid_transition")
        if not uphold:
            return _dismiss(case=case, booking=booking, actor=actor, reason=reason)
        if booking.status != Booking.Status.CONFIRMED:
            raise BookingConflict(
                _("The booking is now %(status)s: settle that first.")
                % {"status": booking.get_status_display()},
                code="booking_changed",
            )
        transition_run(instance=case, name="uphold", actor=actor, reason=reason, check_perm=True)
        return case_rehouse(booking=booking, why=_("An agent found the property turned the guest away."))


def _dismiss(*, case: GuaranteeCase, booking: Booking, actor, reason: str) -> GuaranteeCase:
    case = transition_run(
        instance=case, name="dismiss", actor=actor, reason=reason, at=timezone.now(), check_perm=True
    )
    words = {"code": booking.code, "why": reason[:300]}
    notification_send(
        user=booking.guest,
        url=reverse("bookings:booking", args=[booking.code]),
        sms_text=True,
        key=f"case:{case.pk}:dismissed",
        title=Phrase(gettext_lazy("An agent decided your booking %(code)s stands: %(why)s"), words),
    )
    partner_notify(
        partner=booking.property.partner,
        key=f"case:{case.pk}:dismissed",
        url=reverse("bookings_portal:refusal", args=[case.pk]),
        title=Phrase(
            gettext_lazy("The guest's report on booking %(code)s was dismissed: %(why)s. Host the guest."),
            words,
        ),
        sms_text=True,
    )
    guest_lock(booking.guest_id)
    guest_abuse_check(guest=booking.guest)
    return case


def guest_abuse_check(*, guest) -> GuestFlag | None:
    """Flag the guest for staff once BOOKINGS_GUARANTEE_ABUSE_DISMISSALS of their reports were dismissed
    within the window; one standing flag at a time (a partial unique index). Caller holds the guest's
    lock (common.guest_lock)."""
    since = timezone.now() - timedelta(days=settings.BOOKINGS_GUARANTEE_ABUSE_WINDOW_DAYS)
    dismissed = GuaranteeCase.objects.filter(
        booking__guest=guest, status=Status.DISMISSED, closed_at__gte=since
    ).count()
    if dismissed < settings.BOOKINGS_GUARANTEE_ABUSE_DISMISSALS:
        return None
    if GuestFlag.objects.filter(guest=guest, cleared_at__isnull=True).exists():
        return None
    try:
        with transaction.atomic():
            flag = GuestFlag.objects.create(
                guest=guest,
                dismissed_reports=dismissed,
                reason=f"{dismissed} guarantee reports dismissed in "
                f"{settings.BOOKINGS_GUARANTEE_ABUSE_WINDOW_DAYS} days",
            )
    except IntegrityError:
        return None
    audit_record(obj=flag, action="guest_flagged", reason=flag.reason, extra={"guest": guest.pk})
    pk = flag.pk
    transaction.on_commit(lambda: staff_notify(
        group="agents",
        title=Phrase(
            gettext_lazy("A guest is flagged: %(n)s guarantee reports dismissed. Their next reports wait "
                         "for an agent."),
            {"n": dismissed},
        ),
        url=reverse("admin:bookings_guestflag_change", args=[pk]),
    ))
    return flag


def guest_flag_clear(*, flag: GuestFlag, actor, reason: str) -> GuestFlag:
    """Staff lift a guest's flag (with a reason): the property's silence confirms their reports again."""
    reason = (reason or "").strip()
    if not reason:
        raise BookingError(_("Say why."), code="reason_required", fields={"reason": [_("Required.")]})
    with transaction.atomic():
        flag = GuestFlag.objects.select_for_update().get(pk=flag.pk)
        if flag.cleared_at is not None:
            return flag
        GuestFlag.objects.filter(pk=flag.pk).update(cleared_at=timezone.now(), cleared_by=actor)
        audit_record(obj=flag, action="guest_flag_cleared", actor=actor, reason=reason)
        flag.refresh_from_db()
    return flag
