"""헛걸음 보상: a consumer who went to see a listing later confirmed fake is paid once from the
guarantee fund, through the ledger with an idempotency key.

Paid at once only when throwaway accounts cannot farm it: the consumer's phone is verified (the
database keeps a verified number on one account) and they reached the broker about this listing
through a safe number on or before the day of the visit, before the confirmation. A visit the
consumer only declares (a report saying so) goes to staff review. One phone is compensated once per
listing, whichever account holds it (a unique index on the claim's phone index).
"""

from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from trustplatform.errors import DomainError
from trustplatform.ledger.services import consumer_payable, ledger_transfer, platform_account
from trustplatform.notifications.services import Phrase, notification_send, staff_notify
from trustplatform.transitions import transition_run

from ..errors import ListingConflict, ListingError
from ..models import Listing, ListingContact, Report, Strike, WastedTripClaim


def _fake_strike(listing: Listing) -> Strike | None:
    return Strike.objects.filter(
        listing=listing, status__in=[Strike.Status.ACTIVE, Strike.Status.EXPIRED]
    ).first()


def _phone_index(consumer) -> str:
    """The blind index of the consumer's verified phone, "" without one."""
    return consumer.phone_index if consumer.phone_verified else ""


def _evidence(*, listing: Listing, consumer, visited_on: date, before) -> str:
    """Why the claim may be paid without a staff review, or "": a verified phone and a safe-number
    contact about this listing made by the end of the visit's day, before the confirmation."""
    if not _phone_index(consumer):
        return ""
    day_after = timezone.make_aware(datetime.combine(visited_on + timedelta(days=1), time.min))
    contacted = ListingContact.objects.filter(
        listing=listing, consumer=consumer, created_at__lt=day_after, created_at__lte=before
    )
    return "safe_number_contact" if contacted.exists() else ""


def _claim_create(*, listing: Listing, consumer, visited_on: date, before, note: str = "") -> WastedTripClaim:
    """The claim with its evidence; refused when this account or this phone already claimed here."""
    try:
        with transaction.atomic():
            return WastedTripClaim.objects.create(
                listing=listing,
                consumer=consumer,
                visited_on=visited_on,
                note=note.strip()[:2000],
                evidence=_evidence(listing=listing, consumer=consumer, visited_on=visited_on, before=before),
                phone_index=_phone_index(consumer),
                amount_krw=settings.LISTINGS_WASTED_TRIP_KRW,
            )
    except IntegrityError as exc:
        raise ListingConflict(
            _("You already claimed for this listing."), code="already_claimed"
        ) from exc


def _review_ask(claim: WastedTripClaim) -> None:
    staff_notify(
        group="agents",
        title=gettext_lazy("A wasted-trip claim waits for review"),
        url=reverse("admin:listings_wastedtripclaim_change", args=[claim.pk]),
    )


def claim_file(*, listing: Listing, consumer, visited_on: date, note: str = "") -> WastedTripClaim:
    """File a claim on a listing confirmed fake. Paid at once with a verified phone and a safe-number
    contact before the visit (see the module's docstring); otherwise staff review it."""
    strike = _fake_strike(listing)
    if strike is None:
        raise ListingConflict(
            _("Compensation is paid only for listings confirmed fake."), code="not_fake"
        )
    if visited_on > timezone.localdate() or visited_on > timezone.localtime(strike.issued_at).date():
        raise ListingError(
            _("The visit must be before the listing was confirmed fake."),
            code="invalid_date",
            fields={"visited_on": [_("After the confirmation.")]},
        )
    claim = _claim_create(
        listing=listing, consumer=consumer, visited_on=visited_on, before=strike.issued_at, note=note
    )
    if claim.evidence and _pay_or_leave(claim):
        claim.refresh_from_db()
        return claim
    _review_ask(claim)
    return claim


def _pay_or_leave(claim: WastedTripClaim) -> bool:
    """Pay at once when the guarantee fund can; otherwise the claim waits for staff (never blocks the
    confirmation that made it due)."""
    try:
        with transaction.atomic():
            claim_pay(instance=claim)
    except DomainError as exc:
        staff_notify(
            group="finance",
            title=Phrase(
                gettext_lazy("A wasted-trip payment could not be made: %(why)s"), {"why": exc.detail}
            ),
        )
        return False
    return True


def claim_pay(*, instance: WastedTripClaim, actor=None) -> WastedTripClaim:
    """Pay the claim once: the ledger key makes a repeat move no money, the transition no second row."""
    with transaction.atomic():
        claim = WastedTripClaim.objects.select_for_update().get(pk=instance.pk)
        if claim.status == WastedTripClaim.Status.PAID:
            return claim
        transfer = ledger_transfer(
            debit=platform_account("platform-guarantee-fund"),
            credit=consumer_payable(claim.consumer),
            amount_krw=claim.amount_krw,
            key=f"listings:wasted-trip:{claim.pk}",
            reason=f"wasted-trip compensation, listing #{claim.listing_id}",
            subject=claim,
        )
        claim = transition_run(instance=claim, name="pay", actor=actor)
        WastedTripClaim.objects.filter(pk=claim.pk).update(transfer_id=transfer.pk, decided_by=actor)
        notification_send(
            user=claim.consumer,
            title=Phrase(
                gettext_lazy("Wasted-trip compensation of %(amount)s won paid"),
                {"amount": f"{claim.amount_krw:,}"},
            ),
            url=reverse("listings:detail", args=[claim.listing_id]),
        )
    claim.refresh_from_db()
    return claim


def claim_reject(*, instance: WastedTripClaim, actor, reason: str = "") -> WastedTripClaim:
    return transition_run(instance=instance, name="reject", actor=actor, reason=reason)


def claims_for_reported_visits(*, listing: Listing) -> int:
    """On confirmation: reporters who said they went to see it get a claim without having to ask, paid
    at once when it meets the same evidence as a filed claim, reviewed by staff otherwise."""
    strike = _fake_strike(listing)
    before = strike.issued_at if strike is not None else timezone.now()
    paid = 0
    reporters = (
        Report.objects.filter(listing=listing, visited=True)
        .exclude(reporter__in=WastedTripClaim.objects.filter(listing=listing).values("consumer"))
        .order_by("created_at")
        .values_list("reporter_id", "created_at")
    )
    first_visit = {}
    for reporter_id, created_at in reporters:
        first_visit.setdefault(reporter_id, timezone.localtime(created_at).date())
    for consumer in get_user_model().objects.filter(pk__in=first_visit):
        try:
            claim = _claim_create(
                listing=listing, consumer=consumer, visited_on=first_visit[consumer.pk], before=before
            )
        except ListingConflict:
            continue  # this phone was already compensated for this listing, from another account
        if claim.evidence and _pay_or_leave(claim):
            paid += 1
        else:
            _review_ask(claim)
    return paid
