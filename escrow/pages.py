"""Page pieces the consumer pages (views.py) and the owner portal (portal.py) share: the detail-page
context, the money history in plain words, evidence upload and download, opening and withdrawing a
dispute."""

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.contrib import messages
from django.db import transaction
from django.db.models import Q
from django.http import FileResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from trustplatform import files
from trustplatform.errors import DomainError
from trustplatform.ledger.models import LedgerAccount
from trustplatform.pages import form_errors_add, page_action, refusal_shown
from trustplatform.payments.pages import payment_in_flight

from .forms import ConfirmForm, DisputeAnswerForm, DisputeForm, EvidenceForm
from .models import Condition, EscrowAgreement, Evidence, Milestone
from .selectors import agreement_held_amounts, agreement_money_history
from .services import disputes, release
from .services.common import fee_of, side_of
from .services.contact import agreement_contact

EVIDENCE_OPEN = {"proposed", "agreed", "funded", "disputed"}


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
    """Everything the consumer and portal detail pages show; `forms` carries bound forms with errors.
    The broker's page offers only the conditions named for it: no acceptance, evidence or dispute."""
    forms = forms or {}
    funded = agreement.status == EscrowAgreement.Status.FUNDED
    party = side in ("payer", "payee")
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
            "fee_krw": fee_of(milestone.amount_krw),
            "to_payee_krw": milestone.amount_krw - fee_of(milestone.amount_krw),
        }
        for milestone in agreement.milestones.all()
    ]
    held = agreement_held_amounts(agreement=agreement)
    held_total = sum(item.amount_krw for item in held)
    in_flight = (
        payment_in_flight(request, agreement.payments)
        if side == "payer" and agreement.status == EscrowAgreement.Status.AGREED else None
    )
    return {
        "agreement": agreement,
        "side": side,
        "ns": namespace,
        "held": held,
        "held_total_krw": held_total,
        # What a release of everything held pays, as the release service splits it (fee to Ansim).
        "release_fee_krw": fee_of(held_total),
        "release_to_payee_krw": held_total - fee_of(held_total),
        "movements": money_movements(agreement=agreement),
        "conditions": conditions,
        "milestones": milestones,
        "payments": agreement.payments.order_by("-created_at"),
        "disputes": _dispute_rows(request, agreement=agreement, side=side, forms=forms),
        "claims": agreement.claims.prefetch_related("evidence"),
        "fee_percent": f"{settings.ESCROW_FEE_BPS / 100:g}",
        "evidence_open": party and agreement.status in EVIDENCE_OPEN,
        "can_accept": party
        and agreement.status == EscrowAgreement.Status.PROPOSED
        and getattr(agreement, f"{side}_accepted_hash") != agreement.terms_hash,
        "accept_error": forms.get("accept_error"),
        "contact": agreement_contact(agreement=agreement, side=side),
        "dispute_form": (forms.get("dispute") or DisputeForm()) if funded and party else None,
        "processing": in_flight,
    }


def _dispute_rows(request, *, agreement: EscrowAgreement, side: str, forms: dict) -> list:
    """Each dispute with whether this side may answer it: the party that did not open it, while open."""
    rows = []
    disputes_shown = agreement.disputes.select_related("opened_by").prefetch_related(
        "evidence", "answers__evidence"
    )
    for dispute in disputes_shown:
        # An answer shows its own file beside its words; the list of evidence keeps the rest.
        answer_files = {answer.evidence_id for answer in dispute.answers.all()}
        dispute.other_evidence = [item for item in dispute.evidence.all() if item.pk not in answer_files]
        opened_by_side = side_of(user=dispute.opened_by, agreement=agreement)
        dispute.can_answer = (
            dispute.status == dispute.Status.OPEN and side in ("payer", "payee") and opened_by_side != side
        )
        dispute.opened_by_side = opened_by_side
        if dispute.can_answer:
            dispute.answer_form = forms.get(f"answer-{dispute.pk}") or DisputeAnswerForm(
                prefix=f"answer-{dispute.pk}"
            )
        rows.append(dispute)
    return rows


def step_confirmed(request) -> bool:
    """Whether the person explicitly confirmed a step that cannot be undone; if not, the page says so
    and nothing is done."""
    form = ConfirmForm(request.POST)
    if form.is_valid():
        return True
    messages.error(request, form.errors["confirmed"][0])
    return False


def evidence_of(*, agreement: EscrowAgreement, evidence_id: int) -> Evidence:
    return get_object_or_404(
        Evidence,
        Q(condition__agreement=agreement) | Q(dispute__agreement=agreement) | Q(claim__agreement=agreement),
        pk=evidence_id,
    )


def evidence_download(evidence: Evidence) -> FileResponse:
    # Always an attachment: an uploaded file is never rendered as a page of ours.
    return files.attachment_response(evidence.file, filename=evidence.original_name)


def evidence_upload(request, *, agreement: EscrowAgreement, condition_id: int, render_detail):
    """Shared by the consumer and portal pages: a bad file re-renders the page with the reason."""
    condition = get_object_or_404(agreement.conditions, pk=condition_id)
    form = EvidenceForm(request.POST, request.FILES, prefix=f"condition-{condition.pk}")
    if form.is_valid():
        with refusal_shown(form=form, field="file"):
            evidence = release.evidence_add(
                actor=request.user,
                upload=form.cleaned_data["file"],
                condition=condition,
                description=form.cleaned_data["description"],
            )
            messages.success(
                request,
                _("%(name)s is stored with fingerprint %(sha)s…")
                % {"name": evidence.original_name, "sha": evidence.sha256[:12]},
            )
            return None
    return render_detail(request, agreement, forms={f"evidence-{condition.pk}": form})


def dispute_withdraw_submit(request, *, agreement: EscrowAgreement, dispute_id: int) -> None:
    """Shared by the consumer and portal pages: the opener withdraws an undecided dispute."""
    dispute = get_object_or_404(agreement.disputes, pk=dispute_id)
    page_action(
        request,
        lambda: disputes.dispute_withdraw(dispute=dispute, actor=request.user),
        _("Dispute withdrawn. The money is held under the conditions again."),
    )


def dispute_answer_submit(request, *, agreement: EscrowAgreement, dispute_id: int, render_detail):
    """Shared by the consumer and portal pages: the side that did not open a dispute answers it with a
    statement, and a file if they have one (the service checks side, role and state)."""
    dispute = get_object_or_404(agreement.disputes, pk=dispute_id)
    form = DisputeAnswerForm(request.POST, request.FILES, prefix=f"answer-{dispute.pk}")
    if form.is_valid():
        try:
            disputes.dispute_answer(
                dispute=dispute, actor=request.user, description=form.cleaned_data["description"],
                upload=form.cleaned_data["file"],
            )
        except DomainError as exc:
            if exc.fields:
                form_errors_add(form, exc)
            else:  # a refusal of the step (not their side, no longer open): the form may not be shown
                messages.error(request, exc.detail)
        else:
            messages.success(request, _("Your answer is with the agent deciding the dispute."))
            return None
    return render_detail(request, agreement, forms={f"answer-{dispute.pk}": form})


def dispute_submit(request, *, agreement: EscrowAgreement, render_detail):
    """Shared by the consumer and portal pages: open a dispute, with an optional file as evidence."""
    form = DisputeForm(request.POST, request.FILES)
    if form.is_valid():
        with refusal_shown(form=form), transaction.atomic():
            dispute = disputes.dispute_open(
                agreement=agreement, actor=request.user, reasons=form.cleaned_data["reasons"]
            )
            if form.cleaned_data["file"]:
                release.evidence_add(actor=request.user, upload=form.cleaned_data["file"], dispute=dispute)
            messages.success(request, _("Dispute opened. The money is frozen until an agent decides."))
            return None
    return render_detail(request, agreement, forms={"dispute": form})
