"""Scoping and the pieces every escrow API view shares."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from escrow import selectors
from escrow.models import EscrowAgreement
from escrow.services.common import side_of
from escrow.services.contact import agreement_contact
from trustplatform.api.idempotency import IDEMPOTENCY_KEY_PARAM, REPLAYED_PARAM
from trustplatform.api.scoping import PARTNER_HEADER, api_acting_partner
from trustplatform.api.serializers import ErrorSerializer
from trustplatform.partners.api import PARTNER_HEADER_PARAM
from trustplatform.partners.selectors import active_partners_for_user

from .outputs import EscrowAgreementOutput

TAGS = ["escrow"]


# --- scoping ---------------------------------------------------------------------------------

_DETAIL_PREFETCH = [
    "conditions__evidence",
    "milestones",
    "payments",
    "disputes__evidence",
    "claims",
]


def partner_mode(request) -> bool:
    return bool(request.META.get(PARTNER_HEADER))


def visible_agreements(request):
    """The agreements this caller may see: a named partner's, else their own as payer plus their
    only partner's (a member of several partners names one with X-Partner-Id)."""
    if partner_mode(request):
        queryset = selectors.agreements_for_partner(partner=api_acting_partner(request))
    else:
        queryset = selectors.agreements_for_user(user=request.user)
        partners = list(active_partners_for_user(user=request.user)[:2])
        if len(partners) == 1:
            queryset = queryset | selectors.agreements_for_partner(partner=partners[0])
    return queryset.select_related("payer", "payee", "broker").prefetch_related(*_DETAIL_PREFETCH)



def present(request, agreement: EscrowAgreement) -> EscrowAgreement:
    """Attach what the output shows beyond the row: the caller's side and the held amounts."""
    is_payer = agreement.payer_id == request.user.pk and not partner_mode(request)
    # Otherwise the caller's partner is paid by the agreement or arranged it as broker (never both).
    brokered = bool(agreement.broker_id) and side_of(user=request.user, agreement=agreement) == "broker"
    agreement.your_side = "payer" if is_payer else "broker" if brokered else "payee"
    agreement.held_amounts = selectors.agreement_held_amounts(agreement=agreement)
    agreement.contact = agreement_contact(agreement=agreement, side=agreement.your_side)
    return agreement


def post_schema(operation_id: str, *, request, responses: dict, partner: bool = True):
    parameters = [PARTNER_HEADER_PARAM] if partner else []
    return extend_schema(
        operation_id=operation_id,
        tags=TAGS,
        request=request,
        parameters=[*parameters, IDEMPOTENCY_KEY_PARAM, REPLAYED_PARAM],
        responses={
            **responses,
            400: ErrorSerializer,
            403: ErrorSerializer,
            404: ErrorSerializer,
            409: ErrorSerializer,
        },
    )


class AgreementApi(APIView):
    def agreement(self, agreement_id: int) -> EscrowAgreement:
        return get_object_or_404(visible_agreements(self.request), pk=agreement_id)

    def respond(self, agreement_id: int, code: int = status.HTTP_200_OK) -> Response:
        """The agreement as it stands now, freshly read."""
        agreement = present(self.request, self.agreement(agreement_id))
        return Response(EscrowAgreementOutput(agreement).data, status=code)
