"""Response shapes of the bookings API. A partner never gets a guest's real number: only the virtual."""

from rest_framework import serializers

from trustplatform.api.serializers import OutputSerializer

from ..models import GuaranteeCandidate
from ..services.common import (
    guest_number_for_property,
    guest_phone_for_property,
    guest_uses_safe_number,
    property_number_for_guest,
)


class BookingsRoomTypeOutput(OutputSerializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    grade = serializers.IntegerField()
    capacity = serializers.IntegerField()
    beds = serializers.CharField()
    amenities = serializers.ListField(child=serializers.CharField())
    price_krw = serializers.IntegerField()
    rooms = serializers.IntegerField()


class BookingsSearchResultOutput(OutputSerializer):
    property_id = serializers.IntegerField()
    name = serializers.CharField()
    city = serializers.CharField()
    address = serializers.CharField()
    distance_m = serializers.IntegerField()
    rating = serializers.DecimalField(max_digits=2, decimal_places=1)
    review_count = serializers.IntegerField()
    star_class = serializers.IntegerField()
    amenities = serializers.ListField(child=serializers.CharField())
    price_total_krw = serializers.IntegerField()
    room_type_id = serializers.IntegerField()
    room_name = serializers.CharField()


class BookingsAvailabilityOutput(OutputSerializer):
    room_type = BookingsRoomTypeOutput()
    price_total_krw = serializers.IntegerField(allow_null=True)
    rooms_left = serializers.IntegerField()


class BookingsCandidateOutput(OutputSerializer):
    rank = serializers.IntegerField()
    score = serializers.FloatField()
    status = serializers.CharField()
    property = serializers.CharField(source="room_type.property.name")
    room_type = serializers.CharField(source="room_type.name")
    grade = serializers.IntegerField(source="room_type.grade")
    distance_m = serializers.IntegerField()
    price_total_krw = serializers.IntegerField()
    accept_token = serializers.SerializerMethodField()

    def get_accept_token(self, obj) -> str:
        return obj.accept_token if obj.status == GuaranteeCandidate.Status.OFFERED else ""


class BookingsCaseOutput(OutputSerializer):
    id = serializers.IntegerField()
    status = serializers.CharField()
    # cancelled (by the property), guest (reported by the guest), line (reported on the guarantee line)
    origin = serializers.CharField()
    mode = serializers.CharField()
    reason = serializers.CharField()
    guest_statement = serializers.CharField()
    property_statement = serializers.CharField()
    respond_by = serializers.DateTimeField(
        allow_null=True, help_text="When the property's time to answer ends."
    )
    decision = serializers.CharField(help_text="An agent's grounds, once a contested report is decided.")
    offer_deadline = serializers.DateTimeField(allow_null=True)
    rebooked_code = serializers.CharField(source="rebooked.code", allow_null=True, default=None)
    extra_cost_krw = serializers.IntegerField()
    refund_krw = serializers.IntegerField()
    compensation_krw = serializers.IntegerField()
    opened_at = serializers.DateTimeField()
    resolved_at = serializers.DateTimeField(allow_null=True)
    candidates = BookingsCandidateOutput(many=True)


class BookingsBookingOutput(OutputSerializer):
    code = serializers.CharField()
    status = serializers.CharField()
    property_id = serializers.IntegerField()
    property = serializers.CharField(source="property.name")
    room_type_id = serializers.IntegerField()
    room_type = serializers.CharField(source="room_type.name")
    check_in = serializers.DateField()
    check_out = serializers.DateField()
    guests = serializers.IntegerField()
    price_total_krw = serializers.IntegerField(source="guest_paid_krw")
    hold_expires_at = serializers.DateTimeField(allow_null=True)
    source = serializers.CharField()
    property_safe_number = serializers.SerializerMethodField()
    use_safe_number = serializers.SerializerMethodField(
        help_text="Whether the property reaches the guest through a safe number; false: at their own."
    )
    checkout_payment_id = serializers.SerializerMethodField()

    def get_property_safe_number(self, obj) -> str:
        return property_number_for_guest(obj)

    def get_use_safe_number(self, obj) -> bool:
        return guest_uses_safe_number(obj)

    def get_checkout_payment_id(self, obj) -> str:
        payment = getattr(obj, "checkout_payment", None)
        return payment.provider_payment_id if payment else ""


class BookingsPartnerBookingOutput(OutputSerializer):
    code = serializers.CharField()
    status = serializers.CharField()
    property_id = serializers.IntegerField()
    room_type_id = serializers.IntegerField()
    room_type = serializers.CharField(source="room_type.name")
    check_in = serializers.DateField()
    check_out = serializers.DateField()
    guests = serializers.IntegerField()
    guest_name = serializers.CharField()
    guest_safe_number = serializers.SerializerMethodField()
    guest_own_number = serializers.SerializerMethodField(
        help_text="The guest's own number: only when they chose not to use a safe number, else blank."
    )
    price_total_krw = serializers.IntegerField()
    cancel_reason = serializers.CharField()

    def get_guest_safe_number(self, obj) -> str:
        return guest_number_for_property(obj)

    def get_guest_own_number(self, obj) -> str:
        return guest_phone_for_property(obj)


class BookingsFeedOutput(OutputSerializer):
    id = serializers.IntegerField()
    room_type_id = serializers.IntegerField()
    name = serializers.CharField()
    url = serializers.CharField()
    state = serializers.CharField()
    last_fetch_at = serializers.DateTimeField(allow_null=True)
    last_success_at = serializers.DateTimeField(allow_null=True)
    age_seconds = serializers.SerializerMethodField()
    last_error = serializers.CharField()
    events = serializers.IntegerField()

    def get_age_seconds(self, obj) -> int | None:
        from django.utils import timezone

        return int((timezone.now() - obj.last_success_at).total_seconds()) if obj.last_success_at else None


class BookingsConflictOutput(OutputSerializer):
    id = serializers.IntegerField()
    booking_code = serializers.CharField(source="booking.code")
    feed = serializers.CharField(source="feed.name")
    start = serializers.DateField()
    end = serializers.DateField()
    summary = serializers.CharField()
    status = serializers.CharField()
    deadline = serializers.DateTimeField()
