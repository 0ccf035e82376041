from datetime import timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone

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
    # Read with the partner this request acts for (trustplatform/api/scoping.py), for this user.
    known = getattr(partner, "member_roles", None)
    if known is not None and user.pk in known:
        return known[user.pk]
    partner_id = getattr(partner, "pk", partner)
    return Membership.objects.filter(user=user, partner_id=partner_id).values_list("role", flat=True).first()


# Who runs a partner's day: owners and managers get its notices and may answer for it.
MANAGING_ROLES = (Membership.Role.OWNER, Membership.Role.MANAGER)


def is_member(*, user, partner, roles=None, approved: bool = False) -> bool:
    """Whether the user belongs to the partner (in one of `roles` when given; an approved partner
    only when `approved`)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    members = Membership.objects.filter(user=user, partner_id=getattr(partner, "pk", partner))
    if roles is not None:
        members = members.filter(role__in=list(roles))
    if approved:
        members = members.filter(partner__status=Partner.Status.APPROVED)
    return members.exists()


def partner_members(*, partner, roles=None) -> QuerySet[Membership]:
    """The partner's memberships with their users, oldest first (in one of `roles` when given)."""
    members = Membership.objects.filter(partner_id=getattr(partner, "pk", partner)).select_related("user")
    if roles is not None:
        members = members.filter(role__in=list(roles))
    return members.order_by("pk")


def partner_owner_phone(*, partner) -> str:
    """The real mobile number of the partner's first owner who has one ("" when none does); only for
    forwarding through a safe number, never to show."""
    owner = partner_members(partner=partner, roles=[Membership.Role.OWNER]).exclude(user__phone="").first()
    return owner.user.phone if owner else ""


def partner_member_holds_phone(*, partner, phone_index: str) -> bool:
    """Whether any member of the partner (whatever their role) has this number on their account, found by
    its blind index: a number the business itself answers never stands for someone outside it."""
    if not phone_index:
        return False
    return Membership.objects.filter(partner_id=getattr(partner, "pk", partner),
                                     user__phone_index=phone_index).exists()


def partners_business_status_due(*, days: int = 25) -> list[int]:
    """Partners whose business standing the monthly check asks: every approved one with a business
    number not checked in the last `days`, and applications never checked (their provider was down)."""
    cutoff = timezone.now() - timedelta(days=days)
    never_or_stale = Q(business_status_checked_at__isnull=True) | Q(business_status_checked_at__lt=cutoff)
    due = Partner.objects.exclude(registration_number="").filter(
        (Q(status=Partner.Status.APPROVED) & never_or_stale)
        | Q(status=Partner.Status.APPLIED, business_status_checked_at__isnull=True)
    )
    return list(due.order_by("pk").values_list("pk", flat=True))


def partner_payee_identity(partner: Partner) -> tuple[str, str, str]:
    """Who the partner's payouts go to, for the bank's holder lookup and the payee's registration:
    ("individual", verified name, birth date as yyyy-MM-dd) for an individual landlord, ("business",
    business name, the 10 digits) otherwise. The name and birth date are only ever the identity
    provider's answer."""
    if partner.is_individual:
        return "individual", partner.verified_name, partner.verified_birth_date
    return "business", partner.name, partner.registration_number
