"""An agent's work on a guarantee case: take it, call the guest or the property through the safe
number, write notes, close it with an outcome.

Every write needs `bookings.work_case` and leaves an audit row (who, what, when). Assignment takes the
case row lock (SELECT ... FOR UPDATE), so two agents taking one case at once end with one of them, and
the audit says who had it before.
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from trustplatform.audit.services import audit_record
from trustplatform.transitions import transition_run

from ..errors import BookingConflict, BookingError, BookingForbidden
from ..models import CaseNote, GuaranteeCase
from .common import guest_number_for_property, property_number_for_guest

WORK_CASE = "bookings.work_case"
MAX_NOTE_CHARS = 4000
CONTACT_SIDES = ("guest", "property")


def _require(actor) -> None:
    if actor is None or not actor.has_perm(WORK_CASE):
        raise BookingForbidden(_("You are not allowed to do this."), code="forbidden")


def case_assign(*, case: GuaranteeCase, actor, assignee) -> GuaranteeCase:
    """Give the case to an agent (None: back to the queue); a repeat changes nothing. Locks the case."""
    _require(actor)
    if assignee is not None and not (
        assignee.is_active and assignee.is_staff and assignee.has_perm(WORK_CASE)
    ):
        raise BookingError(
            _("Choose an agent who works guarantee cases."),
            code="not_an_agent",
            fields={"assignee": [_("Not an agent.")]},
        )
    with transaction.atomic():
        locked = GuaranteeCase.objects.select_for_update(of=("self",)).get(pk=case.pk)
        if locked.agent_id == getattr(assignee, "pk", None):
            return locked
        previous = locked.agent_id
        GuaranteeCase.objects.filter(pk=locked.pk).update(agent=assignee)
        locked.agent = assignee
        audit_record(
            obj=locked,
            action="case_assigned",
            actor=actor,
            field="agent",
            source=previous or "",
            target=getattr(assignee, "pk", "") or "",
        )
    return locked


def case_note_write(*, case: GuaranteeCase, actor, text: str) -> CaseNote:
    """An agent's note on the case (author and time kept with it)."""
    _require(actor)
    text = (text or "").strip()
    if not text:
        raise BookingError(_("Write something."), code="empty_note", fields={"text": [_("Required.")]})
    if len(text) > MAX_NOTE_CHARS:
        raise BookingError(
            _("A note is at most %(n)s characters.") % {"n": MAX_NOTE_CHARS},
            code="note_too_long",
            fields={"text": [_("Too long.")]},
        )
    with transaction.atomic():
        note = CaseNote.objects.create(case=case, author=actor, text=text)
        audit_record(obj=case, action="case_note", actor=actor, extra={"note": note.pk})
    return note


def case_safe_numbers(case: GuaranteeCase) -> dict[str, str]:
    """The safe numbers of the case's booking, never the real ones: the number the property dials to
    reach the guest, and the one the guest dials to reach the property ("" when there is none)."""
    booking = case.booking
    return {"guest": guest_number_for_property(booking), "property": property_number_for_guest(booking)}


def case_contact_record(
    *, case: GuaranteeCase, actor, side: str, reached: bool, note: str = ""
) -> CaseNote:
    """Record a call an agent made to the guest or the property through the safe number."""
    _require(actor)
    if side not in CONTACT_SIDES:
        raise BookingError(
            _("Choose whom you called."), code="invalid_side", fields={"side": [_("Required.")]}
        )
    whom = _("the guest") if side == "guest" else _("the property")
    text = (
        _("Called %(whom)s on the safe number: reached.") if reached
        else _("Called %(whom)s on the safe number: no answer.")
    ) % {"whom": whom}
    if note.strip():
        text = f"{text}\n{note.strip()}"
    with transaction.atomic():
        entry = CaseNote.objects.create(case=case, author=actor, text=text[:MAX_NOTE_CHARS])
        audit_record(
            obj=case,
            action="case_contact",
            actor=actor,
            reason=note.strip(),
            extra={"side": side, "reached": bool(reached), "note": entry.pk},
        )
    return entry


def case_close_with_outcome(*, case: GuaranteeCase, actor, outcome: str, note: str = "") -> GuaranteeCase:
    """Close the case saying what became of the guest; the note is kept on the case and in the audit row.

    Locks the case (through the transition); compensation still waiting must be decided first."""
    _require(actor)
    if outcome not in GuaranteeCase.Outcome.values:
        raise BookingError(
            _("Choose the outcome."), code="invalid_outcome", fields={"outcome": [_("Required.")]}
        )
    if GuaranteeCase.objects.filter(pk=case.pk, compensation_due_krw__gt=0).exists():
        raise BookingConflict(
            _("Pay or refuse the compensation waiting on this case before closing it."),
            code="compensation_waiting",
        )
    with transaction.atomic():
        closed = transition_run(
            instance=case,
            name="close",
            actor=actor,
            reason=note.strip() or str(GuaranteeCase.Outcome(outcome).label),
            at=timezone.now(),
            outcome=outcome,
            check_perm=True,
        )
        if note.strip():
            CaseNote.objects.create(case=closed, author=actor, text=note.strip()[:MAX_NOTE_CHARS])
    return closed
