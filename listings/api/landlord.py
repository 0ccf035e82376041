"""Landlord API (X-Partner-Id of a landlord): the listings of their homes they claimed, claiming one by
its number, and withdrawing. The rule a claim must pass lives in listings.services.landlord."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from trustplatform.api.idempotency import idempotent
from trustplatform.api.scoping import PartnerScopedMixin
from trustplatform.api.serializers import InputSerializer
from trustplatform.partners.api import PARTNER_HEADER_PARAM

from .. import selectors, services
from .common import TAGS, post_schema
from .outputs import LandlordListingOutput


class LandlordListingListApi(PartnerScopedMixin, APIView):
    """The listings the landlord claimed, and claiming one: accepted only when the landlord's name is
    the owner's name the listing's verification recorded (and the registry's), with no member in
    common with the brokerage."""

    class Input(InputSerializer):
        listing_id = serializers.IntegerField(min_value=1, help_text="The listing's number.")

    @extend_schema(
        operation_id="listings_landlord_list",
        tags=TAGS,
        parameters=[PARTNER_HEADER_PARAM],
        responses={200: LandlordListingOutput(many=True)},
    )
    def get(self, request):
        listings = selectors.landlord_listings(landlord=request.partner)[:200]
        return Response(LandlordListingOutput(listings, many=True).data)

    @post_schema(
        "listings_landlord_claim", request=Input, responses={201: LandlordListingOutput}, partner=True
    )
    @idempotent
    def post(self, request):
        data = self.Input(data=request.data)
        data.is_valid(raise_exception=True)
        listing = services.listing_landlord_claim(
            landlord=request.partner, actor=request.user, listing_id=data.validated_data["listing_id"]
        )
        return Response(LandlordListingOutput(listing).data, status=status.HTTP_201_CREATED)


class LandlordListingUnlinkApi(PartnerScopedMixin, APIView):
    """Withdraw as the landlord of a listing; deposits already agreed keep their payee."""

    @post_schema("listings_landlord_unlink", request=None, responses={200: LandlordListingOutput(many=True)},
                 partner=True)
    @idempotent
    def post(self, request, listing_id: int):
        services.listing_landlord_unlink(landlord=request.partner, actor=request.user, listing_id=listing_id)
        # The landlord's listings as they stand now, without this one.
        listings = selectors.landlord_listings(landlord=request.partner)[:200]
        return Response(LandlordListingOutput(listings, many=True).data)
