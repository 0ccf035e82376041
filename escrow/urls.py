from django.urls import path

from . import views

app_name = "escrow"
urlpatterns = [
    path("", views.agreement_list, name="list"),
    path("<int:agreement_id>/", views.agreement_detail, name="detail"),
    path("<int:agreement_id>/accept/", views.agreement_accept, name="accept"),
    path("<int:agreement_id>/pay/", views.payment_start, name="pay"),
    path("<int:agreement_id>/checkout/<int:payment_id>/", views.checkout, name="checkout"),
    path(
        "<int:agreement_id>/conditions/<int:condition_id>/confirm/",
        views.condition_confirm,
        name="condition_confirm",
    ),
    path(
        "<int:agreement_id>/conditions/<int:condition_id>/evidence/",
        views.condition_evidence,
        name="condition_evidence",
    ),
    path("<int:agreement_id>/evidence/<int:evidence_id>/", views.evidence_file, name="evidence_file"),
    path(
        "<int:agreement_id>/milestones/<int:milestone_id>/approve/",
        views.milestone_approve,
        name="milestone_approve",
    ),
    path(
        "<int:agreement_id>/milestones/<int:milestone_id>/send-back/",
        views.milestone_send_back,
        name="milestone_send_back",
    ),
    path("<int:agreement_id>/dispute/", views.dispute_open, name="dispute_open"),
    path("<int:agreement_id>/disputes/<int:dispute_id>/withdraw/", views.dispute_withdraw,
         name="dispute_withdraw"),
    path("<int:agreement_id>/disputes/<int:dispute_id>/answer/", views.dispute_answer,
         name="dispute_answer"),
    path("<int:agreement_id>/claim/", views.claim_file, name="claim_file"),
]
