from axes.handlers.proxy import AxesProxyHandler
from django.contrib.auth import authenticate
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from trustplatform.api.serializers import ErrorSerializer, InputSerializer, OutputSerializer
from trustplatform.api.throttling import client_ip
from trustplatform.errors import DomainError

from . import services, tokens


class UserOutput(serializers.Serializer):
    id = serializers.IntegerField()
    email = serializers.EmailField()
    full_name = serializers.CharField()
    phone_hint = serializers.CharField(help_text="The mobile number, masked (010-****-5678).")
    phone_verified = serializers.BooleanField()


class TokenCreateApi(APIView):
    """Exchange email and password for an API token. Repeated failures lock the account out. Staff who
    can move money send the code their authenticator app shows too (403 second_factor_required
    without it): each exchange of theirs gives a new token, good for as long as a signed-in session."""

    permission_classes = [AllowAny]
    authentication_classes = []

    class Input(InputSerializer):
        email = serializers.EmailField()
        password = serializers.CharField(style={"input_type": "password"})
        second_factor_code = serializers.RegexField(
            r"^\d{6}$", required=False, default="",
            help_text="Staff who can move money: the six-digit code their authenticator app shows now.",
        )

    class Output(OutputSerializer):
        token = serializers.CharField()

    @extend_schema(request=Input, responses={200: Output, 400: ErrorSerializer, 403: ErrorSerializer,
                                             429: ErrorSerializer},
                   operation_id="auth_token_create", tags=["accounts"])
    def post(self, request):
        data = self.Input(data=request.data)
        data.is_valid(raise_exception=True)
        credentials = {"username": data.validated_data["email"]}
        if not AxesProxyHandler.is_allowed(request._request, credentials):
            raise DomainError("Too many failed logins: this account is locked for a while.",
                              code="locked_out", status=429)
        user = authenticate(request._request, username=data.validated_data["email"],
                            password=data.validated_data["password"])
        if user is None:
            raise DomainError("Email or password is not right.", code="invalid_credentials")
        token = tokens.token_issue(user=user, second_factor_code=data.validated_data["second_factor_code"])
        return Response(self.Output({"token": token.key}).data)


class MeApi(APIView):
    @extend_schema(responses={200: UserOutput}, operation_id="me_retrieve", tags=["accounts"])
    def get(self, request):
        user = request.user
        return Response(UserOutput({
            "id": user.pk, "email": user.email, "full_name": user.full_name,
            "phone_hint": user.phone_hint, "phone_verified": user.phone_verified,
        }).data)


class PhoneVerificationStartApi(APIView):
    """Text a verification code to a Korean mobile number (010). Limited per account, number, address and
    in all (429 too_many_codes). A number another account holds is answered like any other: the
    conflict (409 phone_taken) shows only when the code is confirmed."""

    class Input(InputSerializer):
        phone = serializers.CharField(max_length=20)

    @extend_schema(request=Input, responses={202: None, 400: ErrorSerializer, 429: ErrorSerializer},
                   operation_id="me_phone_start", tags=["accounts"])
    def post(self, request):
        data = self.Input(data=request.data)
        data.is_valid(raise_exception=True)
        services.phone_verification_start(user=request.user, phone=data.validated_data["phone"],
                                          client_ip=client_ip(request))
        return Response(status=status.HTTP_202_ACCEPTED)


class PhoneVerificationConfirmApi(APIView):
    class Input(InputSerializer):
        code = serializers.RegexField(r"^\d{6}$")

    @extend_schema(request=Input, responses={200: UserOutput, 400: ErrorSerializer, 409: ErrorSerializer},
                   operation_id="me_phone_confirm", tags=["accounts"])
    def post(self, request):
        data = self.Input(data=request.data)
        data.is_valid(raise_exception=True)
        user = services.phone_verification_confirm(user=request.user, code=data.validated_data["code"])
        return Response(UserOutput({
            "id": user.pk, "email": user.email, "full_name": user.full_name,
            "phone_hint": user.phone_hint, "phone_verified": user.phone_verified,
        }).data)
