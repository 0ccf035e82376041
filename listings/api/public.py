"""Consumer API: search and read listings, report, contact the broker safely and say how it went, start a
deposit, claim."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from trustplatform.api.idempotency import idempotent
from trustplatform.api.pagination import PAGE_PARAM, page_of
from trustplatform.api.serializers import InputSerializer, OutputSerializer, WonField
from trustplatform.dbrouter import replica_reads

from .. import selectors, services
from ..errors import ListingNotFound
from ..models import Listing, ListingContact, Report
from ..services.contact import contact_outcome_record
from ..services.listings import MAX_KRW
from .common import ERRORS, TAGS, post_schema
from .outputs import ConsumerReportOutput, ContactOutcomeOutput, ListingDetailOutput, SearchPageOutput


class ListingSearchApi(APIView):
    """Search live listings by region, deal type, price and size (newest first unless sorted).

    A region is any code of the catalogue in use (/api/v1/regions/); its search also finds listings
    stored under codes abolished into it. An unknown code is a 400 `region_unknown`, an abolished one
    `region_abolished` (the detail names the code that replaced it), one of the wrong level
    `region_wrong_level`."""

    permission_classes = [AllowAny]

    class Query(InputSerializer):
        region = serializers.RegexField(
            r"^[0-9]{10}$", required=False,
            help_text="Legal-dong code (10 digits) of any level: 시/도, 시/군/구, 읍/면/동 or 리.",
        )
        sigungu = serializers.RegexField(r"^[0-9]{5}$", required=False, help_text="시/군/구 code (5 digits).")
        dong = serializers.RegexField(
            r"^[0-9]{10}$", required=False, help_text="읍/면/동 or 리 code (10 digits)."
        )
        deal_type = serializers.ChoiceField(choices=Listing.DealType.choices, required=False)
        price_min = WonField(
            min_value=0, max_value=MAX_KRW, required=False, help_text="Sale price or deposit, won."
        )
        price_max = WonField(min_value=0, max_value=MAX_KRW, required=False)
        rent_max = WonField(min_value=0, max_value=MAX_KRW, required=False, help_text="Monthly rent, won.")
        burden_max = WonField(
            min_value=0, max_value=MAX_KRW, required=False,
            help_text="Monthly rent plus maintenance fee, won: monthly rentals whose fee is stated. "
            "With another deal type, a 400 `burden_needs_monthly`.",
        )
        size_min = serializers.DecimalField(max_digits=7, decimal_places=2, min_value=0, required=False)
        size_max = serializers.DecimalField(max_digits=7, decimal_places=2, min_value=0, required=False)
        sort = serializers.ChoiceField(choices=list(selectors.SORTS), required=False, default="newest")
        page = serializers.IntegerField(min_value=1, max_value=500, required=False, default=1)

    @extend_schema(
        operation_id="listings_search",
        tags=TAGS,
        parameters=[Query],
        responses={200: SearchPageOutput, 400: ERRORS[400]},
    )
    @replica_reads()
    def get(self, request):
        query = self.Query(data=request.query_params.dict())
        query.is_valid(raise_exception=True)
        page = selectors.listings_search(**query.validated_data)
        return Response(SearchPageOutput(page).data)


class ListingDetailApi(APIView):
    """One listing with its photos, verification level and the broker's badge."""

    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="listings_read", tags=TAGS, responses={200: ListingDetailOutput, 404: ERRORS[404]}
    )
    @replica_reads()
    def get(self, request, listing_id: int):
        listing = selectors.listing_public(listing_id=listing_id)
        if listing is None:
            raise ListingNotFound("No such listing.")
        return Response(ListingDetailOutput(listing).data)


def _live(listing_id: int) -> Listing:
    return get_object_or_404(
        Listing.objects.select_related("partner"),
        pk=listing_id,
        status__in=[Listing.Status.PUBLISHED, Listing.Status.VERIFIED, Listing.Status.FLAGGED,
                    Listing.Status.REMOVED, Listing.Status.ARCHIVED],
    )


class ReportCreateApi(APIView):
    """Report a listing. One open report per listing; rate-limited; refused while banned."""

    class Input(InputSerializer):
        reason = serializers.ChoiceField(choices=Report.Reason.choices)
        details = serializers.CharField(max_length=3000, required=False, allow_blank=True, default="")
        visited = serializers.BooleanField(
            required=False,
            default=False,
            help_text="You went to see it (counts for wasted-trip compensation).",
        )

    @post_schema("listings_reports_create", request=Input, responses={201: ConsumerReportOutput})
    @idempotent
    def post(self, request, listing_id: int):
        data = self.Input(data=request.data)
        data.is_valid(raise_exception=True)
        report = services.report_file(listing=_live(listing_id), reporter=request.user, **data.validated_data)
        return Response(ConsumerReportOutput(report).data, status=status.HTTP_201_CREATED)


class MyReportListApi(APIView):
    """The caller's own reports and where each stands."""

    @extend_schema(
        operation_id="listings_reports_mine",
        tags=TAGS,
        parameters=[PAGE_PARAM],
        responses={200: page_of(ConsumerReportOutput), 404: ERRORS[404]},
    )
    def get(self, request):
        paginator = PageNumberPagination()
        page = paginator.paginate_queryset(selectors.consumer_reports(user=request.user), request, view=self)
        return paginator.get_paginated_response(ConsumerReportOutput(page, many=True).data)


class ContactOutput(OutputSerializer):
    contact = serializers.IntegerField(
        help_text="The enquiry's number: say how it went at /api/v1/listings/contacts/{contact}/outcome/."
    )
    use_safe_number = serializers.BooleanField(
        help_text="true: a safe number; false: the broker was given your own number and calls you back."
    )
    dial = serializers.CharField(
        help_text="The safe number to call or text; it forwards to the broker. Blank without a safe number."
    )
    expires_at = serializers.DateTimeField(allow_null=True)


class ContactApi(APIView):
    """Reach the broker about this listing: through a safe number, where neither side sees the other's
    number, or by giving the broker your own verified number (`use_safe_number: false`)."""

    class Input(InputSerializer):
        use_safe_number = serializers.BooleanField(
            required=False, allow_null=True, default=None,
            help_text="Default: your last answer (a safe number if never asked).",
        )

    @post_schema("listings_contact", request=Input, responses={201: ContactOutput})
    @idempotent
    def post(self, request, listing_id: int):
        data = self.Input(data=request.data)
        data.is_valid(raise_exception=True)
        contact = services.contact_open(
            listing=_live(listing_id), consumer=request.user,
            use_safe_number=data.validated_data["use_safe_number"],
        )
        return Response(
            ContactOutput({"contact": contact.contact.pk, "use_safe_number": contact.use_safe_number,
                           "dial": contact.dial, "expires_at": contact.expires_at}).data,
            status=status.HTTP_201_CREATED,
        )


# Documented as the list of answers; any other value reaches the service, which refuses it with the
# stable code `invalid_outcome` (a plain choice field would answer the generic `invalid`).
@extend_schema_field(serializers.ChoiceField(choices=ListingContact.Outcome.choices))
class OutcomeField(serializers.CharField):
    pass


class ContactOutcomeApi(APIView):
    """Say how your enquiry about a listing went: you saw the home as listed (`viewed`), were told it is
    already let (`unavailable`), were offered a different home instead (`other_offered`, a bait listing:
    `report_suggested` is then true) or never got a viewing (`no_viewing`). You may change the answer
    within LISTINGS_CONTACT_OUTCOME_DAYS of the enquiry.

    400 `invalid_outcome` for another answer; 404 `contact_not_found` for an enquiry that is not yours;
    409 `contact_closed` once the enquiry is too old."""

    class Input(InputSerializer):
        outcome = OutcomeField(allow_blank=True)

    @post_schema("listings_contact_outcome", request=Input, responses={200: ContactOutcomeOutput})
    @idempotent
    def post(self, request, contact_id: int):
        data = self.Input(data=request.data)
        data.is_valid(raise_exception=True)
        contact = contact_outcome_record(
            contact_id=contact_id, consumer=request.user, outcome=data.validated_data["outcome"]
        )
        return Response(ContactOutcomeOutput(contact).data)


class DepositOutput(OutputSerializer):
    agreement = serializers.IntegerField(source="pk")
    status = serializers.CharField()
    amount_krw = serializers.IntegerField()


class DepositStartApi(APIView):
    """Start an escrowed rental deposit for this listing (escrow's rental template)."""

    class Input(InputSerializer):
        move_in_date = serializers.DateField()

    @post_schema("listings_deposit_start", request=Input, responses={201: DepositOutput})
    @idempotent
    def post(self, request, listing_id: int):
        data = self.Input(data=request.data)
        data.is_valid(raise_exception=True)
        agreement = services.deposit_start(
            listing=_live(listing_id), consumer=request.user, move_in_date=data.validated_data["move_in_date"]
        )
        return Response(DepositOutput(agreement).data, status=status.HTTP_201_CREATED)


class WastedTripOutput(OutputSerializer):
    id = serializers.IntegerField()
    status = serializers.CharField()
    amount_krw = serializers.IntegerField()


class WastedTripClaimApi(APIView):
    """Claim 헛걸음 보상 for a visit to a listing confirmed fake (paid once)."""

    class Input(InputSerializer):
        visited_on = serializers.DateField()
        note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")

    @post_schema("listings_wasted_trip_claim", request=Input, responses={201: WastedTripOutput})
    @idempotent
    def post(self, request, listing_id: int):
        data = self.Input(data=request.data)
        data.is_valid(raise_exception=True)
        claim = services.claim_file(listing=_live(listing_id), consumer=request.user, **data.validated_data)
        return Response(WastedTripOutput(claim).data, status=status.HTTP_201_CREATED)
