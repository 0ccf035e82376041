"""헛걸음 보상: a consumer who went to see a listing later confirmed fake is paid once from the
guarantee fund, through escrow's ledger with an idempotency key."""

from datetime import date

from django.conf import settings
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


def _evidence(*, listing: Listing, consumer, before) -> str:
    if Report.objects.filter(
        listing=listing, reporter=consumer, visited=True, created_at__lte=before
    ).exists():
        return "visit_reported"
    if ListingContact.objects.filter(listing=listing, consumer=consumer, created_at__lte=before).exists():
        return "safe_number_contact"
    return ""


def claim_file(*, listing: Listing, consumer, visited_on: date, note: str = "") -> WastedTripClaim:
    """File a claim on a listing confirmed fake. With a visit report or a safe-number contact made
    before the confirmation it is paid at once; otherwise staff review it."""
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
    evidence = _evidence(listing=listing, consumer=consumer, before=strike.issued_at)
    try:
        with transaction.atomic():
            claim = WastedTripClaim.objects.create(
                listing=listing,
                consumer=consumer,
                visited_on=visited_on,
                note=note.strip()[:2000],
                evidence=evidence,
                amount_krw=settings.LISTINGS_WASTED_TRIP_KRW,
            )
    except IntegrityError as exc:
        raise ListingConflict(
            _("You already claimed for this listing."), code="already_claimed"
        ) from exc
    if evidence and _pay_or_leave(claim):
        claim.refresh_from_db()
        return claim
    staff_notify(group="agents", title=gettext_lazy("A wasted-trip claim waits for review"))
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
    """On confirmation: reporters who said they went to see it are paid without having to ask."""
    paid = 0
    reporters = (
        Report.objects.filter(listing=listing, visited=True)
        .exclude(reporter__in=WastedTripClaim.objects.filter(listing=listing).values("consumer"))
        .values_list("reporter_id", "created_at")
    )
    seen = set()
    for reporter_id, created_at in reporters:
        if reporter_id in seen:
            continue
        seen.add(reporter_id)
        claim = WastedTripClaim.objects.create(
            listing=listing,
            consumer_id=reporter_id,
            evidence="visit_reported",
            visited_on=timezone.localtime(created_at).date(),
            amount_krw=settings.LISTINGS_WASTED_TRIP_KRW,
        )
        paid += _pay_or_leave(claim)
    return paid
