"""What the parties do on an agreement: confirm, upload evidence, milestones, disputes, claims."""

from django.shortcuts import get_object_or_404
from rest_framework import serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from escrow.models import Condition, Dispute, GuaranteeClaim, Milestone
from escrow.services import disputes, release
from trustplatform.api.idempotency import idempotent
from trustplatform.api.serializers import InputSerializer, WonField

from .common import AgreementApi, post_schema
from .outputs import (
    EscrowClaimOutput,
    EscrowConditionOutput,
    EscrowDisputeOutput,
    EscrowEvidenceInput,
    EscrowEvidenceOutput,
    EscrowMilestoneOutput,
)

# --- conditions and evidence -----------------------------------------------------------------


class EscrowConditionConfirmApi(AgreementApi):
    """The named side confirms a counterparty condition (e.g. the tenant: keys handed over)."""

    @post_schema("escrow_conditions_confirm", request=None, responses={200: EscrowConditionOutput})
    @idempotent
    def post(self, request, agreement_id: int, condition_id: int):
        condition = get_object_or_404(Condition, pk=condition_id, agreement=self.agreement(agreement_id))
        release.condition_confirm(condition=condition, actor=request.user)
        condition = Condition.objects.prefetch_related("evidence").get(pk=condition.pk)
        return Response(EscrowConditionOutput(condition).data)


class EscrowConditionEvidenceApi(AgreementApi):
    """Upload a file backing a condition (multipart); its SHA-256 is recorded."""

    parser_classes = [MultiPartParser]

    @post_schema(
        "escrow_conditions_evidence_upload",
        request={"multipart/form-data": EscrowEvidenceInput},
        responses={201: EscrowEvidenceOutput},
    )
    @idempotent
    def post(self, request, agreement_id: int, condition_id: int):
        condition = get_object_or_404(Condition, pk=condition_id, agreement=self.agreement(agreement_id))
        data = EscrowEvidenceInput(data=request.data)
        data.is_valid(raise_exception=True)
        evidence = release.evidence_add(
            actor=request.user,
            upload=data.validated_data["file"],
            condition=condition,
            description=data.validated_data["description"],
        )
        return Response(EscrowEvidenceOutput(evidence).data, status=status.HTTP_201_CREATED)


# --- milestones ------------------------------------------------------------------------------


class EscrowMilestoneSubmitApi(AgreementApi):
    """The contractor reports a stage done; the payer has the inspection window to answer."""

    @post_schema("escrow_milestones_submit", request=None, responses={200: EscrowMilestoneOutput})
    @idempotent
    def post(self, request, agreement_id: int, milestone_id: int):
        milestone = get_object_or_404(Milestone, pk=milestone_id, agreement=self.agreement(agreement_id))
        milestone = release.milestone_submit(milestone=milestone, actor=request.user)
        return Response(EscrowMilestoneOutput(milestone).data)


class EscrowMilestoneApproveApi(AgreementApi):
    """The payer approves a stage; its money is released at once (the retention after the warranty)."""

    @post_schema("escrow_milestones_approve", request=None, responses={200: EscrowMilestoneOutput})
    @idempotent
    def post(self, request, agreement_id: int, milestone_id: int):
        milestone = get_object_or_404(Milestone, pk=milestone_id, agreement=self.agreement(agreement_id))
        release.milestone_approve(milestone=milestone, actor=request.user)
        return Response(EscrowMilestoneOutput(Milestone.objects.get(pk=milestone.pk)).data)


# --- disputes and claims ---------------------------------------------------------------------


class EscrowDisputeOpenApi(AgreementApi):
    """Either party opens a dispute; the money freezes until an agent decides."""

    class Input(InputSerializer):
        reasons = serializers.CharField(max_length=5000)

    @post_schema("escrow_disputes_open", request=Input, responses={201: EscrowDisputeOutput})
    @idempotent
    def post(self, request, agreement_id: int):
        data = self.Input(data=request.data)
        data.is_valid(raise_exception=True)
        dispute = disputes.dispute_open(
            agreement=self.agreement(agreement_id), actor=request.user, reasons=data.validated_data["reasons"]
        )
        dispute = Dispute.objects.prefetch_related("evidence").get(pk=dispute.pk)
        return Response(EscrowDisputeOutput(dispute).data, status=status.HTTP_201_CREATED)


class EscrowDisputeEvidenceApi(AgreementApi):
    """Upload a file backing a dispute (multipart); its SHA-256 is recorded."""

    parser_classes = [MultiPartParser]

    @post_schema(
        "escrow_disputes_evidence_upload",
        request={"multipart/form-data": EscrowEvidenceInput},
        responses={201: EscrowEvidenceOutput},
    )
    @idempotent
    def post(self, request, agreement_id: int, dispute_id: int):
        dispute = get_object_or_404(Dispute, pk=dispute_id, agreement=self.agreement(agreement_id))
        data = EscrowEvidenceInput(data=request.data)
        data.is_valid(raise_exception=True)
        evidence = release.evidence_add(
            actor=request.user,
            upload=data.validated_data["file"],
            dispute=dispute,
            description=data.validated_data["description"],
        )
        return Response(EscrowEvidenceOutput(evidence).data, status=status.HTTP_201_CREATED)


class EscrowDisputeWithdrawApi(AgreementApi):
    """Whoever opened an undecided dispute withdraws it; the money is held under the conditions again."""

    @post_schema("escrow_disputes_withdraw", request=None, responses={200: EscrowDisputeOutput})
    @idempotent
    def post(self, request, agreement_id: int, dispute_id: int):
        dispute = get_object_or_404(Dispute, pk=dispute_id, agreement=self.agreement(agreement_id))
        dispute = disputes.dispute_withdraw(dispute=dispute, actor=request.user)
        dispute = Dispute.objects.prefetch_related("evidence").get(pk=dispute.pk)
        return Response(EscrowDisputeOutput(dispute).data)


class EscrowClaimFileApi(AgreementApi):
    """The renovation customer claims one of the three core accidents from the guarantee."""

    class Input(InputSerializer):
        accident = serializers.ChoiceField(choices=GuaranteeClaim.Accident.choices)
        description = serializers.CharField(max_length=5000)
        amount_krw = WonField(help_text="Whole won asked for.")

    @post_schema("escrow_claims_file", request=Input, responses={201: EscrowClaimOutput})
    @idempotent
    def post(self, request, agreement_id: int):
        data = self.Input(data=request.data)
        data.is_valid(raise_exception=True)
        claim = disputes.claim_file(
            agreement=self.agreement(agreement_id), actor=request.user, **data.validated_data
        )
        return Response(EscrowClaimOutput(claim).data, status=status.HTTP_201_CREATED)
