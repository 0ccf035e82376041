"""Consumer pages: my deposits, the exact terms, paying through the checkout, and the timeline that
says what every held won waits for. Pages load → guard → call a service → respond."""

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.db.models import Q
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from trustplatform.errors import DomainError

from .forms import AcceptForm, ClaimForm, DisputeForm, EvidenceForm, PayForm
from .models import Condition, EscrowAgreement, Evidence, LedgerAccount, Milestone, Payment
from .providers.payments import SandboxProvider
from .selectors import agreement_held_amounts, agreement_money_history, agreements_for_user
from .services import agreements, disputes, payments, release
from .services.common import side_of
from .tasks import sandbox_webhook_deliver

# Payments the payer sent from the sandbox checkout, so the page can say "processing" until the webhook.
CHECKOUT_SESSION_KEY = "escrow_checkout_sent"
EVIDENCE_OPEN = {"proposed", "agreed", "funded", "disputed"}
CLAIMABLE = {"funded", "disputed", "released", "resolved"}


@dataclass(frozen=True)
class Movement:
    kind: str  # funding | release | fee | refund | other
    text: str
    amount_krw: int
    at: datetime


def money_movements(*, agreement: EscrowAgreement) -> list[Movement]:
    """The agreement's transfers told in the words of its parties rather than account codes."""
    holding = agreement.holding_code
    rows = []
    for transfer in agreement_money_history(agreement=agreement):
        debit, credit = transfer.debit_account, transfer.credit_account
        if credit.code == holding:
            kind, text = "funding", _("Payment received and held in trust")
        elif debit.code == holding and credit.kind == LedgerAccount.Kind.PARTNER:
            kind, text = "release", _("Released to %(payee)s") % {"payee": agreement.payee.name}
        elif debit.code == holding and credit.code == "platform-fee-revenue":
            kind, text = "fee", _("Ansim fee")
        elif debit.code == holding and credit.code == "platform-psp-clearing":
            kind, text = "refund", _("Refunded to the payer")
        else:
            kind, text = "other", transfer.reason
        rows.append(Movement(kind, text, transfer.amount_krw, transfer.created_at))
    return rows


def agreement_page_context(
    *, request, agreement: EscrowAgreement, side: str, namespace: str, forms: dict | None = None
) -> dict:
    """Everything the consumer and portal detail pages show; `forms` carries bound forms with errors."""
    forms = forms or {}
    funded = agreement.status == EscrowAgreement.Status.FUNDED
    conditions = [
        {
            "condition": condition,
            "can_confirm": funded
            and condition.status == Condition.Status.PENDING
            and condition.kind == Condition.Kind.COUNTERPARTY
            and condition.confirmer == side,
            "evidence_form": forms.get(f"evidence-{condition.pk}")
            or EvidenceForm(prefix=f"condition-{condition.pk}"),
        }
        for condition in agreement.conditions.prefetch_related("evidence")
    ]
    milestones = [
        {
            "milestone": milestone,
            "can_submit": funded and side == "payee" and milestone.status == Milestone.Status.PENDING,
            "can_approve": funded and side == "payer" and milestone.status == Milestone.Status.SUBMITTED,
        }
        for milestone in agreement.milestones.all()
    ]
    sent = request.session.get(CHECKOUT_SESSION_KEY, [])
    return {
        "agreement": agreement,
        "side": side,
        "ns": namespace,
        "held": agreement_held_amounts(agreement=agreement),
        "movements": money_movements(agreement=agreement),
        "conditions": conditions,
        "milestones": milestones,
        "payments": agreement.payments.order_by("-created_at"),
        "disputes": agreement.disputes.prefetch_related("evidence"),
        "claims": agreement.claims.prefetch_related("evidence"),
        "fee_percent": f"{settings.ESCROW_FEE_BPS / 100:g}",
        "evidence_open": agreement.status in EVIDENCE_OPEN,
        "can_accept": agreement.status == EscrowAgreement.Status.PROPOSED
        and getattr(agreement, f"{side}_accepted_hash") != agreement.terms_hash,
        "accept_error": forms.get("accept_error"),
        "dispute_form": (forms.get("dispute") or DisputeForm()) if funded else None,
        "processing": agreement.status == EscrowAgreement.Status.AGREED
        and agreement.payments.filter(pk__in=sent, status=Payment.Status.PENDING).exists(),
    }


def evidence_of(*, agreement: EscrowAgreement, evidence_id: int) -> Evidence:
    return get_object_or_404(
        Evidence,
        Q(condition__agreement=agreement) | Q(dispute__agreement=agreement) | Q(claim__agreement=agreement),
        pk=evidence_id,
    )


def evidence_download(evidence: Evidence) -> FileResponse:
    # Always an attachment: an uploaded file is never rendered as a page of ours.
    try:
        handle = evidence.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    return FileResponse(handle, as_attachment=True, filename=evidence.original_name)


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
    context["pay_form"] = forms.get("pay") or PayForm()
    if "claim" in forms:  # a refused claim is shown with its reason, whatever the agreement
        context["claim_form"] = forms["claim"]
    elif agreement.template == EscrowAgreement.Template.RENOVATION and agreement.status in CLAIMABLE:
        context["claim_form"] = ClaimForm()
    response = render(request, "escrow/agreement_detail.html", context)
    if context["processing"]:
        response["Refresh"] = "3"  # look again shortly: the PSP's webhook is on its way
    return response


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
        if side_of(user=request.user, agreement=agreement) == "payee":
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
        return _detail(request, agreement, forms={"accept_error": _("Read the terms and accept them again.")})
    try:
        agreements.agreement_accept(
            agreement=agreement, actor=request.user, accepted_hash=form.cleaned_data["terms_hash"]
        )
    except DomainError as exc:
        agreement.refresh_from_db()
        return _detail(request, agreement, forms={"accept_error": exc.detail})
    messages.success(request, _("You accepted these exact terms."))
    return _back(agreement)


@login_required
@require_POST
def payment_start(request, agreement_id: int):
    agreement = _mine(request, agreement_id)
    form = PayForm(request.POST)
    if not form.is_valid():
        return _detail(request, agreement, forms={"pay": form})
    try:
        payment = payments.payment_start(
            agreement=agreement, actor=request.user, method=form.cleaned_data["method"]
        )
    except DomainError as exc:
        form.add_error(None, exc.detail)
        return _detail(request, agreement, forms={"pay": form})
    return redirect("escrow:checkout", agreement.pk, payment.pk)


@login_required
def checkout(request, agreement_id: int, payment_id: int):
    """The sandbox PSP's checkout. Paying here makes the PSP send its signed webhook, as a real one would."""
    agreement = _mine(request, agreement_id)
    payment = get_object_or_404(agreement.payments, pk=payment_id, provider=SandboxProvider.name)
    payable = payment.status == Payment.Status.PENDING and agreement.status == EscrowAgreement.Status.AGREED
    if request.method == "POST":
        if payable:
            body, headers = SandboxProvider().event(
                event_type="payment.paid",
                data={"payment_id": payment.provider_payment_id, "amount_krw": payment.amount_krw},
            )
            sandbox_webhook_deliver.delay_on_commit(body.decode(), headers)
            request.session[CHECKOUT_SESSION_KEY] = [
                *request.session.get(CHECKOUT_SESSION_KEY, []),
                payment.pk,
            ]
            messages.info(
                request,
                _(
                    "Payment processing: the page shows the money as held once the "
                    "payment company confirms it."
                ),
            )
        return _back(agreement)
    return render(
        request, "escrow/checkout.html", {"agreement": agreement, "payment": payment, "payable": payable}
    )


@login_required
@require_POST
def condition_confirm(request, agreement_id: int, condition_id: int):
    agreement = _mine(request, agreement_id)
    condition = get_object_or_404(agreement.conditions, pk=condition_id)
    try:
        release.condition_confirm(condition=condition, actor=request.user)
    except DomainError as exc:
        messages.error(request, exc.detail)
    else:
        messages.success(request, _("Confirmed: %(condition)s") % {"condition": condition.label})
    return _back(agreement)


def evidence_upload(request, *, agreement: EscrowAgreement, condition_id: int, render_detail):
    """Shared by the consumer and portal pages: a bad file re-renders the page with the reason."""
    condition = get_object_or_404(agreement.conditions, pk=condition_id)
    form = EvidenceForm(request.POST, request.FILES, prefix=f"condition-{condition.pk}")
    if form.is_valid():
        try:
            evidence = release.evidence_add(
                actor=request.user,
                upload=form.cleaned_data["file"],
                condition=condition,
                description=form.cleaned_data["description"],
            )
        except DomainError as exc:
            form.add_error("file", exc.detail)
        else:
            messages.success(
                request,
                _("%(name)s is stored with fingerprint %(sha)s…")
                % {"name": evidence.original_name, "sha": evidence.sha256[:12]},
            )
            return None
    return render_detail(request, agreement, forms={f"evidence-{condition.pk}": form})


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
    try:
        release.milestone_approve(milestone=milestone, actor=request.user)
    except DomainError as exc:
        messages.error(request, exc.detail)
    else:
        messages.success(
            request,
            _("Approved: %(stage)s is paid to %(payee)s.")
            % {"stage": milestone.get_kind_display(), "payee": agreement.payee.name},
        )
    return _back(agreement)


@login_required
@require_POST
def milestone_send_back(request, agreement_id: int, milestone_id: int):
    agreement = _mine(request, agreement_id)
    milestone = get_object_or_404(agreement.milestones, pk=milestone_id)
    try:
        release.milestone_send_back(milestone=milestone, actor=request.user,
                                    reason=request.POST.get("reason", "")[:500])
    except DomainError as exc:
        messages.error(request, exc.detail)
    else:
        messages.success(
            request,
            _("Sent back: %(stage)s stays held until the work is done.")
            % {"stage": milestone.get_kind_display()},
        )
    return _back(agreement)


def dispute_submit(request, *, agreement: EscrowAgreement, render_detail):
    """Shared by the consumer and portal pages: open a dispute, with an optional file as evidence."""
    form = DisputeForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            with transaction.atomic():
                dispute = disputes.dispute_open(
                    agreement=agreement, actor=request.user, reasons=form.cleaned_data["reasons"]
                )
                if form.cleaned_data["file"]:
                    release.evidence_add(
                        actor=request.user, upload=form.cleaned_data["file"], dispute=dispute
                    )
        except DomainError as exc:
            form.add_error(None, exc.detail)
        else:
            messages.success(request, _("Dispute opened. The money is frozen until an agent decides."))
            return None
    return render_detail(request, agreement, forms={"dispute": form})


@login_required
@require_POST
def dispute_open(request, agreement_id: int):
    agreement = _mine(request, agreement_id)
    return dispute_submit(request, agreement=agreement, render_detail=_detail) or _back(agreement)


@login_required
@require_POST
def claim_file(request, agreement_id: int):
    agreement = _mine(request, agreement_id)
    form = ClaimForm(request.POST, request.FILES)
    if form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                claim = disputes.claim_file(
                    agreement=agreement,
                    actor=request.user,
                    accident=data["accident"],
                    description=data["description"],
                    amount_krw=data["amount_krw"],
                )
                if data["file"]:
                    release.evidence_add(actor=request.user, upload=data["file"], claim=claim)
        except DomainError as exc:
            form.add_error(None, exc.detail)
        else:
            messages.success(request, _("Claim filed. Our staff will review it and tell you the outcome."))
            return _back(agreement)
    return _detail(request, agreement, forms={"claim": form})
