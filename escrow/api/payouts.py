"""Payouts of the acting partner to its bank."""

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import APIView

from trustplatform.api.idempotency import idempotent
from trustplatform.api.pagination import PAGE_PARAM
from trustplatform.api.scoping import PartnerScopedMixin
from trustplatform.api.serializers import ErrorSerializer, InputSerializer, WonField
from trustplatform.partners.api import PARTNER_HEADER_PARAM
from trustplatform.payments.models import Payout
from trustplatform.payments.payouts import payout_request

from .common import TAGS, post_schema
from .outputs import EscrowPayoutOutput, EscrowPayoutPageOutput


class EscrowPayoutListApi(PartnerScopedMixin, APIView):
    """The acting partner's payouts to its bank, newest first; and asking for a new one."""

    class Input(InputSerializer):
        amount_krw = WonField(help_text="Whole won, at most what is available.")

    @extend_schema(
        parameters=[PARTNER_HEADER_PARAM, PAGE_PARAM],
        responses={200: EscrowPayoutPageOutput, 403: ErrorSerializer},
        operation_id="escrow_payouts_list",
        tags=TAGS,
    )
    def get(self, request):
        payouts = self.scoped(Payout.objects.all()).order_by("-created_at", "-id")
        paginator = PageNumberPagination()
        page = paginator.paginate_queryset(payouts, request, view=self)
        return paginator.get_paginated_response(EscrowPayoutOutput(page, many=True).data)

    @post_schema("escrow_payouts_request", request=Input, responses={201: EscrowPayoutOutput})
    @idempotent
    def post(self, request):
        data = self.Input(data=request.data)
        data.is_valid(raise_exception=True)
        payout = payout_request(
            partner=request.partner, amount_krw=data.validated_data["amount_krw"], actor=request.user
        )
        return Response(EscrowPayoutOutput(payout).data, status=status.HTTP_201_CREATED)
