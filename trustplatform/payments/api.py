"""The payments API: a consumer's credit (what it came from, the bank account it is paid to, withdrawing
it) and a partner's payouts (what it may be paid, its account, asking for a payout). Account numbers are
only ever shown masked; every answer is scoped to the caller or the partner it acts for."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from trustplatform.api.idempotency import IDEMPOTENCY_KEY_PARAM, idempotent
from trustplatform.api.scoping import PartnerScopedMixin
from trustplatform.api.serializers import ErrorSerializer, InputSerializer, OutputSerializer, WonField
from trustplatform.ledger.services import consumer_payable, partner_payable
from trustplatform.partners.api import PARTNER_HEADER_PARAM

from .banks import BANKS, bank_name
from .payouts import (
    credit_sources,
    credit_withdraw,
    current_payout_account,
    payout_account_register,
    payout_request,
)
from .selectors import partner_payouts, user_payouts

TAGS = ["payments"]
ERRORS = {400: ErrorSerializer, 403: ErrorSerializer, 404: ErrorSerializer, 409: ErrorSerializer,
          503: ErrorSerializer}


class PayoutAccountOutput(OutputSerializer):
    bank = serializers.CharField()
    bank_name = serializers.SerializerMethodField()
    number_hint = serializers.CharField(help_text="The account number, masked: only its last four digits.")
    holder = serializers.CharField()
    verified_at = serializers.DateTimeField()
    payouts_from = serializers.DateTimeField(
        help_text="Payouts wait until then after the account was changed (every owner is told).")

    def get_bank_name(self, account) -> str:
        return bank_name(account.bank)


class PayoutOutput(OutputSerializer):
    id = serializers.IntegerField()
    amount_krw = serializers.IntegerField()
    status = serializers.CharField()
    failure = serializers.CharField(help_text="The bank's answer when the payout bounced.")
    account = PayoutAccountOutput(allow_null=True)
    created_at = serializers.DateTimeField()
    settled_at = serializers.DateTimeField(allow_null=True)


class RefundOutput(OutputSerializer):
    id = serializers.IntegerField()
    amount_krw = serializers.IntegerField()
    status = serializers.CharField()


class CreditSourceOutput(OutputSerializer):
    at = serializers.DateTimeField()
    amount_krw = serializers.IntegerField()
    what = serializers.CharField()


class AccountInput(InputSerializer):
    bank = serializers.ChoiceField(choices=list(BANKS), help_text="The bank's code, as PortOne names it.")
    number = serializers.CharField(max_length=30, help_text="Digits; dashes and spaces are ignored.")
    holder = serializers.CharField(max_length=40, help_text="The name on the account, as the bank has it.")


class AmountInput(InputSerializer):
    amount_krw = WonField(help_text="Whole won.")


class CreditApi(APIView):
    """The caller's credit: what is available, where each amount came from, the account it is paid to
    and the payouts so far."""

    permission_classes = [IsAuthenticated]

    class Output(OutputSerializer):
        available_krw = serializers.IntegerField()
        sources = CreditSourceOutput(many=True)
        account = PayoutAccountOutput(allow_null=True)
        payouts = PayoutOutput(many=True)

    @extend_schema(operation_id="payments_credit", tags=TAGS, responses={200: Output, **ERRORS})
    def get(self, request):
        user = request.user
        return Response(self.Output({
            "available_krw": consumer_payable(user).available_krw,
            "sources": credit_sources(user=user)[:100],
            "account": current_payout_account(user=user),
            "payouts": user_payouts(user).select_related("account")[:100],
        }).data)


class CreditAccountApi(APIView):
    """Register the bank account the caller's credit is paid to: the bank is asked who holds it, and it
    must be the caller (mobile number verified first). A changed account holds payouts for a while."""

    permission_classes = [IsAuthenticated]

    @extend_schema(operation_id="payments_credit_account", tags=TAGS, request=AccountInput,
                   parameters=[IDEMPOTENCY_KEY_PARAM], responses={201: PayoutAccountOutput, **ERRORS})
    @idempotent
    def post(self, request):
        data = AccountInput(data=request.data)
        data.is_valid(raise_exception=True)
        account = payout_account_register(actor=request.user, **data.validated_data)
        return Response(PayoutAccountOutput(account).data, status=status.HTTP_201_CREATED)


class CreditWithdrawApi(APIView):
    """Take `amount_krw` of the credit out: back to the card it was about first while that payment can
    still be cancelled, the rest to the verified bank account."""

    permission_classes = [IsAuthenticated]

    class Output(OutputSerializer):
        refunds = RefundOutput(many=True)
        payout = PayoutOutput(allow_null=True)

    @extend_schema(operation_id="payments_credit_withdraw", tags=TAGS, request=AmountInput,
                   parameters=[IDEMPOTENCY_KEY_PARAM], responses={201: Output, **ERRORS})
    @idempotent
    def post(self, request):
        data = AmountInput(data=request.data)
        data.is_valid(raise_exception=True)
        done = credit_withdraw(user=request.user, amount_krw=data.validated_data["amount_krw"])
        return Response(self.Output(done).data, status=status.HTTP_201_CREATED)


class PartnerPayoutsApi(PartnerScopedMixin, APIView):
    """The acting partner's money: what it may be paid out, its account and its payouts; and asking for
    a payout (owners and managers), sent to the verified account."""

    permission_classes = [IsAuthenticated]

    class Output(OutputSerializer):
        available_krw = serializers.IntegerField()
        account = PayoutAccountOutput(allow_null=True)
        payouts = PayoutOutput(many=True)

    @extend_schema(operation_id="payments_partner_payouts", tags=TAGS, parameters=[PARTNER_HEADER_PARAM],
                   responses={200: Output, **ERRORS})
    def get(self, request):
        partner = request.partner
        return Response(self.Output({
            "available_krw": partner_payable(partner).available_krw,
            "account": current_payout_account(partner=partner),
            "payouts": partner_payouts(partner).select_related("account")[:100],
        }).data)

    @extend_schema(operation_id="payments_partner_payout_request", tags=TAGS, request=AmountInput,
                   parameters=[PARTNER_HEADER_PARAM, IDEMPOTENCY_KEY_PARAM],
                   responses={201: PayoutOutput, **ERRORS})
    @idempotent
    def post(self, request):
        data = AmountInput(data=request.data)
        data.is_valid(raise_exception=True)
        payout = payout_request(partner=request.partner, actor=request.user,
                                amount_krw=data.validated_data["amount_krw"])
        return Response(PayoutOutput(payout).data, status=status.HTTP_201_CREATED)


class PartnerPayoutAccountApi(PartnerScopedMixin, APIView):
    """The acting partner's payout account, registered by an owner: the bank's holder must be the business
    (or the individual landlord's verified name). Changing it holds payouts and tells every owner."""

    permission_classes = [IsAuthenticated]

    @extend_schema(operation_id="payments_partner_payout_account", tags=TAGS, request=AccountInput,
                   parameters=[PARTNER_HEADER_PARAM, IDEMPOTENCY_KEY_PARAM],
                   responses={201: PayoutAccountOutput, **ERRORS})
    @idempotent
    def post(self, request):
        data = AccountInput(data=request.data)
        data.is_valid(raise_exception=True)
        account = payout_account_register(partner=request.partner, actor=request.user, **data.validated_data)
        return Response(PayoutAccountOutput(account).data, status=status.HTTP_201_CREATED)
