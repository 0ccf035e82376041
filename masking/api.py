"""The partner API: open a session for a subject, read the numbers to show, close it, text, call.

Scoped to the partner the caller acts for: another partner's session is a 404. No response
ever holds a real number; each side is described by the proxy number it dials.
"""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import APIView

from trustplatform.api.pagination import PAGE_PARAM
from trustplatform.api.scoping import PartnerScopedMixin
from trustplatform.api.serializers import ErrorSerializer, InputSerializer, OutputSerializer
from trustplatform.partners.api import PARTNER_HEADER_PARAM

from . import selectors, services
from .models import Interaction, MaskedSession

TAGS = ["masking"]


class PartyInput(InputSerializer):
    phone = serializers.CharField(max_length=32, help_text="The real number, e.g. 010-1234-5678.")
    label = serializers.CharField(max_length=60, help_text="How the other side sees this person.")


class SideOutput(OutputSerializer):
    side = serializers.CharField()
    label = serializers.CharField()
    dials = serializers.CharField(source="proxy_number.e164",
                                  help_text="The safe number this side dials to reach the other side.")
    dials_display = serializers.CharField(source="proxy_number.display")


class SessionOutput(OutputSerializer):
    id = serializers.IntegerField()
    reference = serializers.CharField(source="subject_id")
    mode = serializers.CharField()
    status = serializers.CharField()
    close_reason = serializers.CharField()
    opens_at = serializers.DateTimeField()
    expires_at = serializers.DateTimeField()
    ended_at = serializers.DateTimeField(allow_null=True)
    sides = SideOutput(source="participants.all", many=True)


class SessionPageOutput(OutputSerializer):
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = SessionOutput(many=True)


class InteractionOutput(OutputSerializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    outcome = serializers.CharField()
    created_at = serializers.DateTimeField()


class _SessionApi(PartnerScopedMixin, APIView):
    def session(self, session_id: int) -> MaskedSession:
        return get_object_or_404(selectors.partner_sessions(partner=self.request.partner), pk=session_id)


class SessionListApi(_SessionApi):
    """The acting partner's sessions, newest first; and opening a new one."""

    class Input(InputSerializer):
        reference = serializers.CharField(max_length=64, help_text="Your order, booking or enquiry id.")
        mode = serializers.ChoiceField(choices=MaskedSession.Mode.choices, default=MaskedSession.Mode.BOTH)
        opens_at = serializers.DateTimeField(required=False)
        expires_at = serializers.DateTimeField(help_text="Absolute end, e.g. delivery + 3 h.")
        consumer = PartyInput()
        business = PartyInput()

    @extend_schema(parameters=[PARTNER_HEADER_PARAM, OpenApiParameter(
                       "status", str, enum=MaskedSession.Status.values, required=False), PAGE_PARAM],
                   responses={200: SessionPageOutput, 403: ErrorSerializer},
                   operation_id="masking_sessions_list", tags=TAGS)
    def get(self, request):
        sessions = selectors.partner_sessions(partner=request.partner,
                                              status=request.query_params.get("status") or None)
        paginator = PageNumberPagination()
        page = paginator.paginate_queryset(sessions, request, view=self)
        return paginator.get_paginated_response(SessionOutput(page, many=True).data)

    @extend_schema(parameters=[PARTNER_HEADER_PARAM], request=Input,
                   responses={201: SessionOutput, 400: ErrorSerializer, 409: ErrorSerializer},
                   operation_id="masking_sessions_open", tags=TAGS)
    def post(self, request):
        data = self.Input(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        session = services.session_open(
            partner=request.partner, reference=values["reference"], mode=values["mode"],
            opens_at=values.get("opens_at"), expires_at=values["expires_at"], actor=request.user,
            consumer=services.Party(**values["consumer"]), business=services.Party(**values["business"]))
        return Response(SessionOutput(session).data, status=status.HTTP_201_CREATED)


class SessionDetailApi(_SessionApi):
    @extend_schema(parameters=[PARTNER_HEADER_PARAM], responses={200: SessionOutput, 404: ErrorSerializer},
                   operation_id="masking_sessions_retrieve", tags=TAGS)
    def get(self, request, session_id: int):
        return Response(SessionOutput(self.session(session_id)).data)


class SessionCloseApi(_SessionApi):
    """Close early (the order is delivered, the guest checked out). Closing twice is a no-op."""

    @extend_schema(parameters=[PARTNER_HEADER_PARAM], request=None,
                   responses={200: SessionOutput, 404: ErrorSerializer},
                   operation_id="masking_sessions_close", tags=TAGS)
    def post(self, request, session_id: int):
        session = services.session_complete(session=self.session(session_id), actor=request.user)
        return Response(SessionOutput(self.session(session.pk)).data)


class SessionTextApi(_SessionApi):
    """A status text straight to the consumer's real number, from the platform's sender."""

    class Input(InputSerializer):
        body = serializers.CharField(max_length=300)

    @extend_schema(parameters=[PARTNER_HEADER_PARAM], request=Input,
                   responses={202: InteractionOutput, 404: ErrorSerializer, 409: ErrorSerializer,
                              429: ErrorSerializer},
                   operation_id="masking_sessions_text", tags=TAGS)
    def post(self, request, session_id: int):
        data = self.Input(data=request.data)
        data.is_valid(raise_exception=True)
        text = services.status_text_send(session=self.session(session_id), body=data.validated_data["body"],
                                         actor=request.user)
        return Response(InteractionOutput(_fresh(text)).data, status=status.HTTP_202_ACCEPTED)


class SessionCallApi(_SessionApi):
    """Click-to-call: the platform rings the business, then bridges them to the consumer."""

    @extend_schema(parameters=[PARTNER_HEADER_PARAM], request=None,
                   responses={202: InteractionOutput, 404: ErrorSerializer, 409: ErrorSerializer,
                              429: ErrorSerializer},
                   operation_id="masking_sessions_call", tags=TAGS)
    def post(self, request, session_id: int):
        call = services.click_to_call_start(session=self.session(session_id), actor=request.user)
        return Response(InteractionOutput(_fresh(call)).data, status=status.HTTP_202_ACCEPTED)


def _fresh(interaction: Interaction) -> Interaction:
    # The task may already have run (eager in tests): report the outcome as it stands.
    return Interaction.objects.only("id", "kind", "outcome", "created_at").get(pk=interaction.pk)
