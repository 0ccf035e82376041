from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from trustplatform.api.scoping import PartnerScopedMixin
from trustplatform.api.serializers import ErrorSerializer, InputSerializer, OutputSerializer

from . import services
from .models import Membership, Partner
from .selectors import partners_for_user


class PartnerOutput(serializers.ModelSerializer):
    registration_number = serializers.CharField(source="registration_number_display")

    class Meta:
        model = Partner
        fields = ["id", "name", "kind", "registration_number", "representative", "contact_email",
                  "address", "status", "created_at", "decided_at"]


class PartnerListApi(APIView):
    """The partner businesses the caller belongs to (any status), and new applications."""

    class Input(InputSerializer):
        name = serializers.CharField(max_length=120)
        kind = serializers.ChoiceField(choices=Partner.Kind.choices)
        registration_number = serializers.CharField(max_length=14)
        representative = serializers.CharField(max_length=100)
        contact_email = serializers.EmailField()
        address = serializers.CharField(max_length=200)

    @extend_schema(responses={200: PartnerOutput(many=True)}, operation_id="partners_list",
                   tags=["partners"])
    def get(self, request):
        partners = partners_for_user(user=request.user).order_by("name", "pk")
        return Response(PartnerOutput(partners, many=True).data)

    @extend_schema(request=Input, responses={201: PartnerOutput, 400: ErrorSerializer,
                                             409: ErrorSerializer},
                   operation_id="partners_apply", tags=["partners"])
    def post(self, request):
        data = self.Input(data=request.data)
        data.is_valid(raise_exception=True)
        partner = services.partner_apply(user=request.user, **data.validated_data)
        return Response(PartnerOutput(partner).data, status=status.HTTP_201_CREATED)


class PartnerDetailApi(APIView):
    @extend_schema(responses={200: PartnerOutput, 404: ErrorSerializer},
                   operation_id="partners_retrieve", tags=["partners"])
    def get(self, request, partner_id: int):
        partner = get_object_or_404(partners_for_user(user=request.user), pk=partner_id)
        return Response(PartnerOutput(partner).data)


class MemberOutput(serializers.Serializer):
    id = serializers.IntegerField()
    full_name = serializers.CharField(source="user.full_name")
    email = serializers.EmailField(source="user.email")
    role = serializers.CharField()
    created_at = serializers.DateTimeField()


PARTNER_HEADER_PARAM = OpenApiParameter(
    "X-Partner-Id", int, OpenApiParameter.HEADER, required=False,
    description="The partner to act for, when the account belongs to several.",
)


class MemberListApi(PartnerScopedMixin, APIView):
    """Members of the partner the caller acts for."""

    @extend_schema(parameters=[PARTNER_HEADER_PARAM],
                   responses={200: MemberOutput(many=True), 403: ErrorSerializer},
                   operation_id="members_list", tags=["partners"])
    def get(self, request):
        members = self.scoped(Membership.objects.select_related("user")).order_by("pk")
        return Response(MemberOutput(members, many=True).data)


class MemberDetailApi(PartnerScopedMixin, APIView):
    @extend_schema(parameters=[PARTNER_HEADER_PARAM],
                   responses={200: MemberOutput, 404: ErrorSerializer},
                   operation_id="members_retrieve", tags=["partners"])
    def get(self, request, membership_id: int):
        member = get_object_or_404(self.scoped(Membership.objects.select_related("user")),
                                   pk=membership_id)
        return Response(MemberOutput(member).data)


class PublicPartnerApi(APIView):
    """Who a consumer is dealing with: an approved partner's public profile, no login needed."""

    permission_classes = [AllowAny]

    class Output(OutputSerializer):
        id = serializers.IntegerField()
        name = serializers.CharField()
        kind = serializers.CharField()
        registration_number = serializers.CharField(source="registration_number_display")

    @extend_schema(responses={200: Output, 404: ErrorSerializer}, operation_id="public_partner",
                   tags=["public"])
    def get(self, request, partner_id: int):
        partner = get_object_or_404(
            # status is read by the FSM mixin on load; leaving it out costs a second query.
            Partner.objects.only("id", "name", "kind", "registration_number", "status"),
            pk=partner_id, status=Partner.Status.APPROVED,
        )
        return Response(self.Output(partner).data)
