"""What the escrow API answers (and the one multipart input), shared by its views."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from escrow.models import Condition, Dispute, EscrowAgreement, GuaranteeClaim, Milestone
from trustplatform.api.serializers import InputSerializer, OutputSerializer
from trustplatform.payments.models import Payment, Payout


def _inline_choice(choices, **kwargs) -> serializers.CharField:
    """A choice shown as an inline enum: another app's `kind` enum keeps its plain component name."""
    field = serializers.CharField(**kwargs)
    return extend_schema_field({"type": "string", "enum": [value for value, _label in choices]})(field)


class EscrowHeldAmountOutput(OutputSerializer):
    label = serializers.CharField()
    amount_krw = serializers.IntegerField()
    waits_for = serializers.ListField(child=serializers.CharField(), help_text="What releases it.")
    next_step = serializers.CharField(help_text="What happens to it then.")


class EscrowEvidenceOutput(OutputSerializer):
    id = serializers.IntegerField()
    original_name = serializers.CharField()
    sha256 = serializers.CharField(help_text="SHA-256 of the file as received: proof it was not swapped.")
    size_bytes = serializers.IntegerField()
    description = serializers.CharField()
    uploaded_at = serializers.DateTimeField()


class EscrowConditionOutput(OutputSerializer):
    id = serializers.IntegerField()
    kind = _inline_choice(Condition.Kind.choices)
    label = serializers.CharField()
    confirmer = serializers.CharField(help_text="For counterparty conditions: payer or payee.")
    due_date = serializers.DateField(allow_null=True)
    milestone = serializers.IntegerField(source="milestone_id", allow_null=True)
    status = serializers.ChoiceField(choices=Condition.Status.choices)
    note = serializers.CharField()
    decided_at = serializers.DateTimeField(allow_null=True)
    evidence = EscrowEvidenceOutput(source="evidence.all", many=True)


class EscrowMilestoneOutput(OutputSerializer):
    id = serializers.IntegerField()
    sequence = serializers.IntegerField()
    kind = _inline_choice(Milestone.Kind.choices)
    amount_krw = serializers.IntegerField()
    status = serializers.ChoiceField(choices=Milestone.Status.choices)
    submitted_at = serializers.DateTimeField(allow_null=True)
    approve_by = serializers.DateTimeField(allow_null=True, help_text="Approved automatically then.")
    approved_at = serializers.DateTimeField(allow_null=True)
    auto_approved = serializers.BooleanField()
    release_after = serializers.DateTimeField(allow_null=True, help_text="Retention: held until then.")
    released_at = serializers.DateTimeField(allow_null=True)


class EscrowPaymentOutput(OutputSerializer):
    id = serializers.IntegerField()
    method = serializers.ChoiceField(choices=Payment.Method.choices)
    amount_krw = serializers.IntegerField()
    status = serializers.ChoiceField(choices=Payment.Status.choices)
    provider = serializers.CharField()
    provider_payment_id = serializers.CharField(help_text="The id to pay at the provider's checkout.")
    virtual_account = serializers.CharField(help_text="For virtual-account payments: where to transfer.")
    created_at = serializers.DateTimeField()
    paid_at = serializers.DateTimeField(allow_null=True)


class EscrowDisputeOutput(OutputSerializer):
    id = serializers.IntegerField()
    status = serializers.ChoiceField(choices=Dispute.Status.choices)
    reasons = serializers.CharField()
    outcome = serializers.CharField(help_text="release, refund or split once decided.")
    payee_amount_krw = serializers.IntegerField()
    payer_amount_krw = serializers.IntegerField()
    decision_note = serializers.CharField()
    opened_at = serializers.DateTimeField()
    decided_at = serializers.DateTimeField(allow_null=True)
    executed_at = serializers.DateTimeField(allow_null=True)
    evidence = EscrowEvidenceOutput(source="evidence.all", many=True)


class EscrowClaimOutput(OutputSerializer):
    id = serializers.IntegerField()
    accident = serializers.ChoiceField(choices=GuaranteeClaim.Accident.choices)
    description = serializers.CharField()
    status = serializers.ChoiceField(choices=GuaranteeClaim.Status.choices)
    amount_requested_krw = serializers.IntegerField()
    amount_approved_krw = serializers.IntegerField()
    pay_to = serializers.ChoiceField(choices=GuaranteeClaim.PayTo.choices)
    filed_at = serializers.DateTimeField()
    decided_at = serializers.DateTimeField(allow_null=True)


class EscrowPayeeOutput(OutputSerializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class EscrowContactOutput(OutputSerializer):
    use_safe_number = serializers.BooleanField(
        help_text="false: the payer chose to give the payee their own number instead of a safe number."
    )
    number = serializers.CharField(
        help_text="What your side dials to reach the other: a safe number, or for the payee the payer's own "
        "number when they declined one. Blank until the safe number is ready."
    )


class EscrowAgreementOutput(OutputSerializer):
    id = serializers.IntegerField()
    template = serializers.ChoiceField(choices=EscrowAgreement.Template.choices)
    title = serializers.CharField()
    status = serializers.ChoiceField(choices=EscrowAgreement.Status.choices)
    amount_krw = serializers.IntegerField()
    your_side = serializers.ChoiceField(
        choices=["payer", "payee", "broker"],
        help_text="broker: the brokerage that arranged the deal; confirms its conditions, is never paid.",
    )
    payer_name = serializers.SerializerMethodField(
        help_text="Blank for the business until the payer accepted the terms (payer_email says whom it "
        "proposed them to)."
    )
    payer_email = serializers.EmailField(
        allow_blank=True, help_text="The address the business proposed the agreement to; blank when the "
        "payer started it."
    )
    payee = EscrowPayeeOutput(help_text="The only party any release pays.")
    broker = EscrowPayeeOutput(allow_null=True, help_text="The brokerage (중개) that arranged the deal.")
    property_address = serializers.CharField()
    notes = serializers.CharField(source="terms.notes", default="")
    terms_hash = serializers.CharField(help_text="Send it back to accept exactly these terms.")
    accepted_by_payer = serializers.SerializerMethodField()
    accepted_by_payee = serializers.SerializerMethodField()
    held = EscrowHeldAmountOutput(
        source="held_amounts", many=True, help_text="Every amount still held, what it waits for, and why."
    )
    conditions = EscrowConditionOutput(source="conditions.all", many=True)
    milestones = EscrowMilestoneOutput(source="milestones.all", many=True)
    payments = EscrowPaymentOutput(source="payments.all", many=True)
    disputes = EscrowDisputeOutput(source="disputes.all", many=True)
    claims = EscrowClaimOutput(source="claims.all", many=True)
    created_at = serializers.DateTimeField()
    proposed_at = serializers.DateTimeField(allow_null=True)
    fund_by = serializers.DateTimeField(allow_null=True, help_text="Expires unless funded by then.")
    agreed_at = serializers.DateTimeField(allow_null=True)
    funded_at = serializers.DateTimeField(allow_null=True)
    closed_at = serializers.DateTimeField(allow_null=True)
    contact = EscrowContactOutput(
        allow_null=True, default=None, help_text="How payer and payee reach each other while the deal runs."
    )

    @extend_schema_field(OpenApiTypes.STR)
    def get_payer_name(self, agreement) -> str:
        if agreement.payer_known or (agreement.payer_id and getattr(agreement, "your_side", "") == "payer"):
            return agreement.payer.full_name
        return ""

    @extend_schema_field(OpenApiTypes.BOOL)
    def get_accepted_by_payer(self, agreement) -> bool:
        return bool(agreement.terms_hash) and agreement.payer_accepted_hash == agreement.terms_hash

    @extend_schema_field(OpenApiTypes.BOOL)
    def get_accepted_by_payee(self, agreement) -> bool:
        return bool(agreement.terms_hash) and agreement.payee_accepted_hash == agreement.terms_hash


class EscrowAgreementPageOutput(OutputSerializer):
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = EscrowAgreementOutput(many=True)


class EscrowPayoutOutput(OutputSerializer):
    id = serializers.IntegerField()
    amount_krw = serializers.IntegerField()
    status = serializers.ChoiceField(choices=Payout.Status.choices)
    provider_payout_id = serializers.CharField()
    created_at = serializers.DateTimeField()
    settled_at = serializers.DateTimeField(allow_null=True)


class EscrowPayoutPageOutput(OutputSerializer):
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = EscrowPayoutOutput(many=True)


class EscrowEvidenceInput(InputSerializer):
    file = serializers.FileField(
        help_text="A PDF, JPEG or PNG, checked as a whole file; its SHA-256 is recorded. Kept private: "
        "only the agreement's parties and staff can download it."
    )
    description = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
