"""Consumer pages: my deposits, the exact terms, paying through the checkout, and the timeline that
says what every held won waits for. Pages load → guard → call a service → respond."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from masking.services import preference_get
from trustplatform.pages import page_action, refusal_shown
from trustplatform.payments.models import Payment
from trustplatform.payments.pages import (
    Checkout,
    checkout_page,
    checkout_payment,
    checkout_sent_mark,
    payment_in_flight,
)
from trustplatform.payments.providers import SandboxProvider
from trustplatform.payments.services import sandbox_checkout_pay

from .forms import AcceptForm, ClaimForm, PayForm
from .models import EscrowAgreement
from .pages import (
    agreement_page_context,
    dispute_answer_submit,
    dispute_submit,
    dispute_withdraw_submit,
    evidence_download,
    evidence_of,
    evidence_upload,
    step_confirmed,
)
from .selectors import agreements_for_user
from .services import agreements, disputes, payments, release
from .services.common import side_of

CLAIMABLE = {"funded", "disputed", "released", "resolved"}


# --- pages ----------------------------------------------------------------------------------------


def _shown_to_payers():
    # A draft is the partner's unfinished work; the payer first sees it once it is proposed.
    return EscrowAgreement.objects.select_related("payee").exclude(status=EscrowAgreement.Status.DRAFT)


def _mine(request, agreement_id: int) -> EscrowAgreement:
    # Scoped lookup: someone else's agreement is simply not found.
    return get_object_or_404(_shown_to_payers(), pk=agreement_id, payer=request.user)


def _detail(request, agreement: EscrowAgreement, *, forms: dict | None = None):
    context = agreement_page_context(
        request=request, agreement=agreement, side="payer", namespace="escrow", forms=forms
    )
    forms = forms or {}
    context["pay_form"] = forms.get("pay") or PayForm(
        initial={"use_safe_number": preference_get(user=request.user)}
    )
    if "claim" in forms:  # a refused claim is shown with its reason, whatever the agreement
        context["claim_form"] = forms["claim"]
    elif agreement.template == EscrowAgreement.Template.RENOVATION and agreement.status in CLAIMABLE:
        context["claim_form"] = ClaimForm()
    return render(request, "escrow/agreement_detail.html", context)


def _back(agreement: EscrowAgreement):
    return redirect("escrow:detail", agreement.pk)


@login_required
def agreement_list(request):
    return render(
        request,
        "escrow/agreement_list.html",
        {"agreements": agreements_for_user(user=request.user).exclude(status=EscrowAgreement.Status.DRAFT)},
    )


@login_required
def agreement_detail(request, agreement_id: int):
    agreement = _shown_to_payers().filter(pk=agreement_id).first()
    if agreement is not None and agreement.payer_id != request.user.pk:
        # Notifications link partners here too; their side of the agreement lives in the portal.
        if side_of(user=request.user, agreement=agreement) in ("payee", "broker"):
            return redirect("escrow_portal:detail", agreement.pk)
        agreement = None
    if agreement is None:
        raise Http404
    return _detail(request, agreement)


@login_required
@require_POST
def agreement_accept(request, agreement_id: int):
    agreement = _mine(request, agreement_id)
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


@login_required
@require_POST
def payment_start(request, agreement_id: int):
    agreement = _mine(request, agreement_id)
    form = PayForm(request.POST)
    if not form.is_valid():
        return _detail(request, agreement, forms={"pay": form})
    with refusal_shown(form=form):
        payment = payments.payment_start(
            agreement=agreement, actor=request.user, method=form.cleaned_data["method"],
            use_safe_number=form.cleaned_data["use_safe_number"],
        )
        return redirect("escrow:checkout", agreement.pk, payment.pk)
    return _detail(request, agreement, forms={"pay": form})


@login_required
def checkout(request, agreement_id: int, payment_id: int):
    """The sandbox PSP's checkout. Paying here makes the PSP send its signed webhook, as a real one would."""
    agreement = _mine(request, agreement_id)
    payment = checkout_payment(agreement.payments, payment_id)
    payable = payment.status == Payment.Status.PENDING and agreement.status == EscrowAgreement.Status.AGREED
    processing = payable and payment_in_flight(request, agreement.payments) is not None
    if request.method == "POST":
        if payable and not processing and payment.provider == SandboxProvider.name:
            sandbox_checkout_pay(payment=payment)
            checkout_sent_mark(request, payment)
            messages.info(
                request,
                _(
                    "Payment processing: the page shows the money as held once the "
                    "payment company confirms it."
                ),
            )
        return _back(agreement)
    return checkout_page(request, payment=payment, payable=payable, checkout=Checkout(
        merchant=_("Ansim escrow (held in trust)"),
        subject=agreement.title,
        back_url=reverse("escrow:detail", args=[agreement.pk]),
        back_label=_("Back to the agreement"),
        not_payable=_("This agreement cannot be paid now: it is %(state)s.")
        % {"state": agreement.get_status_display()},
        pay_by=agreement.fund_by,
        processing=processing,
    ))


@login_required
@require_POST
def condition_confirm(request, agreement_id: int, condition_id: int):
    agreement = _mine(request, agreement_id)
    condition = get_object_or_404(agreement.conditions, pk=condition_id)
    if step_confirmed(request):
        page_action(
            request,
            lambda: release.condition_confirm(condition=condition, actor=request.user),
            _("Confirmed: %(condition)s") % {"condition": condition.label},
        )
    return _back(agreement)


@login_required
@require_POST
def condition_evidence(request, agreement_id: int, condition_id: int):
    agreement = _mine(request, agreement_id)
    response = evidence_upload(request, agreement=agreement, condition_id=condition_id, render_detail=_detail)
    return response or _back(agreement)


@login_required
def evidence_file(request, agreement_id: int, evidence_id: int):
    return evidence_download(evidence_of(agreement=_mine(request, agreement_id), evidence_id=evidence_id))


@login_required
@require_POST
def milestone_approve(request, agreement_id: int, milestone_id: int):
    agreement = _mine(request, agreement_id)
    milestone = get_object_or_404(agreement.milestones, pk=milestone_id)
    if not step_confirmed(request):
        return _back(agreement)
    page_action(
        request,
        lambda: release.milestone_approve(milestone=milestone, actor=request.user),
        _("Approved: %(stage)s is paid to %(payee)s.")
        % {"stage": milestone.get_kind_display(), "payee": agreement.payee.name},
    )
    return _back(agreement)


@login_required
@require_POST
def milestone_send_back(request, agreement_id: int, milestone_id: int):
    agreement = _mine(request, agreement_id)
    milestone = get_object_or_404(agreement.milestones, pk=milestone_id)
    reason = request.POST.get("reason", "")[:500]
    page_action(
        request,
        lambda: release.milestone_send_back(milestone=milestone, actor=request.user, reason=reason),
        _("Sent back: %(stage)s stays held until the work is done.")
        % {"stage": milestone.get_kind_display()},
    )
    return _back(agreement)


@login_required
@require_POST
def dispute_open(request, agreement_id: int):
    agreement = _mine(request, agreement_id)
    return dispute_submit(request, agreement=agreement, render_detail=_detail) or _back(agreement)


@login_required
@require_POST
def dispute_withdraw(request, agreement_id: int, dispute_id: int):
    agreement = _mine(request, agreement_id)
    if step_confirmed(request):
        dispute_withdraw_submit(request, agreement=agreement, dispute_id=dispute_id)
    return _back(agreement)


@login_required
@require_POST
def dispute_answer(request, agreement_id: int, dispute_id: int):
    agreement = _mine(request, agreement_id)
    response = dispute_answer_submit(
        request, agreement=agreement, dispute_id=dispute_id, render_detail=_detail
    )
    return response or _back(agreement)


@login_required
@require_POST
def claim_file(request, agreement_id: int):
    agreement = _mine(request, agreement_id)
    form = ClaimForm(request.POST, request.FILES)
    if form.is_valid():
        data = form.cleaned_data
        with refusal_shown(form=form), transaction.atomic():
            claim = disputes.claim_file(
                agreement=agreement,
                actor=request.user,
                accident=data["accident"],
                description=data["description"],
                amount_krw=data["amount_krw"],
            )
            if data["file"]:
                release.evidence_add(actor=request.user, upload=data["file"], claim=claim)
            messages.success(request, _("Claim filed. Our staff will review it and tell you the outcome."))
            return _back(agreement)
    return _detail(request, agreement, forms={"claim": form})
