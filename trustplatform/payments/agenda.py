"""Money on its way to a partner, for the portal home: payouts sent to the bank, paid or bounced this
week, and what is ready to pay out, each with the bank and the masked account it goes to."""

from datetime import timedelta

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from trustplatform.ledger.services import partner_payable
from trustplatform.partners.agenda import MONEY_ROLES, AgendaItem, Section, agenda_provider

from .banks import bank_name
from .models import Payout
from .payouts import current_payout_account
from .selectors import partner_payouts


def account_shown(account) -> str:
    """"KB국민은행 •••• 1234": the bank and the last digits, never the whole number."""
    return f"{bank_name(account.bank)} {account.number_hint}" if account else ""


@agenda_provider
def payouts(*, partner, role, today) -> list[AgendaItem]:
    if role not in MONEY_ROLES:
        return []  # not even read: the money page is for owners and managers
    url = reverse("payments_portal:payouts")
    week_ago = timezone.now() - timedelta(days=7)
    recent = partner_payouts(partner).select_related("account").filter(
        Q(status=Payout.Status.REQUESTED) | Q(created_at__gte=week_ago) | Q(settled_at__gte=week_ago)
    )[:10]
    titles = {
        Payout.Status.REQUESTED: _("Payout on its way to your bank"),
        Payout.Status.PAID: _("Payout arrived in your bank account"),
        Payout.Status.FAILED: _("Payout bounced: the money is back in your balance"),
    }
    items = [
        AgendaItem(
            section=Section.MONEY, kind=f"payout_{payout.status}", icon="money",
            tone={"requested": "info", "paid": "ok", "failed": "danger"}[payout.status],
            title=titles[payout.status], detail=account_shown(payout.account),
            amount_krw=payout.amount_krw, due=payout.settled_at or payout.created_at,
            due_label=_("Paid") if payout.status == Payout.Status.PAID else _("Sent"),
            url=url, roles=MONEY_ROLES,
        )
        for payout in recent
    ]
    available = partner_payable(partner).available_krw
    if available > 0:
        account = current_payout_account(partner=partner)
        items.append(AgendaItem(
            section=Section.MONEY, kind="payable", icon="money", tone="ok",
            title=_("Ready to pay out"),
            detail=(_("Goes to %(account)s") % {"account": account_shown(account)}) if account
            else _("Register the bank account payouts go to."),
            amount_krw=available, url=url, roles=MONEY_ROLES,
        ))
    return items
