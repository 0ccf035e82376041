from django.urls import path

from . import api

app_name = "escrow_api"
urlpatterns = [
    path("agreements/", api.EscrowAgreementListApi.as_view(), name="agreements"),
    path("agreements/<int:agreement_id>/", api.EscrowAgreementDetailApi.as_view(), name="agreement"),
    path("agreements/<int:agreement_id>/accept/", api.EscrowAgreementAcceptApi.as_view(), name="accept"),
    path("agreements/<int:agreement_id>/payments/", api.EscrowPaymentStartApi.as_view(), name="payments"),
    path(
        "agreements/<int:agreement_id>/conditions/<int:condition_id>/confirm/",
        api.EscrowConditionConfirmApi.as_view(),
        name="condition_confirm",
    ),
    path(
        "agreements/<int:agreement_id>/conditions/<int:condition_id>/evidence/",
        api.EscrowConditionEvidenceApi.as_view(),
        name="condition_evidence",
    ),
    path(
        "agreements/<int:agreement_id>/milestones/<int:milestone_id>/submit/",
        api.EscrowMilestoneSubmitApi.as_view(),
        name="milestone_submit",
    ),
    path(
        "agreements/<int:agreement_id>/milestones/<int:milestone_id>/approve/",
        api.EscrowMilestoneApproveApi.as_view(),
        name="milestone_approve",
    ),
    path("agreements/<int:agreement_id>/disputes/", api.EscrowDisputeOpenApi.as_view(), name="disputes"),
    path(
        "agreements/<int:agreement_id>/disputes/<int:dispute_id>/evidence/",
        api.EscrowDisputeEvidenceApi.as_view(),
        name="dispute_evidence",
    ),
    path(
        "agreements/<int:agreement_id>/disputes/<int:dispute_id>/withdraw/",
        api.EscrowDisputeWithdrawApi.as_view(),
        name="dispute_withdraw",
    ),
    path("agreements/<int:agreement_id>/claims/", api.EscrowClaimFileApi.as_view(), name="claims"),
    path("payouts/", api.EscrowPayoutListApi.as_view(), name="payouts"),
]
