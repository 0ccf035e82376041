"""Money in (payments into an agreement) and out (payouts to partners), through the provider."""

import uuid

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from escrow.models import EscrowAgreement, Payment, Payout, ProviderEvent
from escrow.providers.payments import ProviderEventData, get_provider
from trustplatform.ledger.models import Hold, LedgerAccount
from trustplatform.ledger.services import (
    hold_post,
    hold_void,
    ledger_hold,
    ledger_transfer,
    partner_payable,
    platform_account,
)
from trustplatform.notifications.services import notification_send
from trustplatform.partners.models import Membership
from trustplatform.transitions import transition_run

from .common import EscrowError, holding_account, lock_agreement, require_side
from .release import registry_baseline_take


def payment_start(*, agreement: EscrowAgreement, actor, method: str) -> Payment:
    """Open a checkout for the full amount; only the payer pays, only an agreed agreement."""
    if require_side(user=actor, agreement=agreement, sides=("payer",)) != "payer":
        raise EscrowError(_("Only the payer pays."), code="forbidden", status=403)
    if method not in Payment.Method.values:
        raise EscrowError(
            _("Choose card or virtual account."),
            code="invalid_method",
            fields={"method": [_("Unknown method.")]},
        )
    with transaction.atomic():
        agreement = lock_agreement(agreement.pk)
        if agreement.status != EscrowAgreement.Status.AGREED:
            raise EscrowError(_("This agreement cannot be paid now."), code="not_payable", status=409)
        existing = agreement.payments.filter(status=Payment.Status.PENDING, method=method).first()
        if existing is not None:
            return existing
        provider = get_provider()
        payment = Payment.objects.create(
            agreement=agreement,
            amount_krw=agreement.amount_krw,
            method=method,
            provider=provider.name,
            provider_payment_id=f"new-{uuid.uuid4().hex}",
        )
        checkout = provider.checkout_create(
            payment_id=payment.pk, amount_krw=payment.amount_krw, method=method
        )
        Payment.objects.filter(pk=payment.pk).update(**checkout)
    payment.refresh_from_db()
    return payment


def provider_event_receive(*, provider: str, event: ProviderEventData) -> str:
    """Apply a verified provider event once; a repeat of the same event id returns the first outcome."""
    try:
        with transaction.atomic():
            record = ProviderEvent.objects.create(
                provider=provider, event_id=event.event_id, event_type=event.event_type, payload=event.data
            )
            outcome = _apply_event(event)
            ProviderEvent.objects.filter(pk=record.pk).update(outcome=outcome)
            return outcome
    except IntegrityError:
        first = ProviderEvent.objects.filter(provider=provider, event_id=event.event_id).first()
        if first is None:
            raise
        return first.outcome or "duplicate"


def _apply_event(event: ProviderEventData) -> str:
    handlers = {
        "payment.paid": _payment_paid,
        "payment.failed": _payment_failed,
        "payout.paid": _payout_settled,
        "payout.failed": _payout_settled,
    }
    handler = handlers.get(event.event_type)
    return handler(event) if handler else "ignored"


def _payment_paid(event: ProviderEventData) -> str:
    payment = Payment.objects.filter(provider_payment_id=event.data.get("payment_id", "")).first()
    if payment is None:
        return "unknown_payment"
    agreement = lock_agreement(payment.agreement_id)
    payment = Payment.objects.select_for_update().get(pk=payment.pk)
    if payment.status != Payment.Status.PENDING:
        return "already_settled"
    try:
        paid_amount = int(event.data.get("amount_krw"))
    except (TypeError, ValueError):
        paid_amount = None  # a malformed amount is treated like a wrong one: nothing is funded
    if paid_amount != payment.amount_krw:
        transition_run(instance=payment, name="mark_failed", reason="amount differs from the checkout")
        return "amount_mismatch"
    if agreement.status != EscrowAgreement.Status.AGREED:
        # Paid too late or twice: the money is not kept; the provider refunds the card.
        transition_run(instance=payment, name="cancel", reason=f"agreement is {agreement.status}")
        return "refused_not_payable"
    transition_run(instance=payment, name="mark_paid")
    Payment.objects.filter(pk=payment.pk).update(paid_at=timezone.now())
    ledger_transfer(
        debit=platform_account("platform-psp-clearing"),
        credit=holding_account(agreement),
        amount_krw=payment.amount_krw,
        key=f"payment:{payment.pk}:funding",
        reason=f"deposit paid for agreement #{agreement.pk}",
        subject=agreement,
    )
    agreement = transition_run(instance=agreement, name="fund")
    EscrowAgreement.objects.filter(pk=agreement.pk).update(funded_at=timezone.now())
    registry_baseline_take(agreement=agreement)
    notification_send(
        user=agreement.payer,
        title=_("Your payment of ₩%(amount)s is held safely.") % {"amount": f"{payment.amount_krw:,}"},
        url=reverse("escrow:detail", args=[agreement.pk]),
    )
    from escrow.tasks import agreement_evaluate_task

    agreement_evaluate_task.delay_on_commit(agreement.pk)
    return "funded"


def _payment_failed(event: ProviderEventData) -> str:
    payment = Payment.objects.filter(provider_payment_id=event.data.get("payment_id", "")).first()
    if payment is None or payment.status != Payment.Status.PENDING:
        return "ignored"
    transition_run(instance=payment, name="mark_failed", reason=str(event.data.get("reason", ""))[:200])
    return "failed"


def partner_debts_settle(*, partner, payable: LedgerAccount, key: str) -> int:
    """Before money leaves for the bank, pay what the partner owes the platform from its payable.

    A debt is a partner account allowed below zero and below it now (e.g. guarantee charges of a
    property that cancelled a booking). Each is settled as far as the payable's available money
    goes, under `key`; a refused payout rolls the settling back with it. Returns the amount settled.
    """
    settled = 0
    debts = LedgerAccount.objects.filter(
        partner=partner, kind=LedgerAccount.Kind.PARTNER, allow_negative=True, balance_krw__lt=0
    ).exclude(pk=payable.pk).order_by("pk")
    for debt in debts:
        payable.refresh_from_db(fields=["balance_krw", "reserved_krw"])
        amount = min(-debt.balance_krw, payable.available_krw)
        if amount <= 0:
            break
        ledger_transfer(debit=payable, credit=debt, amount_krw=amount, key=f"{key}:settle:{debt.pk}",
                        reason=f"{debt.name}: settled from payouts")
        settled += amount
    return settled


def payout_request(*, partner, amount_krw: int, actor) -> Payout:
    """Reserve money on the partner's payable account and ask the provider to send it to the bank.
    Only the partner's owner or a manager may."""
    role = Membership.objects.filter(user=actor, partner=partner).values_list("role", flat=True).first()
    if role not in (Membership.Role.OWNER, Membership.Role.MANAGER):
        raise EscrowError(
            _("Only the owner or a manager can request a payout."), code="forbidden", status=403
        )
    provider = get_provider()
    key = f"payout:{partner.pk}:{uuid.uuid4().hex}"
    with transaction.atomic():
        payable = partner_payable(partner)
        partner_debts_settle(partner=partner, payable=payable, key=key)
        hold = ledger_hold(
            debit=payable,
            credit=platform_account("platform-payouts-sent"),
            amount_krw=amount_krw,
            key=key,
            reason=f"payout to {partner.name}",
        )
        payout = Payout.objects.create(
            partner=partner,
            amount_krw=amount_krw,
            hold=hold,
            provider=provider.name,
            provider_payout_id=f"pending-{hold.pk}",
            requested_by=actor,
        )
        payout_id = provider.payout_create(payout_id=payout.pk, amount_krw=amount_krw, partner_id=partner.pk)
        Payout.objects.filter(pk=payout.pk).update(provider_payout_id=payout_id)
    payout.refresh_from_db()
    return payout


def _payout_settled(event: ProviderEventData) -> str:
    payout = (
        Payout.objects.select_for_update().filter(provider_payout_id=event.data.get("payout_id", "")).first()
    )
    if payout is None:
        return "unknown_payout"
    if payout.status != Payout.Status.REQUESTED:
        return "already_settled"
    if event.event_type == "payout.paid":
        hold_post(hold=payout.hold)
        transition_run(instance=payout, name="mark_paid")
        outcome = "payout_paid"
    else:
        hold_void(hold=Hold.objects.get(pk=payout.hold_id), reason="bank refused the payout")
        transition_run(instance=payout, name="mark_failed", reason=str(event.data.get("reason", ""))[:200])
        outcome = "payout_failed"
    Payout.objects.filter(pk=payout.pk).update(settled_at=timezone.now())
    return outcome
