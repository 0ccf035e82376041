"""What each role at a partner may do: the one table every partner-side write is checked against.

Owners run the business; managers run its day (what it sells and at what price, what it promises,
cancels and tells the public, the numbers customers reach, a guest who never came); staff do the
front-desk work (reach customers through safe numbers, record guests' arrivals and departures, draft
listings, add evidence, import calendars, report reviews). Services call
`partner_action_require` before a partner-side write, whatever page or API asked for it.
"""

from enum import StrEnum

from django.utils.translation import gettext as _

from trustplatform.errors import Forbidden

from .models import Membership

OWNER, MANAGER, STAFF = Membership.Role.OWNER, Membership.Role.MANAGER, Membership.Role.STAFF


class PartnerAction(StrEnum):
    # Lodging (bookings)
    PROPERTY_EDIT = "property.edit"  # a property's details, its contact number, photos, room types
    CALENDAR_EDIT = "calendar.edit"  # rooms, prices and stop-sell of nights
    FEED_ADD = "feed.add"  # import another channel's calendar
    FEED_IMPORT = "feed.import"  # import a calendar already added, now
    BOOKING_CANCEL = "booking.cancel"  # cancel a confirmed booking; resolve a double booking
    STAY_RECORD = "stay.record"  # record that a guest arrived, or left (the stay's money is paid out)
    STAY_NO_SHOW = "stay.no_show"  # record that a guest never came (the guest may dispute it)
    REVIEW_ANSWER = "review.answer"  # answer a guest's review in public, once
    REVIEW_REPORT = "review.report"  # ask staff to look at a review
    # Brokerage and landlord (listings)
    LISTING_DRAFT = "listing.draft"  # create and edit listings not yet public, and their photos
    # publish; edit or re-photo a public listing; confirm it is current; close it
    LISTING_PUBLISH = "listing.publish"
    LISTING_VERIFY = "listing.verify"  # ask for a verification level
    REPORT_RESPOND = "report.respond"  # answer a consumer's report
    STRIKE_APPEAL = "strike.appeal"  # appeal a strike
    LANDLORD_LINK = "landlord.link"  # a landlord claims or gives up the listings of its homes
    # Escrow (the partner's side of an agreement)
    AGREEMENT_PROPOSE = "agreement.propose"  # propose terms, or accept terms the payer proposed
    AGREEMENT_CONFIRM = "agreement.confirm"  # confirm a condition, report a milestone done
    AGREEMENT_DISPUTE = "agreement.dispute"  # open or withdraw a dispute
    EVIDENCE_ADD = "evidence.add"  # add a file backing a condition or dispute
    # Safe numbers (masking)
    SAFE_NUMBER_OPEN = "safe_number.open"  # open a session (who the customer reaches)
    SAFE_NUMBER_USE = "safe_number.use"  # call or text a customer, close a session when the order is done
    SAFE_NUMBER_BLOCK = "safe_number.block"  # block a customer


EVERYONE = frozenset({OWNER, MANAGER, STAFF})
MANAGERS = frozenset({OWNER, MANAGER})

ALLOWED: dict[PartnerAction, frozenset[str]] = {
    PartnerAction.PROPERTY_EDIT: MANAGERS,
    PartnerAction.CALENDAR_EDIT: MANAGERS,
    PartnerAction.FEED_ADD: MANAGERS,
    PartnerAction.FEED_IMPORT: EVERYONE,
    PartnerAction.BOOKING_CANCEL: MANAGERS,
    PartnerAction.STAY_RECORD: EVERYONE,
    PartnerAction.STAY_NO_SHOW: MANAGERS,
    PartnerAction.REVIEW_ANSWER: MANAGERS,
    PartnerAction.REVIEW_REPORT: EVERYONE,
    PartnerAction.LISTING_DRAFT: EVERYONE,
    PartnerAction.LISTING_PUBLISH: MANAGERS,
    PartnerAction.LISTING_VERIFY: MANAGERS,
    PartnerAction.REPORT_RESPOND: MANAGERS,
    PartnerAction.STRIKE_APPEAL: MANAGERS,
    PartnerAction.LANDLORD_LINK: MANAGERS,
    PartnerAction.AGREEMENT_PROPOSE: MANAGERS,
    PartnerAction.AGREEMENT_CONFIRM: MANAGERS,
    PartnerAction.AGREEMENT_DISPUTE: MANAGERS,
    PartnerAction.EVIDENCE_ADD: EVERYONE,
    PartnerAction.SAFE_NUMBER_OPEN: MANAGERS,
    PartnerAction.SAFE_NUMBER_USE: EVERYONE,
    PartnerAction.SAFE_NUMBER_BLOCK: MANAGERS,
}
# Money (trustplatform/payments/payouts.py keeps its own check, with the same answer): payouts are
# asked for by owners and managers, the payout account is changed by owners only.


class PartnerRoleForbidden(Forbidden):
    """The acting person's role at the partner does not allow this (403)."""

    code = "role_forbidden"


def role_allows(*, role: str | None, action: PartnerAction) -> bool:
    return role in ALLOWED[action]


def partner_may(*, user, partner, action: PartnerAction) -> bool:
    """Whether a member may do `action` for the partner (pages use it to offer only what works)."""
    from .selectors import membership_role

    return role_allows(role=membership_role(user=user, partner=partner), action=action)


def partner_action_require(*, actor, partner, action: PartnerAction) -> None:
    """Refuse a partner-side write the actor's role does not allow.

    No actor is the platform itself (a sweep, a task); platform staff outside the partner act through
    the admin, which their own permissions govern. Anyone else must be a member whose role allows it.
    """
    from .selectors import membership_role

    if actor is None:
        return
    role = membership_role(user=actor, partner=partner)
    if role is None and getattr(actor, "is_staff", False):
        return
    if role_allows(role=role, action=action):
        return
    name = getattr(partner, "name", "") or _("this business")
    if role is None:
        raise PartnerRoleForbidden(_("You do not act for %(partner)s.") % {"partner": name})
    if ALLOWED[action] == MANAGERS:
        detail = _("Only an owner or a manager of %(partner)s can do this.")
    else:
        detail = _("Only an owner of %(partner)s can do this.")
    raise PartnerRoleForbidden(detail % {"partner": name})
