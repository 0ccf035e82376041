"""Owner-portal pages: propose agreements from templates, follow funding and conditions, add
evidence, report milestones done, and pay out. Every page acts for `request.partner` only."""

from django.contrib import messages
from django.db import transaction
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from trustplatform.pages import page_action, refusal_shown
from trustplatform.partners.portal import portal_view

from . import pages
from .forms import AcceptForm, ProposeForm
from .models import Condition, EscrowAgreement
from .selectors import agreements_for_partner
from .services import agreements, invitations, release
from .templates_catalog import default_conditions


def _ours(request, agreement_id: int) -> EscrowAgreement:
    # Scoped lookup: an agreement the partner is neither paid by nor brokered is simply not found.
    return get_object_or_404(
        EscrowAgreement.objects.select_related("payer", "payee", "broker"),
        Q(payee=request.partner) | Q(broker=request.partner),
        pk=agreement_id,
    )


def _side(request, agreement: EscrowAgreement) -> str:
    return "payee" if agreement.payee_id == request.partner.pk else "broker"


def _detail(request, agreement: EscrowAgreement, *, forms: dict | None = None):
    context = pages.agreement_page_context(
        request=request, agreement=agreement, side=_side(request, agreement), namespace="escrow_portal",
        forms=forms,
    )
    return render(request, "escrow/portal_detail.html", context)


def _back(agreement: EscrowAgreement):
    return redirect("escrow_portal:detail", agreement.pk)


def _conditions_for(template: str, *, move_in_date) -> list[dict]:
    """The template's conditions with the move-in date filled in; a custom deal waits for the payer."""
    conditions = default_conditions(template)
    for condition in conditions:
        if condition["kind"] == Condition.Kind.DATE:
            condition["due_date"] = move_in_date
    if template == EscrowAgreement.Template.CUSTOM:
        # With no condition at all the money would be released the moment it arrives.
        conditions = [
            {
                "kind": Condition.Kind.COUNTERPARTY,
                "confirmer": "payer",
                "label": _("The payer confirms they received what was agreed"),
            }
        ]
    return conditions


@portal_view
def agreement_list(request):
    return render(
        request, "escrow/portal_list.html", {"agreements": agreements_for_partner(partner=request.partner)}
    )


@portal_view
def agreement_propose(request):
    form = ProposeForm(request.POST or None, partner=request.partner)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with refusal_shown(form=form), transaction.atomic():  # a refused proposal leaves no draft behind
            # The same page follows whether or not an account uses the address (services/invitations.py).
            agreement = invitations.agreement_offer(
                created_by=request.user,
                payee=request.partner,
                payer_email=data["payer_email"],
                template=data["template"],
                title=data["title"],
                amount_krw=data["amount_krw"],
                property_address=data["property_address"],
                notes=data["notes"],
                conditions=_conditions_for(data["template"], move_in_date=data["move_in_date"]),
            )
            messages.success(
                request,
                _("Proposed to %(email)s. They can read and accept the terms with their Ansim account.")
                % {"email": agreement.payer_email},
            )
            return _back(agreement)
    return render(request, "escrow/portal_propose.html", {"form": form})


@portal_view
def agreement_detail(request, agreement_id: int):
    return _detail(request, _ours(request, agreement_id))


@portal_view
@require_POST
def agreement_accept(request, agreement_id: int):
    """The payee accepts terms the payer proposed (a deposit a tenant started from a listing)."""
    agreement = _ours(request, agreement_id)
    form = AcceptForm(request.POST)
    if not form.is_valid():
        unconfirmed = list(form.errors) == ["confirmed"]  # the terms were right, the "yes" missing
        error = form.errors["confirmed"][0] if unconfirmed else _("Read the terms and accept them again.")
        return _detail(request, agreement, forms={"accept_error": error})
    with refusal_shown(form=form) as accept:
        agreements.agreement_accept(
            agreement=agreement, actor=request.user, accepted_hash=form.cleaned_data["terms_hash"]
        )
        messages.success(request, _("You accepted these exact terms."))
        return _back(agreement)
    agreement.refresh_from_db()
    return _detail(request, agreement, forms={"accept_error": accept.error.detail})


@portal_view
@require_POST
def condition_confirm(request, agreement_id: int, condition_id: int):
    agreement = _ours(request, agreement_id)
    condition = get_object_or_404(agreement.conditions, pk=condition_id)
    if pages.step_confirmed(request):
        page_action(
            request,
            lambda: release.condition_confirm(condition=condition, actor=request.user),
            _("Confirmed: %(condition)s") % {"condition": condition.label},
        )
    return _back(agreement)


@portal_view
@require_POST
def condition_evidence(request, agreement_id: int, condition_id: int):
    agreement = _ours(request, agreement_id)
    response = pages.evidence_upload(
        request, agreement=agreement, condition_id=condition_id, render_detail=_detail
    )
    return response or _back(agreement)


@portal_view
def evidence_file(request, agreement_id: int, evidence_id: int):
    agreement = _ours(request, agreement_id)
    return pages.evidence_download(pages.evidence_of(agreement=agreement, evidence_id=evidence_id))


@portal_view
@require_POST
def milestone_submit(request, agreement_id: int, milestone_id: int):
    agreement = _ours(request, agreement_id)
    milestone = get_object_or_404(agreement.milestones, pk=milestone_id)
    page_action(
        request,
        lambda: release.milestone_submit(milestone=milestone, actor=request.user),
        _("%(stage)s reported done. %(payer)s has been asked to approve it.")
        % {"stage": milestone.get_kind_display(), "payer": agreement.payer_shown},
    )
    return _back(agreement)


@portal_view
@require_POST
def dispute_open(request, agreement_id: int):
    agreement = _ours(request, agreement_id)
    return pages.dispute_submit(request, agreement=agreement, render_detail=_detail) or _back(agreement)


@portal_view
@require_POST
def dispute_withdraw(request, agreement_id: int, dispute_id: int):
    agreement = _ours(request, agreement_id)
    if pages.step_confirmed(request):
        pages.dispute_withdraw_submit(request, agreement=agreement, dispute_id=dispute_id)
    return _back(agreement)


@portal_view
@require_POST
def dispute_answer(request, agreement_id: int, dispute_id: int):
    """The landlord's or contractor's answer to a dispute the payer opened (scoped to the partner; the
    service checks the member's role)."""
    agreement = _ours(request, agreement_id)
    response = pages.dispute_answer_submit(
        request, agreement=agreement, dispute_id=dispute_id, render_detail=_detail
    )
    return response or _back(agreement)
