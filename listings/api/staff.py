"""Staff API: the inspector's queue and outcomes, risk components, campaigns."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from escrow.idempotency import idempotent
from trustplatform.api.serializers import InputSerializer

from .. import selectors, services
from ..models import Campaign, Inspection, RiskScore
from .common import ERRORS, TAGS, IsInspector, IsListingStaff, post_schema
from .outputs import CampaignOutput, InspectionOutput, RiskOutput


class InspectionQueueApi(APIView):
    """The inspector's queue: assigned to them or to no one, highest priority first."""

    permission_classes = [IsInspector]

    @extend_schema(
        operation_id="listings_inspections_queue",
        tags=TAGS,
        responses={200: InspectionOutput(many=True), 403: ERRORS[403]},
    )
    def get(self, request):
        return Response(InspectionOutput(selectors.inspector_queue(user=request.user)[:200], many=True).data)


class InspectionRecordInput(InputSerializer):
    outcome = serializers.ChoiceField(choices=Inspection.Outcome.choices)
    fake_category = serializers.ChoiceField(
        choices=Inspection.FakeCategory.choices, required=False, default="", allow_blank=True
    )
    note = serializers.CharField(max_length=3000, required=False, allow_blank=True, default="")
    visited_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    latitude = serializers.DecimalField(
        max_digits=9, decimal_places=6, required=False, allow_null=True, default=None
    )
    longitude = serializers.DecimalField(
        max_digits=9, decimal_places=6, required=False, allow_null=True, default=None
    )
    accuracy_m = serializers.IntegerField(min_value=0, required=False, allow_null=True, default=None)
    photos = serializers.ListField(child=serializers.ImageField(), required=False, default=list)


class InspectionRecordApi(APIView):
    """Record the outcome with photos, time and GPS; a fake gives the brokerage a strike at once."""

    permission_classes = [IsInspector]
    parser_classes = [MultiPartParser]

    @post_schema(
        "listings_inspections_record",
        request={"multipart/form-data": InspectionRecordInput},
        responses={200: InspectionOutput},
    )
    @idempotent
    def post(self, request, inspection_id: int):
        inspection = get_object_or_404(selectors.inspector_queue(user=request.user), pk=inspection_id)
        raw = {key: request.data.get(key) for key in request.data if key != "photos"}
        data = InspectionRecordInput(data={**raw, "photos": request.data.getlist("photos")})
        data.is_valid(raise_exception=True)
        services.inspection_record(inspection=inspection, actor=request.user, **data.validated_data)
        return Response(InspectionOutput(Inspection.objects.get(pk=inspection.pk)).data)


class RiskApi(APIView):
    """A listing's latest risk score and the components that explain it."""

    permission_classes = [IsListingStaff]

    @extend_schema(operation_id="listings_risk_read", tags=TAGS, responses={200: RiskOutput, **ERRORS})
    def get(self, request, listing_id: int):
        return Response(RiskOutput(get_object_or_404(RiskScore, listing_id=listing_id)).data)


class CampaignListApi(APIView):
    """The monthly campaigns, newest first, with their seeds and parameters."""

    permission_classes = [IsListingStaff]

    @extend_schema(operation_id="listings_campaigns", tags=TAGS, responses={200: CampaignOutput(many=True)})
    def get(self, request):
        return Response(CampaignOutput(Campaign.objects.all()[:24], many=True).data)
