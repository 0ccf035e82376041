"""The end of a stay in the API: the property records arrival, departure or no-show (scoped by
X-Partner-Id; roles enforced by the services), and the guest disputes a no-show."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from trustplatform.api.idempotency import IDEMPOTENCY_KEY_PARAM, idempotent
from trustplatform.api.serializers import ErrorSerializer, InputSerializer, OutputSerializer
from trustplatform.partners.api import PARTNER_HEADER_PARAM

from ..models import Booking
from ..services import no_shows, stay_marks
from .partner import LodgingPartnerApi

ERRORS = {400: ErrorSerializer, 403: ErrorSerializer, 404: ErrorSerializer, 409: ErrorSerializer}


class BookingsStayOutput(OutputSerializer):
    code = serializers.CharField()
    status = serializers.CharField()
    check_in = serializers.DateField()
    check_out = serializers.DateField()
    checked_in_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)
    completed_automatically = serializers.BooleanField()
    # When the money held in trust was paid out (to the property, and any refund to the guest).
    settled_at = serializers.DateTimeField(allow_null=True)
    no_show_dispute_ends_at = serializers.DateTimeField(allow_null=True)
    no_show_dispute = serializers.SerializerMethodField()

    def get_no_show_dispute(self, obj) -> str:
        """Empty when the guest has not disputed; otherwise open, stayed or no_show."""
        dispute = getattr(obj, "no_show_dispute", None)  # the reverse one-to-one raises AttributeError
        return dispute.status if dispute else ""


def _stay(booking: Booking) -> dict:
    return BookingsStayOutput(Booking.objects.select_related("no_show_dispute").get(pk=booking.pk)).data


def _mark_schema(operation_id: str):
    return extend_schema(operation_id=operation_id, tags=["bookings-partner"], request=None,
                         parameters=[PARTNER_HEADER_PARAM, IDEMPOTENCY_KEY_PARAM],
                         responses={200: BookingsStayOutput, **ERRORS})


class _StayMarkApi(LodgingPartnerApi):
    mark = None

    @idempotent
    def post(self, request, code: str):
        booking = self.mark(booking=self.booking(code), actor=request.user)
        return Response(_stay(booking))


class BookingsPartnerCheckInApi(_StayMarkApi):
    """Record that the guest arrived (from the check-in day; any member of the property)."""

    mark = staticmethod(stay_marks.booking_check_in)

    @_mark_schema("bookings_partner_check_in")
    def post(self, request, code: str):
        return super().post(request, code)


class BookingsPartnerCheckOutApi(_StayMarkApi):
    """Record that the guest left: the stay is complete and its money goes to your payouts."""

    mark = staticmethod(stay_marks.booking_complete)

    @_mark_schema("bookings_partner_check_out")
    def post(self, request, code: str):
        return super().post(request, code)


class BookingsPartnerNoShowApi(_StayMarkApi):
    """Record that the guest never came (from the check-in time; owners and managers). The money is held
    while the guest may dispute it (BOOKINGS_NO_SHOW_DISPUTE_HOURS), then settled as a same-day
    cancellation under your policy."""

    mark = staticmethod(stay_marks.booking_no_show)

    @_mark_schema("bookings_partner_no_show")
    def post(self, request, code: str):
        return super().post(request, code)


class BookingsNoShowDisputeApi(APIView):
    """Dispute a no-show the property recorded on my booking: once, within the window; an agent decides."""

    class Input(InputSerializer):
        statement = serializers.CharField(max_length=no_shows.STATEMENT_MAX)

    @extend_schema(
        operation_id="bookings_no_show_dispute",
        tags=["bookings"],
        request=Input,
        parameters=[IDEMPOTENCY_KEY_PARAM],
        responses={201: BookingsStayOutput, **ERRORS},
    )
    @idempotent
    def post(self, request, code: str):
        booking = get_object_or_404(Booking, code=code, guest=request.user)
        data = self.Input(data=request.data)
        data.is_valid(raise_exception=True)
        no_shows.no_show_dispute_open(
            booking=booking, actor=request.user, statement=data.validated_data["statement"]
        )
        return Response(_stay(booking), status=status.HTTP_201_CREATED)
