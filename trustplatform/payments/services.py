"""The payments module's public face: open a payment for a subject, refund it, pay partners out,
and apply a provider's verified event once.

Event types: `payment.paid`, `payment.failed`, `payment.refunded`, `refund.failed`, `payout.paid`,
`payout.failed`. An event applies only to a payment, refund or payout opened with the provider that
signed it.
"""

import uuid

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from trustplatform.errors import Conflict, DomainError, Forbidden
from trustplatform.ledger.models import Hold, LedgerAccount
from trustplatform.ledger.services import (
    consumer_payable,
    hold_post,
    hold_void,
    ledger_hold,
    ledger_transfer,
    partner_payable,
    platform_account,
)
from trustplatform.notifications.services import Phrase, notification_send
from trustplatform.partners.models import Membership
from trustplatform.partners.selectors import membership_role
from trustplatform.transitions import transition_run

from .handlers import handler_for
from .models import Payment, Payout, ProviderEvent, Refund
from .providers import ProviderEventData, SandboxProvider, get_provider

PSP_CLEARING = "platform-psp-clearing"


class PaymentError(DomainError):
    pass


def method_check(method: str) -> str:
    """Refuse a payment method the providers do not take."""
    if method not in Payment.Method.values:
        raise PaymentError(
            _("Choose card or virtual account."),
            code="invalid_method",
            fields={"method": [_("Unknown method.")]},
        )
    return method


def payment_open(*, subject, payer, amount_krw: int, method: str) -> Payment:
    """The subject's pending payment by `method`, or a new checkout with the provider for `amount_krw`.

    Call it inside the transaction that locked the subject and checked that it may be paid now.
    """
    method_check(method)
    handler_for(subject)  # only subjects whose app handles their payments
    subject_type = ContentType.objects.get_for_model(subject)
    existing = Payment.objects.filter(
        subject_type=subject_type, subject_id=subject.pk, status=Payment.Status.PENDING, method=method
    ).first()
    if existing is not None:
        return existing
    provider = get_provider()
    payment = Payment.objects.create(
        subject_type=subject_type,
        subject_id=subject.pk,
        payer=payer,
        amount_krw=amount_krw,
        method=method,
        provider=provider.name,
        provider_payment_id=f"new-{uuid.uuid4().hex}",
    )
    checkout = provider.checkout_create(payment_id=payment.pk, amount_krw=amount_krw, method=method)
    Payment.objects.filter(pk=payment.pk).update(
        provider_payment_id=checkout.provider_payment_id, virtual_account=checkout.virtual_account
    )
    payment.refresh_from_db()
    return payment


def payments_pending_cancel(*, subject, reason: str) -> int:
    """Cancel the subject's checkouts nobody paid (the subject expired or was cancelled). A payment
    that arrives for one later is refused and not kept."""
    subject_type = ContentType.objects.get_for_model(subject)
    cancelled = 0
    for payment in Payment.objects.select_for_update().filter(
        subject_type=subject_type, subject_id=subject.pk, status=Payment.Status.PENDING
    ):
        transition_run(instance=payment, name="cancel", reason=reason)
        cancelled += 1
    return cancelled


def sandbox_checkout_pay(*, payment: Payment) -> None:
    """The payer pays at the sandbox's checkout page: the sandbox sends its signed `payment.paid`
    webhook a moment later, as a real PSP does."""
    if payment.provider != SandboxProvider.name:
        raise PaymentError(_("This payment is not taken by the sandbox."), code="not_sandbox")
    provider = SandboxProvider()
    body, headers = provider.pay(provider_payment_id=payment.provider_payment_id)
    provider._deliver(body, headers)


def refund_request(
    *, payment: Payment, amount_krw: int, key: str, reason: str, source: LedgerAccount | None = None
) -> Refund:
    """Give `amount_krw` of a paid payment back to the payer through the provider, once per `key`.

    The money is reserved now on `source`, the account that owes it to the payer (what is held for the
    subject, or by default the payer's consumer payable account, where compensation is credited), and
    leaves the ledger for the provider's clearing when the provider confirms; a refused refund gives the
    reservation back. The same key again returns the first refund.
    """
    existing = Refund.objects.filter(key=key).first()
    if existing is not None:
        return existing
    with transaction.atomic():
        payment = Payment.objects.select_for_update().get(pk=payment.pk)
        if payment.status != Payment.Status.PAID:
            raise Conflict(_("Only a paid payment can be refunded."), code="not_refundable")
        committed = payment.refunds.exclude(status=Refund.Status.FAILED).aggregate(
            total=Sum("amount_krw"))["total"] or 0
        if amount_krw <= 0 or committed + amount_krw > payment.amount_krw:
            raise PaymentError(
                _("At most ₩%(left)s of this payment can still be refunded.")
                % {"left": f"{payment.amount_krw - committed:,}"},
                code="refund_exceeds_payment",
                fields={"amount_krw": [_("Too much.")]},
            )
        provider = get_provider(payment.provider)
        hold = ledger_hold(
            debit=source or consumer_payable(payment.payer),
            credit=platform_account(PSP_CLEARING),
            amount_krw=amount_krw,
            key=f"refund:{key}",
            reason=f"refund of payment {payment.provider_payment_id}: {reason}"[:300],
        )
        refund = Refund.objects.create(
            payment=payment, amount_krw=amount_krw, key=key, reason=reason[:300], hold=hold,
            provider_refund_id=f"pending-{hold.pk}",
        )
        refund.provider_refund_id = provider.payment_cancel(
            provider_payment_id=payment.provider_payment_id, amount_krw=amount_krw, reason=reason, key=key
        )
        Refund.objects.filter(pk=refund.pk).update(provider_refund_id=refund.provider_refund_id)
    return refund


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
    if membership_role(user=actor, partner=partner) not in (Membership.Role.OWNER, Membership.Role.MANAGER):
        raise Forbidden(_("Only the owner or a manager can request a payout."))
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


def provider_event_receive(*, provider: str, event: ProviderEventData) -> str:
    """Apply a verified provider event once; a repeat of the same event id returns the first outcome."""
    try:
        with transaction.atomic():
            record = ProviderEvent.objects.create(
                provider=provider, event_id=event.event_id, event_type=event.event_type, payload=event.data
            )
            outcome = _apply(event, provider=provider)
            ProviderEvent.objects.filter(pk=record.pk).update(outcome=outcome)
            return outcome
    except IntegrityError:
        first = ProviderEvent.objects.filter(provider=provider, event_id=event.event_id).first()
        if first is None:
            raise
        return first.outcome or "duplicate"


def _apply(event: ProviderEventData, *, provider: str) -> str:
    if event.event_type in ("payment.paid", "payment.failed"):
        return _payment_settled(event, provider=provider)
    if event.event_type in ("payment.refunded", "refund.failed"):
        return _refund_settled(event, provider=provider)
    if event.event_type in ("payout.paid", "payout.failed"):
        return _payout_settled(event, provider=provider)
    return "ignored"


def _amount(data: dict) -> int | None:
    try:
        return int(data.get("amount_krw"))
    except (TypeError, ValueError):
        return None  # a malformed amount is treated like a wrong one


def _payment_settled(event: ProviderEventData, *, provider: str) -> str:
    payment = Payment.objects.filter(
        provider=provider, provider_payment_id=str(event.data.get("payment_id", ""))
    ).select_related("subject_type").first()
    if payment is None:
        return "unknown_payment"
    handler = handler_for(payment.subject_type)
    subject = handler.lock(payment.subject_id)
    payment = Payment.objects.select_for_update().get(pk=payment.pk)
    if payment.status != Payment.Status.PENDING:
        return "already_settled"
    if event.event_type == "payment.failed":
        transition_run(instance=payment, name="mark_failed", reason=str(event.data.get("reason", ""))[:200])
        handler.failed(payment=payment, subject=subject)
        return "failed"
    if _amount(event.data) != payment.amount_krw:
        transition_run(instance=payment, name="mark_failed", reason="amount differs from the checkout")
        return "amount_mismatch"
    refusal = handler.refusal(subject)
    if refusal:
        # Paid too late or twice: the money is not kept; the provider refunds it.
        transition_run(instance=payment, name="cancel", reason=refusal)
        return "refused_not_payable"
    transition_run(instance=payment, name="mark_paid")
    payment.paid_at = timezone.now()
    Payment.objects.filter(pk=payment.pk).update(paid_at=payment.paid_at)
    return handler.paid(payment=payment, subject=subject)


def _refund_settled(event: ProviderEventData, *, provider: str) -> str:
    refund = Refund.objects.filter(
        payment__provider=provider, provider_refund_id=str(event.data.get("refund_id", ""))
    ).select_related("payment__subject_type").first()
    if refund is None:
        return "unknown_refund"
    handler = handler_for(refund.payment.subject_type)
    subject = handler.lock(refund.payment.subject_id)
    payment = Payment.objects.select_for_update().get(pk=refund.payment_id)
    refund = Refund.objects.select_for_update().get(pk=refund.pk)
    if refund.status != Refund.Status.REQUESTED:
        return "already_settled"
    now = timezone.now()
    if event.event_type == "refund.failed":
        hold_void(hold=Hold.objects.get(pk=refund.hold_id), reason="the provider refused the refund")
        transition_run(instance=refund, name="mark_failed")
        Refund.objects.filter(pk=refund.pk).update(
            settled_at=now, failure=str(event.data.get("reason", ""))[:200])
        return "refund_failed"
    if _amount(event.data) not in (None, refund.amount_krw):
        return "amount_mismatch"  # left requested: finance looks at it
    hold_post(hold=refund.hold)
    transition_run(instance=refund, name="mark_done")
    Refund.objects.filter(pk=refund.pk).update(settled_at=now)
    payment.refunded_krw += refund.amount_krw
    Payment.objects.filter(pk=payment.pk).update(refunded_krw=payment.refunded_krw)
    if payment.refunded_krw == payment.amount_krw:
        transition_run(instance=payment, name="mark_refunded")
    notification_send(
        user=payment.payer,
        title=Phrase(
            gettext_lazy("₩%(amount)s went back to your payment method."),
            {"amount": f"{refund.amount_krw:,}"},
        ),
        url=handler.payer_url(subject),
    )
    handler.refunded(payment=payment, subject=subject, refund=refund)
    return "refunded"


def _payout_settled(event: ProviderEventData, *, provider: str) -> str:
    payout = Payout.objects.select_for_update().filter(
        provider=provider, provider_payout_id=str(event.data.get("payout_id", ""))
    ).first()
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
