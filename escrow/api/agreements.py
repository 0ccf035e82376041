"""Agreements: list, read, propose from a template, accept the exact terms, start the payment."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response

from escrow.models import Condition, EscrowAgreement
from escrow.services import agreements, contact, invitations, payments
from escrow.templates_catalog import default_conditions
from trustplatform.api.idempotency import idempotent
from trustplatform.api.pagination import PAGE_PARAM
from trustplatform.api.scoping import api_acting_partner
from trustplatform.api.serializers import ErrorSerializer, InputSerializer, WonField
from trustplatform.partners.api import PARTNER_HEADER_PARAM
from trustplatform.payments.models import Payment

from .common import TAGS, AgreementApi, post_schema, present, visible_agreements
from .outputs import EscrowAgreementOutput, EscrowAgreementPageOutput, EscrowPaymentOutput, _inline_choice


class EscrowAgreementListApi(AgreementApi):
    """The caller's agreements, newest first; and, for a partner, proposing a new one."""

    class Input(InputSerializer):
        template = serializers.ChoiceField(choices=EscrowAgreement.Template.choices)
        title = serializers.CharField(max_length=200)
        amount_krw = WonField(help_text="Whole won.")
        payer_email = serializers.EmailField(
            help_text="Who pays. Without an Ansim account yet, the address is sent an invitation and the "
            "agreement waits for the account that signs up with it; the answer is the same either way."
        )
        property_address = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
        move_in_date = serializers.DateField(
            required=False, help_text="Rental deposits: the date the money may be released from."
        )
        notes = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")

        def validate(self, attrs):
            if attrs["template"] == EscrowAgreement.Template.RENTAL_DEPOSIT and not attrs.get("move_in_date"):
                raise serializers.ValidationError({"move_in_date": [_("Required for a rental deposit.")]})
            return attrs

    @extend_schema(
        parameters=[
            PARTNER_HEADER_PARAM,
            OpenApiParameter("status", str, enum=EscrowAgreement.Status.values, required=False),
            PAGE_PARAM,
        ],
        responses={200: EscrowAgreementPageOutput, 400: ErrorSerializer, 404: ErrorSerializer},
        operation_id="escrow_agreements_list",
        tags=TAGS,
    )
    def get(self, request):
        queryset = visible_agreements(request)
        if request.query_params.get("status"):
            queryset = queryset.filter(status=request.query_params["status"])
        paginator = PageNumberPagination()
        page = paginator.paginate_queryset(queryset.order_by("-created_at", "-id"), request, view=self)
        page = [present(request, agreement) for agreement in page]
        return paginator.get_paginated_response(EscrowAgreementOutput(page, many=True).data)

    @post_schema("escrow_agreements_propose", request=Input, responses={201: EscrowAgreementOutput})
    @idempotent
    def post(self, request):
        partner = api_acting_partner(request)
        data = self.Input(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        if values["template"] == EscrowAgreement.Template.RENTAL_DEPOSIT:
            # The portal's rules: an address for the registry baseline, a move-in date still to come.
            agreements.rental_terms_check(property_address=values["property_address"],
                                          move_in_date=values.get("move_in_date"))
        conditions = default_conditions(values["template"])
        for condition in conditions:
            if condition["kind"] == Condition.Kind.DATE:
                condition["due_date"] = values.get("move_in_date")
        # Answered the same whether or not an account uses the address (services/invitations.py).
        agreement = invitations.agreement_offer(
            created_by=request.user,
            payee=partner,
            payer_email=values["payer_email"],
            template=values["template"],
            title=values["title"],
            amount_krw=values["amount_krw"],
            property_address=values["property_address"],
            conditions=conditions,
            notes=values["notes"],
        )
        return self.respond(agreement.pk, status.HTTP_201_CREATED)


class EscrowAgreementDetailApi(AgreementApi):
    @extend_schema(
        parameters=[PARTNER_HEADER_PARAM],
        responses={200: EscrowAgreementOutput, 404: ErrorSerializer},
        operation_id="escrow_agreements_retrieve",
        tags=TAGS,
    )
    def get(self, request, agreement_id: int):
        return self.respond(agreement_id)


class EscrowAgreementAcceptApi(AgreementApi):
    """Accept the exact terms read (their fingerprint); when both sides have, the terms freeze."""

    class Input(InputSerializer):
        terms_hash = serializers.RegexField(r"^[0-9a-f]{64}$", help_text="terms_hash of the agreement read.")

    @post_schema("escrow_agreements_accept", request=Input, responses={200: EscrowAgreementOutput})
    @idempotent
    def post(self, request, agreement_id: int):
        data = self.Input(data=request.data)
        data.is_valid(raise_exception=True)
        agreements.agreement_accept(
            agreement=self.agreement(agreement_id),
            actor=request.user,
            accepted_hash=data.validated_data["terms_hash"],
        )
        return self.respond(agreement_id)


class EscrowPaymentStartApi(AgreementApi):
    """The payer opens a checkout for the full amount; the provider's webhook confirms the payment."""

    class Input(InputSerializer):
        method = serializers.ChoiceField(choices=Payment.Method.choices)
        use_safe_number = serializers.BooleanField(
            required=False, allow_null=True, default=None,
            help_text="Once funded, the payee reaches you through a safe number (true) or at your own "
            "number (false). Default: your last answer (a safe number if never asked).",
        )

    class Output(EscrowPaymentOutput):
        # Inline: the payment's status enum keeps the one component name EscrowPaymentOutput gives it.
        status = _inline_choice(Payment.Status.choices)
        use_safe_number = serializers.BooleanField(help_text="The answer recorded for this agreement.")

    @post_schema("escrow_payments_start", request=Input, responses={201: Output})
    @idempotent
    def post(self, request, agreement_id: int):
        data = self.Input(data=request.data)
        data.is_valid(raise_exception=True)
        agreement = self.agreement(agreement_id)
        payment = payments.payment_start(
            agreement=agreement, actor=request.user, method=data.validated_data["method"],
            use_safe_number=data.validated_data["use_safe_number"],
        )
        payment.use_safe_number = contact.payer_uses_safe_number(agreement)
        return Response(self.Output(payment).data, status=status.HTTP_201_CREATED)
