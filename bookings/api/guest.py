"""Guest side of the API: search, availability, book, my bookings, cancel, guarantee case, offers."""

from django.http import Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from trustplatform.api.idempotency import IDEMPOTENCY_KEY_PARAM, idempotent
from trustplatform.api.serializers import ErrorSerializer, InputSerializer, WonField
from trustplatform.dbrouter import replica_reads

from .. import selectors
from ..models import AMENITIES_CODES, Booking, GuaranteeCase, Property, RoomType
from ..services import guarantee, payments, stays
from .outputs import (
    BookingsAvailabilityOutput,
    BookingsBookingOutput,
    BookingsCaseOutput,
    BookingsSearchResultOutput,
)

TAGS = ["bookings"]
ERRORS = {400: ErrorSerializer, 403: ErrorSerializer, 404: ErrorSerializer, 409: ErrorSerializer}


class StayQuery(serializers.Serializer):
    check_in = serializers.DateField()
    check_out = serializers.DateField()
    guests = serializers.IntegerField(min_value=1, max_value=20, default=2)

    def validate(self, attrs):
        if attrs["check_out"] <= attrs["check_in"]:
            raise serializers.ValidationError({"check_out": ["Must be after check-in."]})
        if (attrs["check_out"] - attrs["check_in"]).days > 30:
            raise serializers.ValidationError({"check_out": ["At most 30 nights."]})
        return attrs


class BookingsSearchApi(APIView):
    """Properties with a free room near a place for these dates and guests (list, no map)."""

    permission_classes = [AllowAny]

    class Query(StayQuery):
        lat = serializers.FloatField(min_value=-90, max_value=90)
        lng = serializers.FloatField(min_value=-180, max_value=180)
        radius_m = serializers.IntegerField(min_value=100, max_value=50_000, required=False)
        min_price = WonField(min_value=0, required=False)
        max_price = WonField(min_value=0, required=False)
        min_rating = serializers.FloatField(min_value=0, max_value=5, required=False)
        amenities = serializers.MultipleChoiceField(choices=AMENITIES_CODES, required=False)
        sort = serializers.ChoiceField(choices=["distance", "price", "rating"], default="distance")

    @extend_schema(
        operation_id="bookings_search",
        tags=TAGS,
        parameters=[Query],
        responses={200: BookingsSearchResultOutput(many=True), 400: ErrorSerializer},
    )
    @replica_reads()
    def get(self, request):
        query = self.Query(
            data={**request.query_params.dict(), "amenities": request.query_params.getlist("amenities")}
        )
        query.is_valid(raise_exception=True)
        data = query.validated_data
        results = selectors.search(
            selectors.SearchQuery(
                lat=data["lat"],
                lng=data["lng"],
                check_in=data["check_in"],
                check_out=data["check_out"],
                guests=data["guests"],
                radius_m=data.get("radius_m", 0),
                min_price=data.get("min_price"),
                max_price=data.get("max_price"),
                min_rating=data.get("min_rating"),
                amenities=sorted(data.get("amenities") or []),
                sort=data["sort"],
            )
        )
        return Response(BookingsSearchResultOutput(results[:100], many=True).data)


class BookingsAvailabilityApi(APIView):
    """Every room type of a property, with its total price and rooms left for the stay."""

    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="bookings_availability",
        tags=TAGS,
        parameters=[StayQuery],
        responses={200: BookingsAvailabilityOutput(many=True), 400: ErrorSerializer, 404: ErrorSerializer},
    )
    @replica_reads()
    def get(self, request, property_id: int):
        prop = get_object_or_404(Property, pk=property_id, is_active=True)
        query = StayQuery(data=request.query_params.dict())
        query.is_valid(raise_exception=True)
        rows = selectors.property_availability(property_obj=prop, **query.validated_data)
        return Response(BookingsAvailabilityOutput(rows, many=True).data)


def _mine(request, code: str) -> Booking:
    return get_object_or_404(
        Booking.objects.select_related("property", "room_type", "masked_session").prefetch_related(
            "masked_session__participants__proxy_number"
        ),
        code=code,
        guest=request.user,
    )


class BookingsListCreateApi(APIView):
    """My bookings; or book a room (held until paid; pay at the returned checkout)."""

    class Input(InputSerializer):
        room_type = serializers.IntegerField()
        check_in = serializers.DateField()
        check_out = serializers.DateField()
        guests = serializers.IntegerField(min_value=1, max_value=20)
        guest_name = serializers.CharField(max_length=100, required=False, default="")
        guest_phone = serializers.CharField(max_length=30, required=False, default="")
        must_have = serializers.MultipleChoiceField(choices=AMENITIES_CODES, required=False)
        payment_method = serializers.ChoiceField(choices=["card", "virtual_account"], default="card")
        use_safe_number = serializers.BooleanField(
            required=False, allow_null=True, default=None,
            help_text="The property reaches the guest through a safe number (true) or at the guest's own "
            "number (false). Default: the guest's last answer (a safe number if never asked).",
        )
        another = serializers.BooleanField(
            required=False, default=False,
            help_text="The guest means a second room: book even though they already hold this room type "
            "for overlapping nights. Without it such a booking is refused with 409 `duplicate_booking` "
            "(two tabs, a repeated request), whose detail names the booking they hold.",
        )

    @extend_schema(operation_id="bookings_list", tags=TAGS, responses={200: BookingsBookingOutput(many=True)})
    def get(self, request):
        rows = (
            selectors.guest_bookings(user=request.user)
            .select_related("masked_session")
            .prefetch_related("masked_session__participants__proxy_number")[:200]
        )
        return Response(BookingsBookingOutput(rows, many=True).data)

    @extend_schema(
        operation_id="bookings_create",
        tags=TAGS,
        request=Input,
        parameters=[IDEMPOTENCY_KEY_PARAM],
        responses={201: BookingsBookingOutput, **ERRORS},
    )
    @idempotent
    def post(self, request):
        from trustplatform.postgres.base import prepared_statements

        data = self.Input(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        with prepared_statements():  # the booking's own statements are (booking_place)
            room_type = get_object_or_404(
                RoomType.objects.select_related("property__partner"), pk=values["room_type"]
            )
        booking, booking.checkout_payment = payments.booking_place(
            guest=request.user,
            room_type=room_type,
            check_in=values["check_in"],
            check_out=values["check_out"],
            guests=values["guests"],
            guest_name=values["guest_name"],
            guest_phone=values["guest_phone"],
            must_have=values.get("must_have") or [],
            method=values["payment_method"],
            use_safe_number=values["use_safe_number"],
            another=values["another"],
        )
        return Response(BookingsBookingOutput(booking).data, status=status.HTTP_201_CREATED)


class BookingsDetailApi(APIView):
    @extend_schema(
        operation_id="bookings_detail",
        tags=TAGS,
        responses={200: BookingsBookingOutput, 404: ErrorSerializer},
    )
    def get(self, request, code: str):
        return Response(BookingsBookingOutput(_mine(request, code)).data)


class BookingsCancelApi(APIView):
    """Cancel my booking; the refund follows the property's cancellation policy."""

    class Input(InputSerializer):
        reason = serializers.CharField(max_length=300, required=False, default="")

    @extend_schema(
        operation_id="bookings_cancel",
        tags=TAGS,
        request=Input,
        parameters=[IDEMPOTENCY_KEY_PARAM],
        responses={200: BookingsBookingOutput, **ERRORS},
    )
    @idempotent
    def post(self, request, code: str):
        data = self.Input(data=request.data)
        data.is_valid(raise_exception=True)
        booking = stays.booking_cancel_by_guest(
            booking=_mine(request, code), actor=request.user, reason=data.validated_data["reason"]
        )
        return Response(BookingsBookingOutput(_mine(request, booking.code)).data)


def _case_of(request, code: str) -> GuaranteeCase:
    """The booking's latest guarantee case (an earlier report may have been dismissed)."""
    booking = _mine(request, code)
    case = (
        GuaranteeCase.objects.select_related("rebooked")
        .prefetch_related("candidates__room_type__property")
        .filter(booking=booking)
        .order_by("-opened_at", "-pk")
        .first()
    )
    if case is None:
        raise Http404
    return case


class BookingsCaseApi(APIView):
    """The guarantee case of a booking the property cancelled: status, offers (with tokens), result."""

    @extend_schema(
        operation_id="bookings_case", tags=TAGS, responses={200: BookingsCaseOutput, 404: ErrorSerializer}
    )
    def get(self, request, code: str):
        return Response(BookingsCaseOutput(_case_of(request, code)).data)


class BookingsOfferAcceptApi(APIView):
    """Accept one of the rooms offered by the guarantee (token from the case or the text)."""

    @extend_schema(
        operation_id="bookings_offer_accept",
        tags=TAGS,
        request=None,
        parameters=[IDEMPOTENCY_KEY_PARAM],
        responses={200: BookingsBookingOutput, **ERRORS},
    )
    @idempotent
    def post(self, request, token: str):
        booking = guarantee.offer_accept(token=token, actor=request.user)
        return Response(BookingsBookingOutput(_mine(request, booking.code)).data)


class BookingsCaseSwapApi(APIView):
    """Swap the room booked at once for the next best candidate (auto mode, once)."""

    @extend_schema(
        operation_id="bookings_case_swap",
        tags=TAGS,
        request=None,
        parameters=[IDEMPOTENCY_KEY_PARAM],
        responses={200: BookingsBookingOutput, **ERRORS},
    )
    @idempotent
    def post(self, request, code: str):
        booking = guarantee.case_swap(case=_case_of(request, code), actor=request.user)
        return Response(BookingsBookingOutput(_mine(request, booking.code)).data)
