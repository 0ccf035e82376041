"""Partner side of the API (scoped by X-Partner-Id): bookings with virtual numbers only, cancel with a
reason, calendar per night, calendar feeds and conflicts."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from trustplatform.api.idempotency import IDEMPOTENCY_KEY_PARAM, idempotent
from trustplatform.api.scoping import PartnerScopedMixin
from trustplatform.api.serializers import ErrorSerializer, InputSerializer, WonField
from trustplatform.errors import Forbidden
from trustplatform.partners.api import PARTNER_HEADER_PARAM
from trustplatform.partners.models import Partner

from .. import selectors
from ..models import Booking
from ..services import channels, inventory, stays
from .outputs import BookingsConflictOutput, BookingsFeedOutput, BookingsPartnerBookingOutput

TAGS = ["bookings-partner"]
ERRORS = {400: ErrorSerializer, 403: ErrorSerializer, 404: ErrorSerializer, 409: ErrorSerializer}


class LodgingPartnerApi(PartnerScopedMixin, APIView):
    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if request.partner.kind != Partner.Kind.LODGING:
            raise Forbidden("Only lodging partners have stays.", code="not_lodging")

    def booking(self, code: str) -> Booking:
        return get_object_or_404(selectors.partner_bookings(partner=self.request.partner), code=code)


class BookingsPartnerBookingListApi(LodgingPartnerApi):
    """The partner's bookings; the guest is reachable only through the virtual number shown."""

    @extend_schema(
        operation_id="bookings_partner_bookings",
        tags=TAGS,
        parameters=[PARTNER_HEADER_PARAM],
        responses={200: BookingsPartnerBookingOutput(many=True), **ERRORS},
    )
    def get(self, request):
        rows = selectors.partner_bookings(partner=request.partner, status=request.query_params.get("status"))
        return Response(BookingsPartnerBookingOutput(rows[:500], many=True).data)


class BookingsPartnerCancelApi(LodgingPartnerApi):
    """Cancel a confirmed booking (a reason is required). The platform rehouses the guest at your cost."""

    class Input(InputSerializer):
        reason = serializers.CharField(max_length=300)

    @extend_schema(
        operation_id="bookings_partner_cancel",
        tags=TAGS,
        request=Input,
        parameters=[PARTNER_HEADER_PARAM, IDEMPOTENCY_KEY_PARAM],
        responses={200: BookingsPartnerBookingOutput, **ERRORS},
    )
    @idempotent
    def post(self, request, code: str):
        data = self.Input(data=request.data)
        data.is_valid(raise_exception=True)
        stays.booking_cancel_by_property(
            booking=self.booking(code), actor=request.user, reason=data.validated_data["reason"]
        )
        return Response(BookingsPartnerBookingOutput(self.booking(code)).data)


class BookingsPartnerCalendarApi(LodgingPartnerApi):
    """Set rooms, price and/or stop-sell on a range of nights of one of your room types."""

    class Input(InputSerializer):
        start = serializers.DateField()
        end = serializers.DateField()
        rooms = serializers.IntegerField(min_value=0, max_value=inventory.NIGHT_ROOMS_MAX, required=False)
        price_krw = WonField(max_value=inventory.NIGHT_PRICE_MAX_KRW, required=False)
        stop_sell = serializers.BooleanField(required=False, allow_null=True, default=None)

    class Output(serializers.Serializer):
        nights_changed = serializers.IntegerField()

    @extend_schema(
        operation_id="bookings_partner_calendar",
        tags=TAGS,
        request=Input,
        parameters=[PARTNER_HEADER_PARAM],
        responses={200: Output, **ERRORS},
    )
    def post(self, request, room_type_id: int):
        room_type = get_object_or_404(selectors.partner_room_types(partner=request.partner), pk=room_type_id)
        data = self.Input(data=request.data)
        data.is_valid(raise_exception=True)
        changed = inventory.calendar_update(room_type=room_type, actor=request.user, **data.validated_data)
        return Response({"nights_changed": changed})


class BookingsPartnerFeedListApi(LodgingPartnerApi):
    """Calendar feeds (iCal URLs of other channels) with their age and last error; add one."""

    class Input(InputSerializer):
        room_type = serializers.IntegerField()
        name = serializers.CharField(max_length=60)
        url = serializers.URLField(max_length=500)

    @extend_schema(
        operation_id="bookings_partner_feeds",
        tags=TAGS,
        parameters=[PARTNER_HEADER_PARAM],
        responses={200: BookingsFeedOutput(many=True), **ERRORS},
    )
    def get(self, request):
        return Response(BookingsFeedOutput(selectors.partner_feeds(partner=request.partner), many=True).data)

    @extend_schema(
        operation_id="bookings_partner_feeds_add",
        tags=TAGS,
        request=Input,
        parameters=[PARTNER_HEADER_PARAM],
        responses={201: BookingsFeedOutput, **ERRORS},
    )
    def post(self, request):
        data = self.Input(data=request.data)
        data.is_valid(raise_exception=True)
        room_type = get_object_or_404(
            selectors.partner_room_types(partner=request.partner), pk=data.validated_data["room_type"]
        )
        feed = channels.feed_add(
            room_type=room_type, name=data.validated_data["name"], url=data.validated_data["url"],
            actor=request.user,
        )
        return Response(BookingsFeedOutput(feed).data, status=status.HTTP_201_CREATED)


class BookingsPartnerFeedImportApi(LodgingPartnerApi):
    """Import a feed now (on demand); answers with the feed as it stands after the import."""

    @extend_schema(
        operation_id="bookings_partner_feeds_import",
        tags=TAGS,
        request=None,
        parameters=[PARTNER_HEADER_PARAM],
        responses={200: BookingsFeedOutput, **ERRORS},
    )
    def post(self, request, feed_id: int):
        feed = get_object_or_404(selectors.partner_feeds(partner=request.partner), pk=feed_id)
        channels.feed_import(feed_id=feed.pk)
        feed.refresh_from_db()
        return Response(BookingsFeedOutput(feed).data)


class BookingsPartnerConflictListApi(LodgingPartnerApi):
    @extend_schema(
        operation_id="bookings_partner_conflicts",
        tags=TAGS,
        parameters=[PARTNER_HEADER_PARAM],
        responses={200: BookingsConflictOutput(many=True), **ERRORS},
    )
    def get(self, request):
        rows = selectors.partner_conflicts(partner=request.partner)[:500]
        return Response(BookingsConflictOutput(rows, many=True).data)


class BookingsPartnerConflictResolveApi(LodgingPartnerApi):
    """Resolve a double booking: keep ours (you moved the other stay) or cancel ours (guarantee starts)."""

    class Input(InputSerializer):
        keep_ours = serializers.BooleanField()

    @extend_schema(
        operation_id="bookings_partner_conflicts_resolve",
        tags=TAGS,
        request=Input,
        parameters=[PARTNER_HEADER_PARAM],
        responses={200: BookingsConflictOutput, **ERRORS},
    )
    def post(self, request, conflict_id: int):
        conflict = get_object_or_404(selectors.partner_conflicts(partner=request.partner), pk=conflict_id)
        data = self.Input(data=request.data)
        data.is_valid(raise_exception=True)
        conflict = channels.conflict_resolve(
            conflict=conflict, actor=request.user, keep_ours=data.validated_data["keep_ours"]
        )
        return Response(BookingsConflictOutput(conflict).data)
