from django.urls import path

from trustplatform.payments import portal as payments_portal

from . import portal

app_name = "escrow_portal"
urlpatterns = [
    path("", portal.agreement_list, name="list"),
    path("new/", portal.agreement_propose, name="propose"),
    # The partner money page lives in the payments module; the old address keeps working.
    path("payouts/", payments_portal.payout_list, name="payouts"),
    path("<int:agreement_id>/", portal.agreement_detail, name="detail"),
    path("<int:agreement_id>/accept/", portal.agreement_accept, name="accept"),
    path(
        "<int:agreement_id>/conditions/<int:condition_id>/confirm/",
        portal.condition_confirm,
        name="condition_confirm",
    ),
    path(
        "<int:agreement_id>/conditions/<int:condition_id>/evidence/",
        portal.condition_evidence,
        name="condition_evidence",
    ),
    path("<int:agreement_id>/evidence/<int:evidence_id>/", portal.evidence_file, name="evidence_file"),
    path(
        "<int:agreement_id>/milestones/<int:milestone_id>/submit/",
        portal.milestone_submit,
        name="milestone_submit",
    ),
    path("<int:agreement_id>/dispute/", portal.dispute_open, name="dispute_open"),
    path("<int:agreement_id>/disputes/<int:dispute_id>/withdraw/", portal.dispute_withdraw,
         name="dispute_withdraw"),
    path("<int:agreement_id>/disputes/<int:dispute_id>/answer/", portal.dispute_answer,
         name="dispute_answer"),
]
