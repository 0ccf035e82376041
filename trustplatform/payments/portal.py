"""The owner portal's money page: what the partner may be paid, the bank account it is paid to, and
its payouts. Owners change the account; owners and managers ask for payouts."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from trustplatform.ledger.services import partner_payable
from trustplatform.pages import refusal_shown
from trustplatform.partners.models import Membership
from trustplatform.partners.portal import portal_view
from trustplatform.partners.selectors import membership_role

from .banks import bank_name
from .forms import AmountForm, PayoutAccountForm
from .payouts import current_payout_account, payout_account_register, payout_request
from .selectors import partner_payouts


@portal_view
def payout_list(request):
    partner = request.partner
    role = membership_role(user=request.user, partner=partner)
    available = partner_payable(partner).available_krw
    account = current_payout_account(partner=partner)
    action = request.POST.get("action") if request.method == "POST" else ""
    account_form = PayoutAccountForm(
        request.POST if action == "account" else None, initial={"holder": partner.representative}
    )
    form = AmountForm(request.POST if action == "payout" else None, available_krw=available)
    confirm = None
    if action == "account" and account_form.is_valid():
        with refusal_shown(form=account_form):
            new = payout_account_register(partner=partner, actor=request.user, **account_form.cleaned_data)
            messages.success(request, _("Payouts now go to %(account)s.") % {"account": new})
            return redirect(request.path)
    elif action == "payout" and form.is_valid():
        if not form.cleaned_data["confirmed"]:
            confirm = form.cleaned_data["amount_krw"]  # the page names the amount and the account first
        else:
            with refusal_shown(form=form):
                payout = payout_request(
                    partner=partner, amount_krw=form.cleaned_data["amount_krw"], actor=request.user
                )
                messages.success(
                    request,
                    _("₩%(amount)s is on its way to %(account)s.")
                    % {"amount": f"{payout.amount_krw:,}", "account": account},
                )
                return redirect(request.path)
    return render(
        request,
        "payments/portal_payouts.html",
        {
            "partner": partner,
            "available_krw": available,
            "account": account,
            "account_form": account_form,
            "form": form,
            "confirm_krw": confirm,
            "is_owner": role == Membership.Role.OWNER,
            "may_pay_out": role in (Membership.Role.OWNER, Membership.Role.MANAGER),
            "account_bank": bank_name(account.bank) if account else "",
            "payouts": _with_banks(partner_payouts(partner).select_related("account")[:100]),
            "now": timezone.now(),
        },
    )


def _with_banks(payouts) -> list:
    """The payouts with the name of the bank each went to, as people know it."""
    rows = list(payouts)
    for payout in rows:
        payout.bank_shown = bank_name(payout.account.bank) if payout.account_id else ""
    return rows
