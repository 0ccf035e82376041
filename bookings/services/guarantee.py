"""Upgrade-on-cancel: open a case, find and hold a better room, move the money once, or refund.

Every write of a case runs in one transaction holding the case row lock (SELECT ... FOR UPDATE), so
a search that runs twice, or again after its worker died, finds the work done and changes nothing;
ledger keys derive from the case, so each money movement happens once whatever the retries.
"""

import logging
import secrets
from datetime import timedelta

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
from trustplatform.ui import korean

from .. import selectors
from ..errors import BookingConflict, BookingError, BookingNotFound
from ..models import OPEN_STATUSES, Booking, CaseNote, GuaranteeCandidate, GuaranteeCase, RoomType
from . import money
from .common import check_in_at, safe_number_open
from .compensation import compensation_settle
from .inventory import nights_release, nights_take

logger = logging.getLogger(__name__)
Status = GuaranteeCase.Status


def offer_window(*, until_check_in: timedelta) -> timedelta:
    """How long the guest has to choose: 30 min within 24 h, 2 h within 7 days, 24 h otherwise."""
    if until_check_in <= timedelta(hours=24):
        return timedelta(minutes=30)
    if until_check_in <= timedelta(days=7):
        return timedelta(hours=2)
    return timedelta(hours=24)


def case_open(*, booking: Booking, reason: str) -> GuaranteeCase:
    """Open the case for a booking the property cancelled; the search starts after commit.

    A case reported on this booking (refusals) becomes this one: the property's cancellation is its
    answer, so a report waiting for it is confirmed and a contested one upheld. Locks that case's row."""
    now = timezone.now()
    until = check_in_at(booking) - now
    mode = (
        GuaranteeCase.Mode.AUTO
        if until <= timedelta(hours=settings.BOOKINGS_AUTO_REBOOK_HOURS)
        else GuaranteeCase.Mode.OFFER
    )
    case = (
        GuaranteeCase.objects.select_for_update(of=("self",))
        .filter(booking=booking, status__in=OPEN_STATUSES)
        .first()
    )
    if case is None:
        case = GuaranteeCase.objects.create(
            booking=booking, reason=reason[:300], mode=mode, budget_krw=settings.BOOKINGS_CASE_BUDGET_KRW,
            started_at=now,
        )
    elif case.started_at is not None:
        return case  # already rehousing the guest
    else:
        if case.status != Status.OPENED:
            name = "confirm" if case.status == Status.REPORTED else "uphold"
            case = transition_run(instance=case, name=name, reason="the property cancelled the booking")
        # The rehousing starts now: its mode is for the time left from now, not from the report.
        GuaranteeCase.objects.filter(pk=case.pk).update(reason=reason[:300], mode=mode, started_at=now)
        case.refresh_from_db()
    notification_send(
        user=booking.guest,
        url=reverse("bookings:booking", args=[booking.code]),
        sms_text=True,
        key=f"case:{case.pk}:opened",
        title=Phrase(
            gettext_lazy(
                "%(property)s cancelled your booking %(code)s. We are finding you a better room now, "
                "at our cost."
            )
            if case.origin == GuaranteeCase.Origin.CANCELLED
            else gettext_lazy(
                "%(property)s could not host you (booking %(code)s). We are finding you a better room "
                "now, at our cost."
            ),
            {"property": booking.property.name, "code": booking.code},
        ),
    )
    from ..tasks import case_search_task

    case_search_task.delay_on_commit(case.pk)
    return case


def _lock_case(case_id: int) -> GuaranteeCase:
    return (
        GuaranteeCase.objects.select_for_update(of=("self",))
        .select_related("booking__property__partner", "booking__room_type", "booking__guest")
        .get(pk=case_id)
    )


def case_search(*, case_id: int) -> str:
    """Find candidates, hold the best, then book it (auto) or offer up to two (offer mode).

    Returns what happened; a case already past `opened` is left alone ("noop")."""
    with transaction.atomic():
        case = _lock_case(case_id)
        if case.status != Status.OPENED:
            return "noop"
        case = transition_run(instance=case, name="search")
        booking = case.booking
        # A property that turned the guest away is not where we send them back.
        refused_at = (
            list(RoomType.objects.filter(property_id=booking.property_id).values_list("pk", flat=True))
            if case.origin != GuaranteeCase.Origin.CANCELLED
            else []
        )
        found = selectors.candidates_find(
            booking=booking, budget_krw=selectors.candidate_budget_krw(case), exclude_room_types=refused_at
        )
        rows = GuaranteeCandidate.objects.bulk_create(
            [
                GuaranteeCandidate(
                    case=case,
                    room_type_id=c.room_type_id,
                    rank=rank,
                    score=c.score,
                    same_property=c.same_property,
                    distance_m=c.distance_m,
                    price_total_krw=c.price_total_krw,
                    extra_cost_krw=c.extra_cost_krw,
                )
                for rank, c in enumerate(found[:20], start=1)
            ]
        )
        wanted = 1 if case.mode == GuaranteeCase.Mode.AUTO else settings.BOOKINGS_OFFERS
        held = _hold_best(case=case, candidates=rows, wanted=wanted)
        if not held:
            _refund_and_escalate(case=case, why=_("No room passed every check."))
            return "refunded"
        if case.mode == GuaranteeCase.Mode.AUTO:
            _rebook(case=case, candidate=held[0])
            return "rebooked"
        _offer(case=case, held=held)
        return "offered"


def _hold_best(*, case: GuaranteeCase, candidates: list, wanted: int) -> list[GuaranteeCandidate]:
    """Hold rooms for the best candidates, in rank order, through the consumers' inventory locks."""
    held = []
    original = case.booking
    for candidate in candidates:
        if len(held) == wanted:
            break
        try:
            with transaction.atomic():
                new = _hold_room(
                    case=case,
                    room_type=RoomType.objects.select_related("property").get(pk=candidate.room_type_id),
                )
        except BookingError as exc:
            if exc.code != "sold_out":
                raise
            candidate.status = GuaranteeCandidate.Status.LOST
            candidate.save(update_fields=["status"])
            continue
        candidate.booking = new
        candidate.save(update_fields=["booking"])
        held.append(candidate)
    del original
    return held


def _hold_room(*, case: GuaranteeCase, room_type: RoomType) -> Booking:
    original = case.booking
    total = nights_take(room_type=room_type, check_in=original.check_in, check_out=original.check_out)
    return Booking.objects.create(
        guest=original.guest,
        property=room_type.property,
        room_type=room_type,
        check_in=original.check_in,
        check_out=original.check_out,
        guests=original.guests,
        price_total_krw=total,
        guest_paid_krw=original.guest_paid_krw,
        source=Booking.Source.GUARANTEE,
        guarantee_case=case,
        guest_name=original.guest_name,
        # The original's copy is erased a day after its safe number: the account's number stands in.
        guest_phone=original.guest_phone or original.guest.phone,
        must_have=original.must_have,
        hold_expires_at=case.offer_deadline,
    )


def _offer(*, case: GuaranteeCase, held: list[GuaranteeCandidate]) -> None:
    deadline = timezone.now() + offer_window(until_check_in=check_in_at(case.booking) - timezone.now())
    for candidate in held:
        candidate.status = GuaranteeCandidate.Status.OFFERED
        candidate.accept_token = secrets.token_urlsafe(24)
        candidate.save(update_fields=["status", "accept_token"])
        Booking.objects.filter(pk=candidate.booking_id).update(hold_expires_at=deadline)
    transition_run(instance=case, name="offer", deadline=deadline)
    best = held[0]
    notification_send(
        user=case.booking.guest,
        url=reverse("bookings:offer", args=[best.accept_token]),
        sms_text=True,
        key=f"case:{case.pk}:offered",
        title=Phrase(
            gettext_lazy(
                "We hold %(count)s better room(s) for you. Choose by %(time)s, or we book the best: %(url)s"
            ),
            {
                "count": len(held),
                "time": timezone.localtime(deadline).strftime("%m-%d %H:%M"),
                "url": f"{settings.SITE_URL}/stays/offers/{best.accept_token}/",
            },
        ),
    )


def _rebook(*, case: GuaranteeCase, candidate: GuaranteeCandidate, actor=None) -> Booking:
    """Confirm the held room for the guest, release other holds, and move the money (once each)."""
    original = case.booking
    new = transition_run(
        instance=Booking.objects.get(pk=candidate.booking_id),
        name="confirm",
        actor=actor,
        reason=f"guarantee case #{case.pk}",
        at=timezone.now(),
    )
    for other in case.candidates.exclude(pk=candidate.pk).filter(status=GuaranteeCandidate.Status.OFFERED):
        _release_hold(other)
    candidate.status = GuaranteeCandidate.Status.BOOKED
    candidate.save(update_fields=["status"])
    held_total, price = original.price_total_krw, new.price_total_krw
    extra = max(0, price - held_total)
    key = f"guarantee-case-{case.pk}"
    partner = original.property.partner
    # The extra cost is what the fund really paid for the guest's room; the penalty only down to the
    # property's floor, so a property that never earns here cannot owe the fund without bound.
    penalty = min(money.penalty_krw(original), max(0, money.charge_headroom_krw(partner) - extra))
    # The cancelling property pays the extra cost and the penalty into the fund first, netted against
    # what it has on its payable now (the rest against its next earnings here).
    money.property_charge(partner=partner, amount_krw=extra + penalty, key=key,
                          reason=f"guarantee charge for cancelling {original.code}", subject=case)
    held_old, held_new = money.held_account(original), money.held_account(new)
    money.move(
        debit=held_old,
        credit=held_new,
        amount_krw=min(held_total, price),
        key=f"{key}-guest-money",
        reason=f"guest's payment moves from {original.code} to {new.code}",
        subject=case,
    )
    money.move(
        debit=money.fund(),
        credit=held_new,
        amount_krw=extra,
        key=f"{key}-fund",
        reason=f"guarantee fund pays the difference for {new.code}",
        subject=case,
    )
    excess = max(0, held_total - price)
    to_guest = min(excess, original.guest_paid_krw)
    money.guest_refund(booking=original, amount_krw=to_guest, key=f"{key}-refund-difference",
                       source=held_old, reason=f"예약 {original.code} 대체 객실 차액 환불")
    money.move(
        debit=held_old,
        credit=money.fund(),
        amount_krw=excess - to_guest,
        key=f"{key}-fund-return",
        reason="fund's share of a cheaper room returns",
        subject=case,
    )
    GuaranteeCase.objects.filter(pk=case.pk).update(
        rebooked=new, extra_cost_krw=extra, penalty_krw=penalty, refund_krw=to_guest
    )
    transition_run(instance=case, name="rebook", actor=actor, at=timezone.now())
    transaction.on_commit(lambda: _announce_rebooking(case.pk))
    return new


def _release_hold(candidate: GuaranteeCandidate) -> None:
    if candidate.booking_id:
        booking = Booking.objects.select_for_update().get(pk=candidate.booking_id)
        if booking.status == Booking.Status.PENDING_PAYMENT:
            transition_run(instance=booking, name="expire", reason="offer not chosen", at=timezone.now())
            nights_release(
                room_type_id=booking.room_type_id, check_in=booking.check_in, check_out=booking.check_out
            )
    candidate.status = GuaranteeCandidate.Status.RELEASED
    candidate.save(update_fields=["status"])


def _announce_rebooking(case_id: int) -> None:
    case = GuaranteeCase.objects.select_related(
        "rebooked__property__partner", "rebooked__room_type", "booking__guest"
    ).get(pk=case_id)
    new = case.rebooked
    safe_number_open(booking=new)
    notification_send(
        user=case.booking.guest,
        url=reverse("bookings:booking", args=[new.code]),
        sms_text=True,
        key=f"case:{case.pk}:rebooked:{new.pk}",
        title=Phrase(
            gettext_lazy(
                "You are booked at %(property)s (%(room)s), confirmed, same dates, at no extra cost. "
                "Booking %(code)s."
            ),
            {"property": new.property.name, "room": new.room_type.name, "code": new.code},
        ),
    )
    partner_notify(
        partner=new.property.partner,
        key=f"booking:{new.pk}:confirmed:property",
        url=reverse("bookings_portal:booking", args=[new.code]),
        title=Phrase(
            gettext_lazy("New booking %(code)s (Ansim guarantee): %(room)s, %(day)s."),
            {"code": new.code, "room": new.room_type.name, "day": korean.day_later(new.check_in)},
        ),
        sms_text=True,
    )


def _refund_and_escalate(*, case: GuaranteeCase, why: str) -> None:
    """Nothing qualifies: full refund plus compensation (consumer standard, within the limits of
    `compensation`: an outlier's waits for an agent), charged to the property."""
    original = case.booking
    now = timezone.now()
    computed = money.compensation_krw(booking=original, at=now)
    compensation = compensation_settle(
        case=case, amount_krw=computed, penalty_krw=money.penalty_krw(original)
    )
    key = f"guarantee-case-{case.pk}"
    held = original.price_total_krw
    to_guest = min(held, original.guest_paid_krw)
    money.guest_refund(booking=original, amount_krw=to_guest, key=f"{key}-refund",
                       source=money.held_account(original), reason=f"예약 {original.code} 전액 환불")
    money.move(
        debit=money.held_account(original),
        credit=money.fund(),
        amount_krw=held - to_guest,
        key=f"{key}-fund-return",
        reason="fund's share returns",
        subject=case,
    )
    GuaranteeCase.objects.filter(pk=case.pk).update(refund_krw=to_guest)
    case = transition_run(instance=case, name="refund", reason=why, at=now)
    transition_run(instance=case, name="escalate", reason=why)
    booking_code, guest = original.code, original.guest
    told = (
        Phrase(
            gettext_lazy(
                "We could not find a room as good as yours. You get ₩%(refund)s back in full plus "
                "₩%(comp)s compensation; an agent will call you."
            ),
            {"refund": f"{to_guest:,}", "comp": f"{compensation:,}"},
        )
        if compensation or not computed
        else Phrase(
            gettext_lazy(
                "We could not find a room as good as yours. You get ₩%(refund)s back in full; an agent "
                "will call you about your compensation."
            ),
            {"refund": f"{to_guest:,}"},
        )
    )
    transaction.on_commit(
        lambda: (
            notification_send(
                user=guest,
                url=reverse("bookings:booking", args=[booking_code]),
                sms_text=True,
                key=f"case:{case.pk}:refunded",
                title=told,
            ),
            staff_notify(
                group="agents",
                title=Phrase(
                    gettext_lazy("Guarantee case #%(pk)s needs an agent: %(why)s"),
                    {"pk": case.pk, "why": why},
                ),
                url=reverse("admin:bookings_guaranteecase_change", args=[case.pk]),
            ),
        )
    )


def offer_accept(*, token: str, actor=None) -> Booking:
    """The guest picks one of the offered rooms (from the page or the text's link)."""
    candidate = GuaranteeCandidate.objects.filter(accept_token=token).exclude(accept_token="").first()
    if candidate is None:
        raise BookingNotFound(_("This offer does not exist."))
    with transaction.atomic():
        case = _lock_case(candidate.case_id)
        if (
            actor is not None
            and actor.is_authenticated
            and actor.pk != case.booking.guest_id
            and not actor.is_staff
        ):
            raise BookingNotFound(_("This offer does not exist."))
        candidate.refresh_from_db()
        if case.status == Status.REBOOKED and case.rebooked_id == candidate.booking_id:
            return case.rebooked  # a second click on the same offer
        if case.status != Status.OFFERED or candidate.status != GuaranteeCandidate.Status.OFFERED:
            raise BookingConflict(_("This offer is no longer open."), code="offer_closed")
        return _rebook(case=case, candidate=candidate, actor=actor if getattr(actor, "pk", None) else None)


def offers_due() -> int:
    """Offers past their deadline: book the best held room for the guest (beat)."""
    done = 0
    for case_id in GuaranteeCase.objects.filter(
        status=Status.OFFERED, offer_deadline__lte=timezone.now()
    ).values_list("pk", flat=True)[:200]:
        with transaction.atomic():
            case = _lock_case(case_id)
            if case.status != Status.OFFERED:
                continue
            best = case.candidates.filter(status=GuaranteeCandidate.Status.OFFERED).order_by("rank").first()
            if best is None:
                _refund_and_escalate(case=case, why=_("The offered rooms were no longer held."))
            else:
                _rebook(case=case, candidate=best)
            done += 1
    return done


def cases_requeue_stuck(
    *, older_than: timedelta = timedelta(minutes=2), give_up_after: timedelta = timedelta(minutes=10)
) -> list[int]:
    """Cases still `opened` after a while: their search task was lost; run it again (idempotent).

    A search that still has not run after `give_up_after` (it keeps failing) goes to an agent."""
    now = timezone.now()
    # Counted from when the rehousing started: a reported case waited for the property before that.
    for case_id in GuaranteeCase.objects.filter(
        status=Status.OPENED, started_at__lt=now - give_up_after
    ).values_list("pk", flat=True)[:50]:
        with transaction.atomic():
            case = _lock_case(case_id)
            if case.status == Status.OPENED:
                transition_run(instance=case, name="escalate", reason="the automatic search did not finish")
                transaction.on_commit(
                    lambda pk=case_id: staff_notify(
                        group="agents",
                        title=Phrase(
                            gettext_lazy(
                                "Guarantee case #%(pk)s: the automatic search failed; "
                                "rehouse the guest by hand."
                            ),
                            {"pk": pk},
                        ),
                        url=reverse("admin:bookings_guaranteecase_change", args=[pk]),
                    )
                )
    return list(
        GuaranteeCase.objects.filter(status=Status.OPENED, started_at__lt=now - older_than).values_list(
            "pk", flat=True
        )[:200]
    )


def case_swap(*, case: GuaranteeCase, actor) -> Booking:
    """Auto mode: the guest swaps the room booked for them for the next candidate, once."""
    with transaction.atomic():
        case = _lock_case(case.pk)
        if actor.pk != case.booking.guest_id:
            raise BookingNotFound(_("No such case."))
        if case.status != Status.REBOOKED or case.mode != GuaranteeCase.Mode.AUTO:
            raise BookingConflict(_("This booking cannot be swapped now."), code="not_swappable")
        current = case.candidates.get(status=GuaranteeCandidate.Status.BOOKED)
        if case.candidates.filter(status=GuaranteeCandidate.Status.RELEASED, booking__isnull=False).exists():
            raise BookingConflict(_("You already swapped once."), code="already_swapped")
        for option in case.candidates.filter(status=GuaranteeCandidate.Status.FOUND, rank__gt=current.rank):
            try:
                with transaction.atomic():
                    option.booking = _hold_room(case=case, room_type=option.room_type)
            except BookingError:
                option.status = GuaranteeCandidate.Status.LOST
                option.save(update_fields=["status"])
                continue
            return _swap_to(case=case, current=current, option=option, actor=actor)
        raise BookingConflict(_("No other room is free any more."), code="sold_out")


def _swap_to(*, case, current, option, actor) -> Booking:
    old = Booking.objects.select_for_update().get(pk=current.booking_id)
    transition_run(
        instance=old,
        name="cancel_by_guest",
        actor=actor,
        reason="swapped by the guarantee",
        at=timezone.now(),
    )
    nights_release(room_type_id=old.room_type_id, check_in=old.check_in, check_out=old.check_out)
    new = transition_run(instance=option.booking, name="confirm", actor=actor, at=timezone.now())
    current.status = GuaranteeCandidate.Status.RELEASED
    current.save(update_fields=["status"])
    option.status = GuaranteeCandidate.Status.BOOKED
    option.save(update_fields=["booking", "status"])
    key = f"guarantee-case-{case.pk}-swap"
    moved = min(old.price_total_krw, new.price_total_krw)
    money.move(
        debit=money.held_account(old),
        credit=money.held_account(new),
        amount_krw=moved,
        key=f"{key}-move",
        reason=f"swap {old.code} → {new.code}",
        subject=case,
    )
    money.move(
        debit=money.fund(),
        credit=money.held_account(new),
        amount_krw=new.price_total_krw - moved,
        key=f"{key}-fund",
        reason="fund pays the swap's difference",
        subject=case,
    )
    money.move(
        debit=money.held_account(old),
        credit=money.fund(),
        amount_krw=old.price_total_krw - moved,
        key=f"{key}-return",
        reason="a cheaper swap returns money to the fund",
        subject=case,
    )
    extra = max(0, new.price_total_krw - case.booking.price_total_krw)
    _charge_adjust(case=case, key=key, change_krw=extra - case.extra_cost_krw)
    GuaranteeCase.objects.filter(pk=case.pk).update(rebooked=new, extra_cost_krw=extra)
    transition_run(instance=case, name="swap", actor=actor)
    transaction.on_commit(lambda: _announce_rebooking(case.pk))
    return new


def _charge_adjust(*, case: GuaranteeCase, key: str, change_krw: int) -> None:
    """The property is charged the extra cost of the room the guest ends up in: a swap to a dearer room
    charges the difference, to a cheaper one gives it back (to its payable once nothing is owed)."""
    partner = case.booking.property.partner
    if change_krw > 0:
        money.property_charge(partner=partner, amount_krw=change_krw, key=key,
                              reason=f"guarantee charge for the swap of case #{case.pk}", subject=case)
    elif change_krw < 0:
        money.partner_accounts_lock(partner)
        charges = money.guarantee_charges_account(partner)
        money.move(
            debit=money.fund(),
            credit=charges,
            amount_krw=-change_krw,
            key=f"{key}-charge-return",
            reason=f"the swap of case #{case.pk} cost less: charge returned",
            subject=case,
        )
        _payable, charges = money.partner_accounts_lock(partner)
        money.move(
            debit=charges,
            credit=money.payable(partner),
            amount_krw=max(0, charges.balance_krw),
            key=f"{key}-charge-return-paid",
            reason=f"overpaid guarantee charges back to {partner.name}",
            subject=case,
        )


def case_rebook_manual(*, case: GuaranteeCase, room_type: RoomType, actor) -> Booking:
    """An agent books a room of their choice for the guest (cases not refunded yet)."""
    with transaction.atomic():
        case = _lock_case(case.pk)
        if case.status not in (Status.SEARCHING, Status.OFFERED, Status.ESCALATED) or case.refund_krw:
            raise BookingConflict(_("This case cannot be rebooked now."), code="invalid_transition")
        for other in case.candidates.filter(status=GuaranteeCandidate.Status.OFFERED):
            _release_hold(other)
        candidate, _created = GuaranteeCandidate.objects.get_or_create(
            case=case,
            room_type=room_type,
            defaults={
                "rank": (case.candidates.count() + 1),
                "score": 0,
                "distance_m": int(
                    selectors.haversine_m(
                        case.booking.property.latitude,
                        case.booking.property.longitude,
                        room_type.property.latitude,
                        room_type.property.longitude,
                    )
                ),
                "price_total_krw": 0,
                "extra_cost_krw": 0,
            },
        )
        candidate.booking = _hold_room(case=case, room_type=room_type)
        candidate.save(update_fields=["booking"])
        audit_record(obj=case, action="manual_rebook", actor=actor, reason=f"room type {room_type.pk}")
        return _rebook(case=case, candidate=candidate, actor=actor)


def case_note_add(*, case: GuaranteeCase, actor, text: str) -> CaseNote:
    if not text.strip():
        raise BookingError(_("Write something."), code="empty_note", fields={"text": [_("Required.")]})
    return CaseNote.objects.create(case=case, author=actor, text=text.strip())


def case_escalate(*, instance: GuaranteeCase, actor, reason: str = "") -> GuaranteeCase:
    return transition_run(instance=instance, name="escalate", actor=actor, reason=reason or "by staff")


def case_close(*, instance: GuaranteeCase, actor, reason: str = "") -> GuaranteeCase:
    if GuaranteeCase.objects.filter(pk=instance.pk, compensation_due_krw__gt=0).exists():
        raise BookingConflict(
            _("Pay or refuse the compensation waiting on this case before closing it."),
            code="compensation_waiting",
        )
    return transition_run(
        instance=instance, name="close", actor=actor, reason=reason, at=timezone.now(), check_perm=True
    )
