"""Partner scoping for API views: every query is filtered to the partner the caller acts for."""

from django.db.models import F
from rest_framework import exceptions

from trustplatform.partners.models import Partner
from trustplatform.partners.selectors import active_partners_for_user

PARTNER_HEADER = "HTTP_X_PARTNER_ID"


def api_acting_partner(request) -> Partner:
    """The approved partner named in `X-Partner-Id`, or the caller's only one; 404/403 otherwise.

    The caller's role there comes with it (`membership_role` answers from it for the rest of the
    request): a partner-side write checks the role without a query of its own."""
    partners = active_partners_for_user(user=request.user).annotate(acting_role=F("memberships__role"))
    raw = request.META.get(PARTNER_HEADER)
    if raw:
        if not raw.isdigit():
            raise exceptions.ValidationError({"X-Partner-Id": ["Must be a partner id (a number)."]})
        partner = partners.filter(pk=int(raw)).first()
        if partner is None:
            raise exceptions.NotFound("No such partner for this account.")
        return _with_role(partner, request.user)
    found = list(partners[:2])
    if not found:
        raise exceptions.PermissionDenied("This account does not act for an approved partner.")
    if len(found) > 1:
        raise exceptions.ValidationError(
            {"X-Partner-Id": ["This account acts for several partners: say which one."]}
        )
    return _with_role(found[0], request.user)


def _with_role(partner: Partner, user) -> Partner:
    partner.member_roles = {user.pk: partner.acting_role}
    return partner


class PartnerScopedMixin:
    """For API views over partner-owned rows: `get_queryset` only ever sees the acting partner's."""

    partner_field = "partner"

    def initial(self, request, *args, **kwargs):
        from trustplatform.postgres.base import prepared_statements

        super().initial(request, *args, **kwargs)
        with prepared_statements():  # every partner-side call's second statement: planned once
            request.partner = api_acting_partner(request)

    def scoped(self, queryset):
        return queryset.filter(**{self.partner_field: self.request.partner})
