"""A listing's landlord: the owner its escrowed deposits are paid to, linked only by the landlord's claim.

The rule. The landlord (an approved partner of kind landlord) claims a live rental listing by its number
from their own portal; the brokerage cannot make or change the link. The claim is accepted only when
  - a confirmed, unexpired verification of the listing recorded the owner's name (the registry check,
    or the owner's own confirmation by text link or by phone), strongest level first;
  - that name is the landlord's: the partner's representative or its business name (both checked by
    staff when the partner was approved), compared without spaces or case;
  - the property registry, read again now, names the same owner when it knows the unit;
  - no member of the landlord partner is a member of the brokerage.
So a broker can never name their own brokerage, a partner they control, or a relative who is not the
registered owner as the one paid. Moving the listing to another address drops the link with the
verifications. The listing row is locked while the link changes.
"""

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from trustplatform.audit.services import audit_record
from trustplatform.notifications.services import Phrase
from trustplatform.partners.models import Partner
from trustplatform.partners.roles import ALLOWED, PartnerAction
from trustplatform.partners.selectors import is_member, partner_members
from trustplatform.partners.services import partner_notify
from trustplatform.registries.providers import RegistryUnavailable, get_registry

from ..errors import ListingConflict, ListingError, ListingForbidden, ListingNotFound
from ..models import Listing, Verification
from .verification import registry_address, same_name

# Verifications whose recorded owner name counts, strongest first (an on-site visit records no name).
OWNER_NAMING_LEVELS = (Verification.Level.REGISTRY, Verification.Level.OWNER_LINK, Verification.Level.PHONE)


def owner_name_on_record(listing: Listing) -> str:
    """The owner's name a confirmed, unexpired verification recorded ("" when none did)."""
    held = listing.verifications.filter(
        status=Verification.Status.CONFIRMED,
        expires_at__gt=timezone.now(),
        level__in=OWNER_NAMING_LEVELS,
    ).exclude(owner_name="")
    for level in OWNER_NAMING_LEVELS:
        verification = held.filter(level=level).order_by("-decided_at", "-pk").first()
        if verification is not None:
            return verification.owner_name
    return ""


def landlord_is_owner(*, landlord: Partner, owner_name: str) -> bool:
    return any(same_name(name, owner_name) for name in (landlord.representative, landlord.name) if name)


def shares_member(*, landlord: Partner, brokerage) -> bool:
    """Whether anyone belongs to both the landlord partner and the brokerage (whatever their role)."""
    return any(
        is_member(user=membership.user, partner=brokerage) for membership in partner_members(partner=landlord)
    )


def _require_landlord(*, landlord: Partner, actor) -> None:
    if landlord.kind != Partner.Kind.LANDLORD or landlord.status != Partner.Status.APPROVED:
        raise ListingForbidden(
            _("Only an approved landlord can claim a listing of their property."), code="not_a_landlord"
        )
    if not is_member(user=actor, partner=landlord, roles=ALLOWED[PartnerAction.LANDLORD_LINK], approved=True):
        raise ListingForbidden(
            _("Only an owner or manager of the landlord can claim listings."), code="not_allowed"
        )


def _registry_owner(listing: Listing) -> str:
    try:
        return get_registry().snapshot(address=registry_address(listing)).owner
    except RegistryUnavailable as exc:
        raise ListingError(
            _("The registry cannot be reached right now; try again shortly."),
            code="registry_unavailable",
            status=503,
        ) from exc


def _check_claim(*, listing: Listing, landlord: Partner) -> None:
    if listing.deal_type == Listing.DealType.SALE:
        raise ListingConflict(_("Only rentals take escrowed deposits."), code="not_a_rental")
    if listing.landlord_id is not None:
        raise ListingConflict(
            _("Another landlord has already claimed this listing. If the property is yours, contact "
              "Ansim with your registry certificate."),
            code="already_claimed",
        )
    if shares_member(landlord=landlord, brokerage=listing.partner_id):
        raise ListingForbidden(
            _("A landlord cannot share a member with the brokerage advertising the property."),
            code="landlord_is_broker",
        )
    owner_name = owner_name_on_record(listing)
    if not owner_name:
        raise ListingConflict(
            _("The owner of this listing is not verified yet. Ask the broker for a registry check or "
              "an owner confirmation naming you, then claim it again."),
            code="owner_not_verified",
        )
    registry_owner = _registry_owner(listing)
    if not landlord_is_owner(landlord=landlord, owner_name=owner_name) or (
        registry_owner and not landlord_is_owner(landlord=landlord, owner_name=registry_owner)
    ):
        # Never say whose name is on record: the owner's name is not the claimant's to learn.
        raise ListingForbidden(
            _("The owner recorded for this listing is not you (the name registered with Ansim). Only "
              "the owner of the property can claim it."),
            code="not_the_owner",
        )


def listing_landlord_claim(*, landlord: Partner, actor, listing_id: int) -> Listing:
    """The landlord claims a listing of their property by its number (see the rule above); claiming
    it again does nothing. Locks the listing row."""
    _require_landlord(landlord=landlord, actor=actor)
    with transaction.atomic():
        listing = Listing.objects.select_for_update().filter(pk=listing_id).first()
        if listing is None or not listing.is_live:
            raise ListingNotFound(_("No listing on show has this number."), code="no_listing")
        if listing.landlord_id == landlord.pk:
            return listing
        _check_claim(listing=listing, landlord=landlord)
        Listing.objects.filter(pk=listing.pk).update(landlord=landlord, landlord_linked_at=timezone.now())
        audit_record(obj=listing, action="landlord_linked", actor=actor, extra={"landlord": landlord.pk})
        partner_notify(
            partner=listing.partner_id,
            roles=None,
            title=Phrase(
                gettext_lazy("%(landlord)s is now the landlord of listing #%(id)s: deposits for it are "
                             "paid to them."),
                {"landlord": landlord.name, "id": listing.pk},
            ),
            url=reverse("listings_portal:detail", args=[listing.pk]),
        )
    listing.refresh_from_db()
    return listing


def listing_landlord_unlink(*, landlord: Partner, actor, listing_id: int) -> Listing:
    """The landlord withdraws from a listing; deposits already agreed keep their payee. Locks the
    listing row; withdrawing twice does nothing."""
    _require_landlord(landlord=landlord, actor=actor)
    with transaction.atomic():
        listing = Listing.objects.select_for_update().filter(pk=listing_id, landlord=landlord).first()
        if listing is None:
            raise ListingNotFound(_("You have not claimed this listing."), code="not_claimed")
        _unlink(listing=listing, actor=actor, reason="withdrawn by the landlord")
    listing.refresh_from_db()
    return listing


def _unlink(*, listing: Listing, actor, reason: str) -> None:
    """Drop the link of a locked listing (audited)."""
    Listing.objects.filter(pk=listing.pk).update(landlord=None, landlord_linked_at=None)
    audit_record(
        obj=listing, action="landlord_unlinked", actor=actor, reason=reason,
        extra={"landlord": listing.landlord_id},
    )


def landlord_unlink_moved(*, listing: Listing, actor) -> None:
    """A listing moved to another address is no longer the claimed property: drop its landlord.
    Expects the listing row locked by the caller."""
    if listing.landlord_id is not None:
        _unlink(listing=listing, actor=actor, reason="address changed")
