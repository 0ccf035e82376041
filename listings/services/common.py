"""Helpers shared by the listings services: the standing row lock and notices to a brokerage."""

from django.utils.translation import gettext as _

from trustplatform.partners.models import Partner

from ..errors import ListingForbidden, ListingNotFound
from ..models import BrokerStanding, Listing


def standing_get(partner: Partner) -> BrokerStanding:
    """The brokerage's standing row, created on first use (safe under concurrency)."""
    standing, _created = BrokerStanding.objects.get_or_create(partner=partner)
    return standing


def standing_lock(partner_id: int) -> BrokerStanding:
    """SELECT ... FOR UPDATE on the brokerage's standing: strikes, badge and suspensions serialise here."""
    BrokerStanding.objects.get_or_create(partner_id=partner_id)
    return BrokerStanding.objects.select_for_update().get(partner_id=partner_id)


def require_brokerage(partner: Partner) -> None:
    if partner.kind != Partner.Kind.BROKERAGE or partner.status != Partner.Status.APPROVED:
        raise ListingForbidden(
            _("Only an approved real-estate brokerage can manage listings."),
            code="not_a_brokerage",
        )


def listing_for_partner(*, partner: Partner, listing_id: int) -> Listing:
    """Scoped lookup: another brokerage's listing does not exist for this one."""
    listing = Listing.objects.filter(pk=listing_id, partner=partner).first()
    if listing is None:
        raise ListingNotFound(_("No such listing."))
    return listing

