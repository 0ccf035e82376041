"""Brokerage API (X-Partner-Id): listings, photos, enquiries about them with the broker's answer,
verification requests, reports against them with the broker's answer, strikes and appeals. Another
brokerage's objects are simply not found."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from trustplatform.api.idempotency import idempotent
from trustplatform.api.pagination import PAGE_PARAM, page_of
from trustplatform.api.scoping import PartnerScopedMixin
from trustplatform.api.serializers import InputSerializer, WonField
from trustplatform.partners.api import PARTNER_HEADER_PARAM

from .. import selectors, services
from ..models import Listing, ListingContact, Report, Strike, Verification
from ..models.listings import MAX_MAINTENANCE_FEE_KRW
from ..services.common import require_brokerage
from ..services.contact import contact_broker_answer
from ..services.listings import MAX_KRW
from .common import ERRORS, TAGS, post_schema
from .outputs import (
    AppealOutput,
    BrokerContactOutput,
    BrokerReportOutput,
    PartnerListingOutput,
    PartnerListingPageOutput,
    StandingOutput,
    StrikeOutput,
    VerificationOutput,
)


class ListingInput(InputSerializer):
    title = serializers.CharField(max_length=120)
    address = serializers.CharField(max_length=200)
    unit = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    dong_code = serializers.RegexField(
        r"^[0-9]{10}$", help_text="법정동 code; 시/도 and 시/군/구 follow from it."
    )
    deal_type = serializers.ChoiceField(choices=Listing.DealType.choices)
    deposit_krw = WonField(min_value=0, max_value=MAX_KRW, required=False, default=0)
    monthly_rent_krw = WonField(min_value=0, max_value=MAX_KRW, required=False, default=0)
    price_krw = WonField(min_value=0, max_value=MAX_KRW, required=False, default=0)
    size_m2 = serializers.DecimalField(max_digits=7, decimal_places=2, min_value=1)
    floor = serializers.IntegerField(min_value=-10, max_value=200)
    rooms = serializers.IntegerField(min_value=0, max_value=50, required=False, default=1)
    description = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")
    maintenance_fee_krw = WonField(
        min_value=0,
        max_value=MAX_MAINTENANCE_FEE_KRW,
        required=False,
        allow_null=True,
        default=None,
        help_text="관리비, won a month: 0 when there is none, null when not stated.",
    )
    maintenance_includes = serializers.ListField(
        child=serializers.ChoiceField(choices=Listing.FeeItem.choices),
        required=False,
        default=list,
        max_length=len(Listing.FeeItem),
        help_text="What the fee covers; only with a fee above 0.",
    )
    building_type = serializers.ChoiceField(
        choices=Listing.BuildingType.choices,
        required=False,
        allow_blank=True,
        default="",
        help_text="apartment, officetel, villa (빌라·다세대) or house (단독·다가구): prices are compared "
        "within a type. Blank: not stated.",
    )
    # The range is the service's rule (a 400 `invalid_listing` naming the field), as for the other fields.
    built_year = serializers.IntegerField(
        required=False,
        allow_null=True,
        default=None,
        help_text="The year the building was finished (준공), 1900 to three years ahead; null: not known.",
    )


class _BrokerApi(PartnerScopedMixin, APIView):
    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        require_brokerage(request.partner)

    def listing(self, listing_id: int) -> Listing:
        return get_object_or_404(
            Listing.objects.select_related("partner"), pk=listing_id, partner=self.request.partner
        )

    def respond(self, listing_id: int, code=status.HTTP_200_OK) -> Response:
        return Response(PartnerListingOutput(self.listing(listing_id)).data, status=code)


class PartnerListingListApi(_BrokerApi):
    """The brokerage's listings (any status), and creating one (a draft, or published at once)."""

    class Input(ListingInput):
        publish = serializers.BooleanField(required=False, default=False)

    @extend_schema(
        operation_id="listings_partner_list",
        tags=TAGS,
        responses={200: PartnerListingPageOutput},
        parameters=[
            PARTNER_HEADER_PARAM,
            OpenApiParameter("status", str, enum=Listing.Status.values, required=False),
            PAGE_PARAM,
        ],
    )
    def get(self, request):
        paginator = PageNumberPagination()
        queryset = selectors.partner_listings(
            partner=request.partner, status=request.query_params.get("status", "")
        )
        page = paginator.paginate_queryset(queryset.prefetch_related("photos"), request, view=self)
        selectors.region_labels_fill(page)
        return paginator.get_paginated_response(PartnerListingOutput(page, many=True).data)

    @post_schema(
        "listings_partner_create", request=Input, responses={201: PartnerListingOutput}, partner=True
    )
    @idempotent
    def post(self, request):
        data = self.Input(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        publish = values.pop("publish")
        listing = services.listing_create(
            partner=request.partner, actor=request.user, data=values, publish=publish
        )
        return self.respond(listing.pk, status.HTTP_201_CREATED)


class PartnerListingDetailApi(_BrokerApi):
    """Read or edit one listing; moving it to another address voids its verifications."""

    class Input(ListingInput):
        pass

    @extend_schema(
        operation_id="listings_partner_read",
        tags=TAGS,
        parameters=[PARTNER_HEADER_PARAM],
        responses={200: PartnerListingOutput, 404: ERRORS[404]},
    )
    def get(self, request, listing_id: int):
        return self.respond(listing_id)

    @extend_schema(
        operation_id="listings_partner_update",
        tags=TAGS,
        parameters=[PARTNER_HEADER_PARAM],
        request=Input,
        responses={200: PartnerListingOutput, **ERRORS},
    )
    def patch(self, request, listing_id: int):
        listing = self.listing(listing_id)
        data = self.Input(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        services.listing_update(listing=listing, actor=request.user, data=dict(data.validated_data))
        return self.respond(listing_id)


class PartnerListingPublishApi(_BrokerApi):
    """Publish a draft (refused while posting is suspended)."""

    @post_schema(
        "listings_partner_publish", request=None, responses={200: PartnerListingOutput}, partner=True
    )
    @idempotent
    def post(self, request, listing_id: int):
        services.listing_publish(listing=self.listing(listing_id), actor=request.user)
        return self.respond(listing_id)


class PartnerListingCloseApi(_BrokerApi):
    """Close a listing: deal closed, gone, or withdrawn. Open reports on it are settled."""

    class Input(InputSerializer):
        reason = serializers.ChoiceField(choices=Listing.ArchiveReason.choices)

    @post_schema("listings_partner_close", request=Input, responses={200: PartnerListingOutput}, partner=True)
    @idempotent
    def post(self, request, listing_id: int):
        listing = self.listing(listing_id)
        data = self.Input(data=request.data)
        data.is_valid(raise_exception=True)
        services.listing_close(listing=listing, actor=request.user, **data.validated_data)
        return self.respond(listing_id)


class PartnerListingRefreshApi(_BrokerApi):
    """Confirm the listing is still current."""

    @post_schema(
        "listings_partner_refresh", request=None, responses={200: PartnerListingOutput}, partner=True
    )
    @idempotent
    def post(self, request, listing_id: int):
        services.listing_refresh(listing=self.listing(listing_id), actor=request.user)
        return self.respond(listing_id)


class PartnerContactListApi(_BrokerApi):
    """The enquiries about one listing, newest first: when, the customer (masked), the customer's answer
    on how it went and yours."""

    @extend_schema(
        operation_id="listings_partner_contacts",
        tags=TAGS,
        parameters=[PARTNER_HEADER_PARAM, PAGE_PARAM],
        responses={200: page_of(BrokerContactOutput), 404: ERRORS[404]},
    )
    def get(self, request, listing_id: int):
        paginator = PageNumberPagination()
        queryset = self.listing(listing_id).contacts.select_related("consumer").order_by("-created_at", "-id")
        page = paginator.paginate_queryset(queryset, request, view=self)
        return paginator.get_paginated_response(BrokerContactOutput(page, many=True).data)


# Documented as the list of answers; any other value reaches the service, which refuses it with the
# stable code `invalid_answer`.
@extend_schema_field(serializers.ChoiceField(choices=ListingContact.BrokerAnswer.choices))
class BrokerAnswerField(serializers.CharField):
    pass


class PartnerContactAnswerApi(_BrokerApi):
    """Answer an enquiry: the home is still `available`, or already `contracted`. After "contracted",
    close the listing as `deal_closed` (the close endpoint): while it stays live the answer counts toward
    its risk score. 400 `invalid_answer` for another answer."""

    class Input(InputSerializer):
        answer = BrokerAnswerField(allow_blank=True)

    @post_schema(
        "listings_partner_contact_answer", request=Input, responses={200: BrokerContactOutput}, partner=True
    )
    @idempotent
    def post(self, request, listing_id: int, contact_id: int):
        # Scoped lookup: an enquiry about another brokerage's listing is simply not found.
        contact = get_object_or_404(ListingContact, pk=contact_id, listing=self.listing(listing_id))
        data = self.Input(data=request.data)
        data.is_valid(raise_exception=True)
        contact = contact_broker_answer(
            contact_id=contact.pk, actor=request.user, answer=data.validated_data["answer"]
        )
        contact = ListingContact.objects.select_related("consumer").get(pk=contact.pk)
        return Response(BrokerContactOutput(contact).data)


class PhotoInput(InputSerializer):
    image = serializers.ImageField(help_text="JPEG, PNG or WebP; re-encoded, location data dropped.")


class PartnerPhotoAddApi(_BrokerApi):
    """Add a photo (multipart); it is size-capped and stored with its perceptual hash."""

    parser_classes = [MultiPartParser]

    @post_schema(
        "listings_partner_photo_add",
        request={"multipart/form-data": PhotoInput},
        responses={201: PartnerListingOutput},
        partner=True,
    )
    @idempotent
    def post(self, request, listing_id: int):
        listing = self.listing(listing_id)
        data = PhotoInput(data=request.data)
        data.is_valid(raise_exception=True)
        services.photo_add(listing=listing, actor=request.user, upload=data.validated_data["image"])
        return self.respond(listing_id, status.HTTP_201_CREATED)


class PartnerVerificationApi(_BrokerApi):
    """Ask for a verification level: 1 owner by phone, 2 owner by text link, 3 registry, 4 on site."""

    class Input(InputSerializer):
        level = serializers.ChoiceField(choices=Verification.Level.choices)
        owner_name = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
        owner_phone = serializers.CharField(max_length=32, required=False, allow_blank=True, default="")

    @extend_schema(
        operation_id="listings_partner_verifications",
        tags=TAGS,
        parameters=[PARTNER_HEADER_PARAM],
        responses={200: VerificationOutput(many=True), 404: ERRORS[404]},
    )
    def get(self, request, listing_id: int):
        return Response(VerificationOutput(self.listing(listing_id).verifications.all(), many=True).data)

    @post_schema(
        "listings_partner_verification_request",
        request=Input,
        responses={201: VerificationOutput},
        partner=True,
    )
    @idempotent
    def post(self, request, listing_id: int):
        listing = self.listing(listing_id)
        data = self.Input(data=request.data)
        data.is_valid(raise_exception=True)
        verification = services.verification_request(
            listing=listing, actor=request.user, **data.validated_data
        )
        return Response(VerificationOutput(verification).data, status=status.HTTP_201_CREATED)


class PartnerReportListApi(_BrokerApi):
    """Reports against the brokerage's listings; the reporter is never named."""

    @extend_schema(
        operation_id="listings_partner_reports",
        tags=TAGS,
        responses={200: page_of(BrokerReportOutput)},
        parameters=[PARTNER_HEADER_PARAM, OpenApiParameter("open", bool, required=False), PAGE_PARAM],
    )
    def get(self, request):
        paginator = PageNumberPagination()
        queryset = selectors.partner_reports(
            partner=request.partner, open_only=request.query_params.get("open") in ("1", "true")
        )
        page = paginator.paginate_queryset(queryset, request, view=self)
        return paginator.get_paginated_response(BrokerReportOutput(page, many=True).data)


class PartnerReportRespondApi(_BrokerApi):
    """The broker's first answer: mark the listing gone, say it was corrected, or dispute the report."""

    class Input(InputSerializer):
        action = serializers.ChoiceField(choices=Report.BrokerAction.choices)
        response = serializers.CharField(max_length=3000, required=False, allow_blank=True, default="")

    @post_schema(
        "listings_partner_report_respond", request=Input, responses={200: BrokerReportOutput}, partner=True
    )
    @idempotent
    def post(self, request, report_id: int):
        report = get_object_or_404(selectors.partner_reports(partner=request.partner), pk=report_id)
        data = self.Input(data=request.data)
        data.is_valid(raise_exception=True)
        report = services.report_respond(report=report, actor=request.user, **data.validated_data)
        return Response(BrokerReportOutput(report).data)


class PartnerStandingApi(_BrokerApi):
    """The brokerage's badge, suspension and strikes."""

    @extend_schema(
        operation_id="listings_partner_standing",
        tags=TAGS,
        parameters=[PARTNER_HEADER_PARAM],
        responses={200: StandingOutput},
    )
    def get(self, request):
        return Response(StandingOutput(selectors.standing_of(request.partner)).data)


class PartnerStrikeListApi(_BrokerApi):
    @extend_schema(
        operation_id="listings_partner_strikes",
        tags=TAGS,
        parameters=[PARTNER_HEADER_PARAM],
        responses={200: StrikeOutput(many=True)},
    )
    def get(self, request):
        return Response(StrikeOutput(selectors.partner_strikes(partner=request.partner), many=True).data)


class AppealInput(InputSerializer):
    statement = serializers.CharField(max_length=5000)
    evidence = serializers.ListField(child=serializers.FileField(), required=False, default=list)


class PartnerAppealApi(_BrokerApi):
    """Appeal a strike within the window, with a statement and evidence files (multipart)."""

    parser_classes = [MultiPartParser]

    @post_schema(
        "listings_partner_appeal",
        request={"multipart/form-data": AppealInput},
        responses={201: AppealOutput},
        partner=True,
    )
    @idempotent
    def post(self, request, strike_id: int):
        strike = get_object_or_404(Strike, pk=strike_id, partner=request.partner)
        # Every field sent, so an unknown one is refused as the schema says (evidence: each file sent).
        raw = {key: request.data.get(key) for key in request.data if key != "evidence"}
        data = AppealInput(data={**raw, "evidence": request.data.getlist("evidence")})
        data.is_valid(raise_exception=True)
        appeal = services.appeal_file(
            strike=strike,
            actor=request.user,
            statement=data.validated_data["statement"],
            files=data.validated_data["evidence"],
        )
        return Response(AppealOutput(appeal).data, status=status.HTTP_201_CREATED)
