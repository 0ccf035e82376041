from django.db.models import QuerySet

from .models import Membership, Partner

SESSION_KEY = "acting_partner_id"


def partners_for_user(*, user) -> QuerySet[Partner]:
    """Every partner the user belongs to, whatever its status."""
    if not user.is_authenticated:
        return Partner.objects.none()
    return Partner.objects.filter(memberships__user=user).distinct()


def active_partners_for_user(*, user) -> QuerySet[Partner]:
    """Partners the user may act for in the portal and API: approved ones only."""
    return partners_for_user(user=user).filter(status=Partner.Status.APPROVED)


def acting_partner(*, request) -> Partner | None:
    """The approved partner the user acts for: the one chosen in this session, else their first."""
    partners = active_partners_for_user(user=request.user)
    chosen = request.session.get(SESSION_KEY)
    if chosen is not None:
        partner = partners.filter(pk=chosen).first()
        if partner is not None:
            return partner
    return partners.order_by("name", "pk").first()


def membership_for(*, user, partner: Partner) -> Membership | None:
    return Membership.objects.filter(user=user, partner=partner).first()


def membership_role(*, user, partner) -> str | None:
    """The user's role at the partner (owner, manager, staff), or None when they are not a member."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    partner_id = getattr(partner, "pk", partner)
    return Membership.objects.filter(user=user, partner_id=partner_id).values_list("role", flat=True).first()
