"""The payer's pages of the payments module: after PortOne's window closes the checkout page asks
here, and the server fetches the payment from the provider (never trusting the browser); a payer
whose bank transfer is refunded names the account it goes back to."""

import logging

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from trustplatform.ledger.services import consumer_payable
from trustplatform.pages import refusal_shown
from trustplatform.pii import mask_account

from .banks import bank_choices, bank_name
from .forms import AmountForm, PayoutAccountForm
from .models import Payment, Refund
from .payouts import credit_sources, credit_withdraw, current_payout_account, payout_account_register
from .providers import BankAccount, ProviderUnavailable, provider_enabled
from .selectors import user_payouts
from .services import payment_sync, refund_account_give

logger = logging.getLogger(__name__)


@login_required
@require_POST
def payment_sync_view(request, payment_id: int):
    """Look at the payer's payment with the provider and apply what it says; answers its status."""
    payment = get_object_or_404(Payment, pk=payment_id, payer=request.user)
    if not provider_enabled(payment.provider):
        return JsonResponse({"code": "not_found", "detail": "no such payment"}, status=404)
    try:
        payment_sync(payment=payment)
    except ProviderUnavailable as exc:
        logger.warning("payment %s sync deferred: %s", payment.pk, exc)
        return JsonResponse({"code": "provider_unavailable", "status": payment.status,
                             "detail": "the payment company did not answer; the page asks again"},
                            status=503)
    payment.refresh_from_db()
    return JsonResponse({"status": payment.status, "virtual_account": payment.virtual_account,
                         "virtual_account_expires_at": payment.virtual_account_expires_at})


@login_required
@require_GET
def payment_status_view(request, payment_id: int):
    """The payer's payment status, read from our records: pages waiting for the provider poll it."""
    payment = get_object_or_404(Payment, pk=payment_id, payer=request.user)
    response = JsonResponse({"status": payment.status})
    response["Cache-Control"] = "no-store"
    return response


class RefundAccountForm(forms.Form):
    bank = forms.ChoiceField(label=_("Bank"), choices=bank_choices)
    number = forms.CharField(label=_("Account number"), max_length=30,
                             widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}))
    holder = forms.CharField(label=_("Account holder"), max_length=40,
                             help_text=_("The name on the account, as the bank has it."))


@login_required
def refund_account_view(request, refund_id: int):
    """The payer names the bank account a bank-transfer payment is refunded to; the bank's holder name
    is checked against theirs before anything is sent."""
    refund = get_object_or_404(Refund.objects.select_related("payment"), pk=refund_id,
                               payment__payer=request.user)
    form = RefundAccountForm(request.POST or None, initial={"holder": request.user.full_name})
    if request.method == "POST" and refund.status == Refund.Status.AWAITING_ACCOUNT and form.is_valid():
        with refusal_shown(form=form):
            refund_account_give(refund=refund, payer=request.user, account=BankAccount(
                bank=form.cleaned_data["bank"], number=form.cleaned_data["number"],
                holder=form.cleaned_data["holder"]))
            messages.success(request, _("₩%(amount)s is on its way to %(bank)s %(account)s.") % {
                "amount": f"{refund.amount_krw:,}", "bank": bank_name(form.cleaned_data["bank"]),
                "account": mask_account(form.cleaned_data["number"])})
            return redirect("payments_pages:refund_account", refund.pk)
    refund.refresh_from_db()
    return render(request, "payments/refund_account.html", {"refund": refund, "form": form})


@login_required
def credit_view(request):
    """The consumer's credit (claims paid, wasted trips, compensation) with where each amount came from,
    the bank account it is paid to, and the way to take it out: back to the card first where a payment
    it was about can still be cancelled, the rest to the account. The amount is named before it leaves."""
    user = request.user
    available = consumer_payable(user).available_krw
    account = current_payout_account(user=user)
    action = request.POST.get("action") if request.method == "POST" else ""
    account_form = PayoutAccountForm(request.POST if action == "account" else None,
                                     initial={"holder": user.full_name})
    form = AmountForm(request.POST if action == "withdraw" else None, available_krw=available,
                      initial={"amount_krw": available or None})
    confirm = None
    if action == "account" and account_form.is_valid():
        with refusal_shown(form=account_form):
            new = payout_account_register(actor=user, **account_form.cleaned_data)
            messages.success(request, _("Your credit will be paid to %(account)s.") % {"account": new})
            return redirect(request.path)
    elif action == "withdraw" and form.is_valid():
        if not form.cleaned_data["confirmed"]:
            confirm = form.cleaned_data["amount_krw"]
        else:
            with refusal_shown(form=form):
                done = credit_withdraw(user=user, amount_krw=form.cleaned_data["amount_krw"])
                for refund in done["refunds"]:
                    messages.success(request, _("₩%(amount)s is going back to the card you paid with.") % {
                        "amount": f"{refund.amount_krw:,}"})
                if done["payout"] is not None:
                    messages.success(request, _("₩%(amount)s is on its way to %(account)s.") % {
                        "amount": f"{done['payout'].amount_krw:,}", "account": account})
                return redirect(request.path)
    return render(request, "payments/credit.html", {
        "available_krw": available, "account": account, "account_form": account_form, "form": form,
        "confirm_krw": confirm, "sources": credit_sources(user=user)[:50],
        "payouts": user_payouts(user).select_related("account")[:50], "now": timezone.now(),
    })
