"""Reviews in the API: a property's visible reviews (public), the guest's review of a completed stay,
reports by anyone signed in, and the partner's list, answer and report (scoped by X-Partner-Id)."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from trustplatform.api.idempotency import IDEMPOTENCY_KEY_PARAM, idempotent
from trustplatform.api.serializers import ErrorSerializer, InputSerializer, OutputSerializer
from trustplatform.partners.api import PARTNER_HEADER_PARAM

from .. import review_selectors
from ..models import Booking, Property, Review
from ..models.reviews import RATING_MAX, RATING_MIN, TEXT_MAX
from ..services import reviews
from .partner import LodgingPartnerApi

ERRORS = {400: ErrorSerializer, 403: ErrorSerializer, 404: ErrorSerializer, 409: ErrorSerializer}


class BookingsReviewOutput(OutputSerializer):
    id = serializers.IntegerField()
    property_id = serializers.IntegerField()
    rating = serializers.IntegerField()
    text = serializers.CharField()
    author = serializers.CharField(source="author_shown")
    room_type = serializers.CharField(source="booking.room_type.name")
    stayed = serializers.DateField(source="booking.check_in")
    created_at = serializers.DateTimeField()
    answer = serializers.CharField()
    answered_at = serializers.DateTimeField(allow_null=True)


class BookingsPartnerReviewOutput(BookingsReviewOutput):
    booking_code = serializers.CharField(source="booking.code")
    hidden = serializers.BooleanField(source="is_hidden")
    hidden_reason = serializers.CharField()


class BookingsReviewReportInput(InputSerializer):
    reason = serializers.CharField(max_length=reviews.REPORT_REASON_MAX)


class BookingsPropertyReviewListApi(APIView):
    """A property's visible reviews, newest first, with its rating and review count (public)."""

    permission_classes = [AllowAny]

    class Output(OutputSerializer):
        rating = serializers.DecimalField(max_digits=2, decimal_places=1)
        review_count = serializers.IntegerField()
        reviews = BookingsReviewOutput(many=True)

    @extend_schema(
        operation_id="bookings_property_reviews",
        tags=["bookings"],
        responses={200: Output, 404: ErrorSerializer},
    )
    def get(self, request, property_id: int):
        prop = get_object_or_404(Property, pk=property_id, is_active=True)
        rows = review_selectors.property_reviews(property_id=prop.pk)[:100]
        return Response(self.Output({"rating": prop.rating, "review_count": prop.review_count,
                                     "reviews": rows}).data)


class BookingsReviewApi(APIView):
    """My review of a completed stay: read it, or write it once (rating 1–5 and text)."""

    class Input(InputSerializer):
        rating = serializers.IntegerField(min_value=RATING_MIN, max_value=RATING_MAX)
        text = serializers.CharField(max_length=TEXT_MAX)

    def _booking(self, request, code: str) -> Booking:
        return get_object_or_404(Booking, code=code, guest=request.user)

    @extend_schema(
        operation_id="bookings_review", tags=["bookings"],
        responses={200: BookingsReviewOutput, 404: ErrorSerializer},
    )
    def get(self, request, code: str):
        review = get_object_or_404(Review, booking=self._booking(request, code))
        return Response(BookingsReviewOutput(review).data)

    @extend_schema(
        operation_id="bookings_review_create",
        tags=["bookings"],
        request=Input,
        parameters=[IDEMPOTENCY_KEY_PARAM],
        responses={201: BookingsReviewOutput, **ERRORS},
    )
    @idempotent
    def post(self, request, code: str):
        booking = self._booking(request, code)
        data = self.Input(data=request.data)
        data.is_valid(raise_exception=True)
        review = reviews.review_create(booking=booking, actor=request.user, **data.validated_data)
        return Response(BookingsReviewOutput(review).data, status=status.HTTP_201_CREATED)


class BookingsReviewReportApi(APIView):
    """Ask our agents to look at a review (once per person and review)."""

    @extend_schema(
        operation_id="bookings_review_report",
        tags=["bookings"],
        request=BookingsReviewReportInput,
        responses={201: None, **ERRORS},
    )
    def post(self, request, review_id: int):
        review = get_object_or_404(Review, pk=review_id, hidden_at__isnull=True)
        data = BookingsReviewReportInput(data=request.data)
        data.is_valid(raise_exception=True)
        reviews.review_report(review=review, actor=request.user, reason=data.validated_data["reason"])
        return Response(status=status.HTTP_201_CREATED)


class BookingsPartnerReviewListApi(LodgingPartnerApi):
    """Reviews of your properties, newest first (`?unanswered=true`: those still waiting for an answer)."""

    @extend_schema(
        operation_id="bookings_partner_reviews",
        tags=["bookings-partner"],
        parameters=[PARTNER_HEADER_PARAM],
        responses={200: BookingsPartnerReviewOutput(many=True), **ERRORS},
    )
    def get(self, request):
        unanswered = request.query_params.get("unanswered") in ("1", "true")
        rows = review_selectors.partner_reviews(partner=request.partner, unanswered=unanswered)[:500]
        return Response(BookingsPartnerReviewOutput(rows, many=True).data)


class _PartnerReviewApi(LodgingPartnerApi):
    def review(self, review_id: int) -> Review:
        return get_object_or_404(review_selectors.partner_reviews(partner=self.request.partner), pk=review_id)


class BookingsPartnerReviewAnswerApi(_PartnerReviewApi):
    """Answer a review in public, once (owners and managers)."""

    class Input(InputSerializer):
        answer = serializers.CharField(max_length=TEXT_MAX)

    @extend_schema(
        operation_id="bookings_partner_review_answer",
        tags=["bookings-partner"],
        request=Input,
        parameters=[PARTNER_HEADER_PARAM, IDEMPOTENCY_KEY_PARAM],
        responses={200: BookingsPartnerReviewOutput, **ERRORS},
    )
    @idempotent
    def post(self, request, review_id: int):
        review = self.review(review_id)
        data = self.Input(data=request.data)
        data.is_valid(raise_exception=True)
        review = reviews.review_answer(review=review, actor=request.user, text=data.validated_data["answer"])
        return Response(BookingsPartnerReviewOutput(review).data)


class BookingsPartnerReviewReportApi(_PartnerReviewApi):
    """Report a review of your property to our agents (any member)."""

    @extend_schema(
        operation_id="bookings_partner_review_report",
        tags=["bookings-partner"],
        request=BookingsReviewReportInput,
        parameters=[PARTNER_HEADER_PARAM],
        responses={201: None, **ERRORS},
    )
    def post(self, request, review_id: int):
        review = self.review(review_id)
        data = BookingsReviewReportInput(data=request.data)
        data.is_valid(raise_exception=True)
        reviews.review_report(
            review=review, actor=request.user, reason=data.validated_data["reason"], partner=request.partner
        )
        return Response(status=status.HTTP_201_CREATED)
