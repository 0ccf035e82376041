"""Guarantee cases the property never opens: it phones the guest to say there is no room, or turns them
away at the door, and cancels nothing. The guest reports it (booking page, API), or calls the guarantee
line and an agent reports it; the property is asked to confirm or contest within
BOOKINGS_GUARANTEE_RESPONSE_MINUTES. Confirmation or silence runs the property's cancellation (stays),
which rehouses the guest and charges the property as for any cancellation; a contest goes to an agent,
who upholds the report (the same cancellation) or dismisses it (the booking stays as it was).

Locks, in the order a property's cancellation takes them: the booking row, then the guest's user row
(a guest's reports are counted under it), then the case row, in one transaction.
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
from trustplatform.partners.roles import PartnerAction, partner_action_require
from trustplatform.partners.services import partner_notify
from trustplatform.transitions import transition_run

from ..errors import BookingConflict, BookingError, BookingNotFound
from ..models import Booking, GuaranteeCase, GuestFlag
from .common import guarantee_line, guest_lock, stay_end
from .stays import booking_cancel_by_property, lock

Status, Origin = GuaranteeCase.Status, GuaranteeCase.Origin
STATEMENT_MAX = 2000


def _statement(text: str, *, field: str, required: bool) -> str:
    text = (text or "").strip()
    if required and not text:
        raise BookingError(
            _("Say what happened."), code="statement_required", fields={field: [_("Required.")]}
        )
    if len(text) > STATEMENT_MAX:
        raise BookingError(
            _("At most %(n)s characters.") % {"n": STATEMENT_MAX},
            code="statement_too_long",
            fields={field: [_("Too long.")]},
        )
    return text


def _hhmm(moment) -> str:
    return timezone.localtime(moment).strftime("%H:%M")


def case_report(*, booking: Booking, actor, note: str = "", by_agent: bool = False) -> GuaranteeCase:
    """The guest reports that the property turned them away or says there is no room (by_agent: an
    agent reports it after the guest called the guarantee line). The property is asked to answer; a
    countdown task runs its silence. A guest's own reports are rate-limited. Locks the booking first."""
    if by_agent:
        if not (actor.is_staff and actor.has_perm("bookings.work_case")):
            raise BookingError(_("You are not allowed to do this."), code="transition_forbidden", status=403)
    elif actor.pk != booking.guest_id:
        raise BookingNotFound(_("No such booking."))
    note = _statement(note, field="note", required=by_agent)
    with transaction.atomic():
        booking = lock(booking.pk)
        _reportable(booking)
        guest_lock(booking.guest_id)
        if not by_agent:
            _rate_limit(booking.guest_id)
        respond_by = timezone.now() + timedelta(minutes=settings.BOOKINGS_GUARANTEE_RESPONSE_MINUTES)
        try:
            with transaction.atomic():
                case = GuaranteeCase.objects.create(
                    booking=booking,
                    status=Status.REPORTED,
                    origin=Origin.LINE if by_agent else Origin.GUEST,
                    reported_by=actor,
                    guest_statement=note,
                    respond_by=respond_by,
                    budget_krw=settings.BOOKINGS_CASE_BUDGET_KRW,
                )
        except IntegrityError as exc:  # the one-open-case constraint
            raise BookingConflict(
                _("A guarantee case is already open for this booking."), code="case_open"
            ) from exc
        audit_record(
            obj=case, action="reported", actor=actor, reason=note[:300],
            extra={"booking": booking.code, "origin": case.origin, "respond_by": respond_by.isoformat()},
        )
        _ask_property(case=case, booking=booking)
        from ..tasks import case_answer_due_task

        case_answer_due_task.apply_async_on_commit(args=[case.pk], eta=respond_by)
    return case


def _reportable(booking: Booking) -> None:
    if booking.status != Booking.Status.CONFIRMED:
        raise BookingConflict(
            _("Only a confirmed booking can be reported; this one is %(status)s.")
            % {"status": booking.get_status_display()},
            code="not_reportable",
        )
    if timezone.now() >= stay_end(booking):
        raise BookingConflict(_("This stay is over."), code="stay_over")


def _rate_limit(guest_id: int) -> None:
    window = settings.BOOKINGS_GUARANTEE_REPORTS_WINDOW_DAYS
    recent = GuaranteeCase.objects.filter(
        booking__guest_id=guest_id,
        origin__in=[Origin.GUEST, Origin.LINE],
        opened_at__gte=timezone.now() - timedelta(days=window),
    ).count()
    if recent >= settings.BOOKINGS_GUARANTEE_REPORTS_PER_GUEST:
        raise BookingError(
            _(
                "You have reported %(n)s bookings in %(days)s days, the most we take here. "
                "Call the guarantee line instead: %(line)s."
            )
            % {"n": recent, "days": window, "line": guarantee_line().display},
            code="report_rate_limited",
            status=429,
        )


def _ask_property(*, case: GuaranteeCase, booking: Booking) -> None:
    partner_notify(
        partner=booking.property.partner,
        key=f"case:{case.pk}:reported",
        url=reverse("bookings_portal:refusal", args=[case.pk]),
        sms_text=True,
        title=Phrase(
            gettext_lazy(
                "The guest of booking %(code)s says you turned them away or have no room. Confirm or "
                "contest by %(time)s; without an answer, Ansim rehouses the guest at your cost."
            ),
            {"code": booking.code, "time": _hhmm(case.respond_by)},
        ),
    )
    notification_send(
        user=booking.guest,
        url=reverse("bookings:booking", args=[booking.code]),
        sms_text=True,
        key=f"case:{case.pk}:reported:guest",
        title=Phrase(
            gettext_lazy(
                "We asked %(property)s to answer by %(time)s. If it confirms or does not answer, we book "
                "you an equal or better room nearby at our cost."
            ),
            {"property": booking.property.name, "time": _hhmm(case.respond_by)},
        ),
    )


def case_lock(case: GuaranteeCase) -> tuple[Booking, GuaranteeCase]:
    """Lock the case's booking, then the case (a property cancellation's order); both as read under it."""
    booking = lock(case.booking_id)
    case = (
        GuaranteeCase.objects.select_for_update(of=("self",))
        .select_related("booking__property__partner", "booking__guest")
        .get(pk=case.pk)
    )
    return booking, case


def case_rehouse(*, booking: Booking, why: str) -> GuaranteeCase:
    """The property's cancellation, with everything it brings: rooms back on sale, the safe number
    closed, the case's search (after commit), and the property charged when the case settles."""
    return booking_cancel_by_property(booking=booking, actor=None, reason=why)


def _to_agent(*, case: GuaranteeCase, booking: Booking, why: str, actor=None, statement: str = ""):
    """The report goes to an agent: the property contested it (its statement), or it cannot start by
    itself (the guest is flagged, the booking changed meanwhile)."""
    case = transition_run(instance=case, name="contest", actor=actor, reason=why, statement=statement)
    pk, code, guest, name = case.pk, booking.code, booking.guest, booking.property.name
    told = (
        Phrase(
            gettext_lazy(
                "%(property)s says it did not refuse you. An agent will call you shortly and decide; "
                "keep booking number %(code)s at hand."
            ),
            {"property": name, "code": code},
        )
        if statement
        else Phrase(
            gettext_lazy("An agent is looking at your report on booking %(code)s and will call you shortly."),
            {"code": code},
        )
    )
    transaction.on_commit(lambda: (
        staff_notify(
            group="agents",
            title=Phrase(
                gettext_lazy("Guarantee case #%(pk)s (booking %(code)s) needs your decision: %(why)s"),
                {"pk": pk, "code": code, "why": why},
            ),
            url=reverse("admin:bookings_guaranteecase_decide", args=[pk]),
        ),
        notification_send(
            user=guest, url=reverse("bookings:booking", args=[code]), sms_text=True,
            key=f"case:{pk}:contested", title=told,
        ),
    ))
    return case


def _answering(case: GuaranteeCase, actor) -> tuple[Booking, GuaranteeCase]:
    """The property's answer: its owners and managers only (as a cancellation), while the case waits."""
    partner_action_require(
        actor=actor, partner=case.booking.property.partner, action=PartnerAction.BOOKING_CANCEL
    )
    booking, case = case_lock(case)
    if case.status != Status.REPORTED:
        raise BookingConflict(_("This case is no longer waiting for your answer."), code="already_answered")
    return booking, case


def case_property_confirm(*, case: GuaranteeCase, actor) -> GuaranteeCase:
    """The property confirms it cannot host the guest: the guarantee starts as for its cancellation."""
    with transaction.atomic():
        booking, case = _answering(case, actor)
        if booking.status != Booking.Status.CONFIRMED:
            return _to_agent(case=case, booking=booking, why="the booking changed before the answer")
        transition_run(instance=case, name="confirm", actor=actor, reason="confirmed by the property")
        return case_rehouse(booking=booking, why=_("The property confirmed it could not host the guest."))


def case_property_contest(*, case: GuaranteeCase, actor, statement: str) -> GuaranteeCase:
    """The property says it did not turn the guest away (its statement, before the deadline): an agent
    decides with both statements."""
    statement = _statement(statement, field="statement", required=True)
    with transaction.atomic():
        booking, case = _answering(case, actor)
        if case.respond_by <= timezone.now():
            raise BookingConflict(
                _("The time to answer is over: the guarantee has started."), code="answer_late"
            )
        return _to_agent(
            case=case, booking=booking, why="contested by the property", actor=actor, statement=statement
        )


def case_answer_lapse(*, case_id: int) -> str:
    """The property's time to answer ran out (countdown task, beat): silence confirms the report, unless
    the guest is flagged or the booking changed meanwhile (then an agent decides). Idempotent."""
    if not GuaranteeCase.objects.filter(pk=case_id, status=Status.REPORTED).exists():
        return "noop"  # answered already: no lock taken
    with transaction.atomic():
        booking, case = case_lock(GuaranteeCase.objects.only("pk", "booking_id").get(pk=case_id))
        if case.status != Status.REPORTED:
            return "noop"
        if case.respond_by > timezone.now():
            return "early"  # the beat sweep takes it when it is due
        if booking.status != Booking.Status.CONFIRMED:
            _to_agent(case=case, booking=booking, why="the booking changed before the property answered")
            return "referred"
        if GuestFlag.objects.filter(guest_id=booking.guest_id, cleared_at__isnull=True).exists():
            _to_agent(case=case, booking=booking, why="no answer from the property; the guest is flagged")
            return "referred"
        transition_run(instance=case, name="confirm", reason="the property did not answer in time")
        case_rehouse(booking=booking, why=_("The property did not answer the guest's report in time."))
        transaction.on_commit(lambda: _tell_property_silence(case.pk))
        return "started"


def _tell_property_silence(case_id: int) -> None:
    case = GuaranteeCase.objects.select_related("booking__property__partner").get(pk=case_id)
    partner_notify(
        partner=case.booking.property.partner,
        key=f"case:{case.pk}:lapsed",
        url=reverse("bookings_portal:booking", args=[case.booking.code]),
        sms_text=True,
        title=Phrase(
            gettext_lazy(
                "No answer on booking %(code)s: Ansim is rehousing the guest. You are charged as for a "
                "cancellation."
            ),
            {"code": case.booking.code},
        ),
    )


def case_answers_due() -> int:
    """The beat's sweep behind the countdown tasks: reports whose time ran out."""
    due = GuaranteeCase.objects.filter(status=Status.REPORTED, respond_by__lte=timezone.now())
    ids = list(due.order_by("respond_by").values_list("pk", flat=True)[:200])
    return sum(case_answer_lapse(case_id=pk) != "noop" for pk in ids)
