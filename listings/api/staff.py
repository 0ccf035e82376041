"""Staff API: the inspector's queue and outcomes, risk components, campaigns."""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from trustplatform.api.idempotency import idempotent
from trustplatform.api.serializers import InputSerializer, OutputSerializer

from .. import selectors, services
from ..errors import ListingForbidden
from ..models import Appeal, Campaign, Inspection, Report, RiskScore
from ..services.campaigns import campaign_open
from ..services.inspections import MAX_ACCURACY_M
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
    accuracy_m = serializers.IntegerField(
        min_value=0, max_value=MAX_ACCURACY_M, required=False, allow_null=True, default=None
    )
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


class StaffReportOutput(OutputSerializer):
    """A report as staff see it (staff may see the reporter's track record, never the broker)."""

    id = serializers.IntegerField()
    listing = serializers.IntegerField(source="listing_id")
    reason = serializers.CharField()
    details = serializers.CharField()
    visited = serializers.BooleanField()
    weight = serializers.FloatField()
    status = serializers.CharField()
    respond_by = serializers.DateTimeField()
    broker_action = serializers.CharField()
    broker_response = serializers.CharField()
    created_at = serializers.DateTimeField()


class StaffReportQueueApi(APIView):
    """Reports waiting for staff: answered by the broker or past the deadline, and those sent on site."""

    permission_classes = [IsListingStaff]

    @extend_schema(
        operation_id="listings_staff_reports", tags=TAGS, responses={200: StaffReportOutput(many=True)}
    )
    def get(self, request):
        queryset = Report.objects.filter(
            status__in=[Report.Status.IN_REVIEW, Report.Status.ON_SITE]).order_by(
            "-weight", "created_at"
        )
        return Response(StaffReportOutput(queryset[:200], many=True).data)


class StaffReportDecideApi(APIView):
    """Record the phone check (genuine / send on site) or decide the report (uphold / reject / false)."""

    permission_classes = [IsListingStaff]

    class Input(InputSerializer):
        decision = serializers.ChoiceField(choices=["genuine", "on_site", "uphold", "reject", "false_report"])
        note = serializers.CharField(max_length=2000)

    @post_schema("listings_staff_report_decide", request=Input, responses={200: StaffReportOutput})
    @idempotent
    def post(self, request, report_id: int):
        report = get_object_or_404(Report, pk=report_id)
        data = self.Input(data=request.data)
        data.is_valid(raise_exception=True)
        decision, note = data.validated_data["decision"], data.validated_data["note"]
        if not request.user.has_perm("listings.decide_listing"):
            raise ListingForbidden(_("Only agents decide reports."))
        if decision in ("genuine", "on_site"):
            services.report_phone_check(instance=report, actor=request.user, outcome=decision, note=note)
        else:
            services.report_staff_decide(
                instance=report,
                actor=request.user,
                uphold=decision == "uphold",
                reason=note,
                false_report=decision == "false_report",
            )
        return Response(StaffReportOutput(Report.objects.get(pk=report.pk)).data)


class StaffAppealOutput(OutputSerializer):
    id = serializers.IntegerField()
    strike = serializers.IntegerField(source="strike_id")
    partner = serializers.CharField(source="strike.partner.name")
    statement = serializers.CharField()
    status = serializers.CharField()
    filed_at = serializers.DateTimeField()
    decision_note = serializers.CharField()


class StaffAppealQueueApi(APIView):
    """Pending appeals, oldest first."""

    permission_classes = [IsListingStaff]

    @extend_schema(
        operation_id="listings_staff_appeals", tags=TAGS, responses={200: StaffAppealOutput(many=True)}
    )
    def get(self, request):
        queryset = (
            Appeal.objects.filter(status=Appeal.Status.PENDING).select_related("strike__partner").order_by("filed_at")
        )
        return Response(StaffAppealOutput(queryset[:200], many=True).data)


class StaffAppealDecideApi(APIView):
    """Uphold (overrule the strike, restore the badge, lift suspensions) or reject; by staff who did not
    establish the fake."""

    permission_classes = [IsListingStaff]

    class Input(InputSerializer):
        uphold = serializers.BooleanField()
        reason = serializers.CharField(max_length=2000)

    @post_schema("listings_staff_appeal_decide", request=Input, responses={200: StaffAppealOutput})
    @idempotent
    def post(self, request, appeal_id: int):
        appeal = get_object_or_404(Appeal.objects.select_related("strike"), pk=appeal_id)
        data = self.Input(data=request.data)
        data.is_valid(raise_exception=True)
        services.appeal_decide(instance=appeal, actor=request.user, **data.validated_data)
        return Response(StaffAppealOutput(Appeal.objects.get(pk=appeal.pk)).data)


class CampaignOpenApi(APIView):
    """Open this month's campaign now (the beat task does it on the 1st); a second call returns it."""

    permission_classes = [IsListingStaff]

    class Input(InputSerializer):
        seed = serializers.IntegerField(required=False, min_value=0, max_value=2**62)
        capacity = serializers.IntegerField(required=False, min_value=1, max_value=100_000)

    @post_schema("listings_campaigns_open", request=Input, responses={201: CampaignOutput})
    @idempotent
    def post(self, request):
        if not request.user.has_perm("listings.decide_listing"):
            raise ListingForbidden(_("Only agents open campaigns."))
        data = self.Input(data=request.data)
        data.is_valid(raise_exception=True)
        campaign = campaign_open(actor=request.user, **data.validated_data)
        return Response(CampaignOutput(campaign).data, status=201)
