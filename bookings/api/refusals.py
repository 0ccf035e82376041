"""The guarantee a guest calls in, in the API: the guest reports that the property refused them; the
property (scoped by X-Partner-Id) lists the reports against it and confirms or contests each."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from trustplatform.api.idempotency import IDEMPOTENCY_KEY_PARAM, idempotent
from trustplatform.api.serializers import ErrorSerializer, InputSerializer, OutputSerializer
from trustplatform.partners.api import PARTNER_HEADER_PARAM

from .. import selectors
from ..models import Booking, GuaranteeCase
from ..services import refusals
from .outputs import BookingsCaseOutput
from .partner import LodgingPartnerApi

ERRORS = {400: ErrorSerializer, 403: ErrorSerializer, 404: ErrorSerializer, 409: ErrorSerializer}


class BookingsCaseReportApi(APIView):
    """The property refused me / says there is no room: open a guarantee case on my confirmed booking.

    The property has BOOKINGS_GUARANTEE_RESPONSE_MINUTES to confirm or contest; confirmation or silence
    rehouses you at the platform's cost, a contest goes to an agent. Rate-limited per guest (429)."""

    class Input(InputSerializer):
        note = serializers.CharField(max_length=refusals.STATEMENT_MAX, required=False, default="",
                                     allow_blank=True)

    @extend_schema(
        operation_id="bookings_case_report",
        tags=["bookings"],
        request=Input,
        parameters=[IDEMPOTENCY_KEY_PARAM],
        responses={201: BookingsCaseOutput, 429: ErrorSerializer, **ERRORS},
    )
    @idempotent
    def post(self, request, code: str):
        booking = get_object_or_404(Booking, code=code, guest=request.user)
        data = self.Input(data=request.data)
        data.is_valid(raise_exception=True)
        case = refusals.case_report(booking=booking, actor=request.user, note=data.validated_data["note"])
        return Response(BookingsCaseOutput(case).data, status=status.HTTP_201_CREATED)


class BookingsPartnerCaseOutput(OutputSerializer):
    id = serializers.IntegerField()
    booking = serializers.CharField(source="booking.code")
    check_in = serializers.DateField(source="booking.check_in")
    status = serializers.CharField()
    origin = serializers.CharField()
    guest_statement = serializers.CharField()
    property_statement = serializers.CharField()
    respond_by = serializers.DateTimeField(
        allow_null=True, help_text="Answer before this, or silence confirms."
    )
    decision = serializers.CharField()
    opened_at = serializers.DateTimeField()


class PartnerCaseApi(LodgingPartnerApi):
    def case(self, case_id: int) -> GuaranteeCase:
        return get_object_or_404(selectors.partner_cases(partner=self.request.partner), pk=case_id)


class BookingsPartnerCaseListApi(PartnerCaseApi):
    """Guarantee cases guests reported against your bookings (you turned them away or had no room)."""

    @extend_schema(
        operation_id="bookings_partner_cases",
        tags=["bookings-partner"],
        parameters=[PARTNER_HEADER_PARAM],
        responses={200: BookingsPartnerCaseOutput(many=True), **ERRORS},
    )
    def get(self, request):
        rows = selectors.partner_cases(partner=request.partner)[:500]
        return Response(BookingsPartnerCaseOutput(rows, many=True).data)


class BookingsPartnerCaseConfirmApi(PartnerCaseApi):
    """Confirm you cannot host the guest: the platform rehouses them now, at your cost, as for a
    cancellation (the extra cost and a penalty)."""

    @extend_schema(
        operation_id="bookings_partner_cases_confirm",
        tags=["bookings-partner"],
        request=None,
        parameters=[PARTNER_HEADER_PARAM, IDEMPOTENCY_KEY_PARAM],
        responses={200: BookingsPartnerCaseOutput, **ERRORS},
    )
    @idempotent
    def post(self, request, case_id: int):
        refusals.case_property_confirm(case=self.case(case_id), actor=request.user)
        return Response(BookingsPartnerCaseOutput(self.case(case_id)).data)


class BookingsPartnerCaseContestApi(PartnerCaseApi):
    """Contest the guest's report with your statement, before the deadline: an agent decides."""

    class Input(InputSerializer):
        statement = serializers.CharField(max_length=refusals.STATEMENT_MAX)

    @extend_schema(
        operation_id="bookings_partner_cases_contest",
        tags=["bookings-partner"],
        request=Input,
        parameters=[PARTNER_HEADER_PARAM, IDEMPOTENCY_KEY_PARAM],
        responses={200: BookingsPartnerCaseOutput, **ERRORS},
    )
    @idempotent
    def post(self, request, case_id: int):
        case = self.case(case_id)
        data = self.Input(data=request.data)
        data.is_valid(raise_exception=True)
        refusals.case_property_contest(
            case=case, actor=request.user, statement=data.validated_data["statement"]
        )
        return Response(BookingsPartnerCaseOutput(self.case(case_id)).data)
