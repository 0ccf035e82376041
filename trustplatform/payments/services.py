"""The payments module's public face: open a payment for a subject, refund it, pay partners out,
and apply a provider's verified event once.

Event types: `payment.paid`, `payment.failed`, `payment.expired` (a virtual account closed unpaid),
`payment.account_issued`, `payment.refunded`, `refund.failed`, `payout.paid`, `payout.failed`. An
event applies only to a payment, refund or payout opened with the provider that signed it.
"""

import functools
import time
import uuid
from datetime import timedelta

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.db.models import F, Sum
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from trustplatform.errors import Conflict, DomainError, Forbidden
from trustplatform.ledger.models import Hold, LedgerAccount, Transfer
from trustplatform.ledger.services import (
    consumer_payable,
    hold_post,
    hold_void,
    ledger_hold,
    ledger_transfer,
    platform_account,
)
from trustplatform.notifications.services import Phrase, notification_send, staff_notify
from trustplatform.transitions import transition_run

from .banks import bank_name
from .handlers import handler_for
from .models import Payment, Payout, ProviderEvent, Refund
from .providers import (
    BankAccount,
    ProviderError,
    ProviderEventData,
    ProviderRefused,
    ProviderUnavailable,
    SandboxProvider,
    get_provider,
    key_reference,
    provider_enabled,
)

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
    try:
        checkout = provider.checkout_create(payment_id=payment.pk, amount_krw=amount_krw, method=method)
    except ProviderError as exc:  # the caller's transaction rolls the payment back with this refusal
        raise PaymentError(
            _("The payment company could not be reached just now. Try again in a moment."),
            code="provider_unavailable", status=503,
        ) from exc
    Payment.objects.filter(pk=payment.pk).update(
        provider_payment_id=checkout.provider_payment_id, virtual_account=checkout.virtual_account
    )
    payment.provider_payment_id = checkout.provider_payment_id  # what the row now holds, without a re-read
    payment.virtual_account = checkout.virtual_account
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
        if payment.method == Payment.Method.VIRTUAL_ACCOUNT:
            # Close the payer's account at the provider so that nothing more can be sent into it.
            transaction.on_commit(functools.partial(
                virtual_account_close, provider=payment.provider,
                provider_payment_id=payment.provider_payment_id), robust=True)
        cancelled += 1
    return cancelled


def virtual_account_close(*, provider: str, provider_payment_id: str) -> None:
    """Close an issued virtual account whose payment was cancelled here. Best effort: a transfer that
    still arrives is refused and given back (`_payment_settled`)."""
    try:
        get_provider(provider).virtual_account_close(provider_payment_id=provider_payment_id)
    except ProviderError:
        pass  # not issued yet, already closed, or the provider cannot be reached: a late deposit is returned


def sandbox_checkout_pay(*, payment: Payment) -> None:
    """The payer pays at the sandbox's checkout page: the sandbox sends its signed `payment.paid`
    webhook a moment later, as a real PSP does."""
    if payment.provider != SandboxProvider.name or not provider_enabled(SandboxProvider.name):
        raise PaymentError(_("This payment is not taken by the sandbox."), code="not_sandbox")
    provider = SandboxProvider()
    body, headers = provider.pay(provider_payment_id=payment.provider_payment_id)
    provider._deliver(body, headers)


def refund_request(
    *, payment: Payment, amount_krw: int, key: str, reason: str, source: LedgerAccount | None = None,
    refund_account: BankAccount | None = None,
) -> Refund:
    """Give `amount_krw` of a paid payment back to the payer through the provider, once per `key`.

    The money is reserved now on `source`, the account that owes it to the payer (what is held for the
    subject, or by default the payer's consumer payable account, where compensation is credited), and
    leaves the ledger for the provider's clearing when the provider confirms; a refused refund gives the
    reservation back and finance is told. The provider is asked once the caller's transaction has
    committed (never for a refund that was rolled back), and asked again with backoff while it cannot
    be reached. A virtual-account payment goes back to `refund_account`, which must be given. The same
    key again returns the first refund.
    """
    existing = Refund.objects.filter(key=key).first()
    if existing is not None:
        return existing
    with transaction.atomic():
        payment = Payment.objects.select_for_update().get(pk=payment.pk)
        if payment.status != Payment.Status.PAID:
            raise Conflict(_("Only a paid payment can be refunded."), code="not_refundable")
        awaiting = payment.method == Payment.Method.VIRTUAL_ACCOUNT and refund_account is None
        committed = payment.refunds.exclude(status=Refund.Status.FAILED).aggregate(
            total=Sum("amount_krw"))["total"] or 0
        if amount_krw <= 0 or committed + amount_krw > payment.amount_krw:
            raise PaymentError(
                _("At most ₩%(left)s of this payment can still be refunded.")
                % {"left": f"{payment.amount_krw - committed:,}"},
                code="refund_exceeds_payment",
                fields={"amount_krw": [_("Too much.")]},
            )
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
            refund_account=_account_text(refund_account),
            status=Refund.Status.AWAITING_ACCOUNT if awaiting else Refund.Status.REQUESTED,
        )
        if awaiting:
            # A bank transfer goes back to a bank account: the payer names one, and the bank's holder
            # name is checked against theirs before anything is sent.
            notification_send(
                user=payment.payer, sms_text=True,
                title=Phrase(gettext_lazy("₩%(amount)s is coming back to you: tell us the bank account "
                                          "to send it to."), {"amount": f"{amount_krw:,}"}),
                url=reverse("payments_pages:refund_account", args=[refund.pk]),
            )
        else:
            transaction.on_commit(functools.partial(refund_send, refund_id=refund.pk), robust=True)
    return refund


def _account_text(account: BankAccount | None) -> str:
    return "|".join((account.bank, account.number, account.holder)) if account else ""


def _same_name(a: str, b: str) -> bool:
    return "".join(a.split()).casefold() == "".join(b.split()).casefold()


def refund_account_give(*, refund: Refund, payer, account: BankAccount) -> Refund:
    """The payer names the bank account a virtual-account payment goes back to. The provider looks up
    the account's holder; only an account held in the payer's own name (the name they gave, matching
    the bank's) is taken, and the refund is then sent."""
    if refund.payment.payer_id != payer.pk:
        raise Forbidden(_("This refund is not yours."))
    if refund.status != Refund.Status.AWAITING_ACCOUNT:
        raise Conflict(_("This refund already has its account."), code="account_already_given")
    number = "".join(ch for ch in account.number if ch.isdigit())
    if not 8 <= len(number) <= 16:
        raise PaymentError(_("Enter the account number (8 to 16 digits)."), code="invalid_account",
                           fields={"number": [_("8 to 16 digits.")]})
    account = BankAccount(bank=account.bank, number=number, holder=account.holder.strip())
    try:
        holder = get_provider(refund.payment.provider).account_holder(account=account)
    except ProviderUnavailable as exc:
        raise PaymentError(_("The bank could not be asked just now. Try again in a moment."),
                           code="provider_unavailable") from exc
    except ProviderRefused as exc:
        raise PaymentError(_("The bank does not know this account. Check the bank and the number."),
                           code="account_not_found",
                           fields={"number": [_("Not found at this bank.")]}) from exc
    if not _same_name(holder, account.holder):
        raise PaymentError(
            _("The account holder's name at the bank is not the name you gave."),
            code="holder_mismatch", fields={"holder": [_("Does not match the bank's record.")]},
        )
    with transaction.atomic():
        refund = Refund.objects.select_for_update().get(pk=refund.pk)
        if refund.status != Refund.Status.AWAITING_ACCOUNT:
            raise Conflict(_("This refund already has its account."), code="account_already_given")
        transition_run(instance=refund, name="account_given", actor=payer)
        Refund.objects.filter(pk=refund.pk).update(refund_account=_account_text(account))
        transaction.on_commit(functools.partial(refund_send, refund_id=refund.pk), robust=True)
    refund.refresh_from_db()
    return refund


def subject_refund(
    *, subject, amount_krw: int, key: str, reason: str, source: LedgerAccount
) -> Refund | None:
    """Give `amount_krw` held on `source` for `subject` back to the payer through the provider, as a
    cancellation of the subject's paid payment (whole or partial), once per key. Nothing when the
    amount is zero."""
    if amount_krw <= 0:
        return None
    payment = Payment.objects.filter(
        subject_type=ContentType.objects.get_for_model(subject), subject_id=subject.pk,
        status=Payment.Status.PAID,
    ).first()
    if payment is None:
        raise Conflict(_("There is no paid payment to refund."), code="not_refundable")
    return refund_request(payment=payment, amount_krw=amount_krw, key=key, reason=reason, source=source)


REFUND_ATTEMPTS = 8  # with backoff from 30 s, about two hours before finance is asked to look


def refund_send(*, refund_id: int) -> str:
    """Ask the provider for a requested refund not yet sent; returns what happened. A refusal fails the
    refund (its reservation goes back) and tells finance; no answer schedules another attempt, and
    finance is told when the attempts run out. Sending twice is harmless: the provider is asked with the
    refund's key, which it cancels at most once."""
    refund = Refund.objects.select_related("payment").get(pk=refund_id)
    if refund.status != Refund.Status.REQUESTED or not refund.provider_refund_id.startswith("pending-"):
        return "already_sent"
    payment = refund.payment
    provider = get_provider(payment.provider)
    account = None
    if refund.refund_account:
        bank, number, holder = refund.refund_account.split("|", 2)
        account = BankAccount(bank=bank, number=number, holder=holder)
    Refund.objects.filter(pk=refund.pk).update(attempts=F("attempts") + 1)
    try:
        provider_refund_id = provider.payment_cancel(
            provider_payment_id=payment.provider_payment_id, amount_krw=refund.amount_krw,
            reason=refund.reason, key=refund.key, refund_account=account,
        )
    except ProviderRefused as exc:
        refund_fail(refund_id=refund.pk, reason=str(exc))
        return "refused"
    except ProviderUnavailable as exc:
        attempts = refund.attempts + 1
        if attempts >= REFUND_ATTEMPTS:
            # The beat's sweep (`refunds_sync`) keeps asking; finance hears of it once.
            if attempts == REFUND_ATTEMPTS:
                staff_notify(group="finance", title=Phrase(
                    gettext_lazy("Refund of ₩%(amount)s could not reach the payment company"),
                    {"amount": f"{refund.amount_krw:,}"}), body=str(exc)[:500],
                    url=reverse("admin:payments_refund_change", args=[refund.pk]))
            return "unavailable"
        from .tasks import refund_send_later

        refund_send_later.apply_async((refund.pk,), countdown=min(30 * 2 ** (attempts - 1), 3600))
        return "retry"
    Refund.objects.filter(pk=refund.pk, provider_refund_id=refund.provider_refund_id).update(
        provider_refund_id=provider_refund_id)  # unless its confirmation came first and stored it
    # The provider's webhook may have come before the id was stored: look at the payment again.
    payment_sync(payment=payment)
    return "sent"


def refunds_sync(*, older_than_seconds: int = 300) -> dict[str, int]:
    """Every refund still on its way after `older_than_seconds`: sent when its sending was lost (a
    worker stopped after the commit, a retry that never ran), and asked about at its provider when the
    confirmation never came. Safe to repeat: a refund is cancelled once per key at the provider. One
    failure does not stop the rest; returns how many ended how (beat, every ten minutes)."""
    counts: dict[str, int] = {}
    due = Refund.objects.filter(
        status=Refund.Status.REQUESTED,
        created_at__lte=timezone.now() - timedelta(seconds=older_than_seconds),
    ).select_related("payment")
    for refund in due.order_by("pk").iterator():
        try:
            if refund.provider_refund_id.startswith("pending-"):
                outcomes = [refund_send(refund_id=refund.pk)]
            else:
                outcomes = payment_sync(payment=refund.payment) or ["waiting"]
        except ProviderUnavailable:
            outcomes = ["unavailable"]
        for outcome in outcomes:
            counts[outcome] = counts.get(outcome, 0) + 1
    # Payments not kept (paid twice, paid too late) that the provider still holds: given back again.
    not_kept = Payment.objects.filter(
        status=Payment.Status.CANCELLED,
        paid_at__gte=timezone.now() - timedelta(days=settings.PAYMENTS_RECONCILE_DAYS),
        paid_at__lte=timezone.now() - timedelta(seconds=older_than_seconds),
    )
    for payment in not_kept.order_by("pk").iterator():
        if Transfer.objects.filter(idempotency_key=unwanted_kept_key(payment.provider,
                                                                     payment.provider_payment_id)).exists():
            continue  # the provider refused: it is the payer's credit
        try:
            theirs = get_provider(payment.provider).payment_fetch(
                provider_payment_id=payment.provider_payment_id)
            if theirs.status != "paid" or theirs.cancelled_krw:
                continue  # given back (or in part: reconciliation shows finance)
            outcome = unwanted_payment_return(
                provider=payment.provider, provider_payment_id=payment.provider_payment_id,
                amount_krw=payment.amount_krw, reason="the subject could not take this payment")
        except ProviderError:
            outcome = "unavailable"
        counts[outcome] = counts.get(outcome, 0) + 1
    return counts


def refund_fail(*, refund_id: int, reason: str) -> None:
    """The provider refused a refund: see `_refund_refused`."""
    with transaction.atomic():
        refund = Refund.objects.select_related("payment").select_for_update(of=("self",)).get(pk=refund_id)
        if refund.status != Refund.Status.REQUESTED:
            return
        _refund_refused(refund=refund, reason=reason)


def _refund_refused(*, refund: Refund, reason: str) -> None:
    """The provider refused a refund (e.g. a card payment already settled to the merchant can no longer be
    cancelled): its reservation is let go, and the money, which the payer is owed all the same, becomes
    their credit, which they withdraw to their own verified bank account; the payer and finance are told.
    Once per refund: the caller holds the refund's row lock and has seen it requested."""
    hold = Hold.objects.select_related("debit_account").get(pk=refund.hold_id)
    hold_void(hold=hold, reason="the provider refused the refund")
    transition_run(instance=refund, name="mark_failed")
    Refund.objects.filter(pk=refund.pk).update(settled_at=timezone.now(), failure=reason[:200],
                                               refund_account="")
    payment = refund.payment
    credit = consumer_payable(payment.payer)
    _payer_credited(
        payment=payment, debit=None if hold.debit_account_id == credit.pk else hold.debit_account,
        amount_krw=refund.amount_krw, key=f"refund-refused:{refund.key}",
        reason=f"refund of payment {payment.provider_payment_id} refused by the provider: kept as credit",
        title=gettext_lazy("₩%(amount)s could not go back to your payment method: it is kept as your "
                           "credit. Withdraw it to your bank account."),
    )
    staff_notify(group="finance", title=Phrase(
        gettext_lazy("The payment company refused a refund of ₩%(amount)s"),
        {"amount": f"{refund.amount_krw:,}"}), body=reason[:500],
        url=reverse("admin:payments_refund_change", args=[refund.pk]))


def payment_sync(*, payment: Payment) -> list[str]:
    """Fetch the payment from its provider and apply what it says now (paid, a virtual account
    issued, cancellations done or refused). Safe to call any time: applying is idempotent."""
    facts = get_provider(payment.provider).payment_facts(provider_payment_id=payment.provider_payment_id)
    outcomes = []
    for fact in facts:
        with transaction.atomic():
            outcomes.append(_apply(fact, provider=payment.provider))
    return outcomes


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


def provider_event_receive(*, provider: str, event: ProviderEventData) -> str:
    """Take a verified provider event once; a repeat of the same event id returns the first outcome.

    What the event means comes from the provider (`event_facts`): for a provider whose webhooks only
    name a payment, what it answers when the payment is fetched. ProviderUnavailable when it cannot
    answer: nothing is stored, and the webhook is refused so that the provider sends it again.

    The facts are applied here when one of the deployment's inline slots is free
    (PAYMENTS_WEBHOOK_INLINE_SLOTS); when every slot is taken (a burst of webhooks) the event is stored
    with its facts, the answer is "queued", and a worker applies it (`provider_event_apply`), so that
    the provider's request is answered promptly however many arrive at once. Either way the event is
    stored in the same transaction as what it did, and applied exactly once.
    """
    first = ProviderEvent.objects.filter(provider=provider, event_id=event.event_id).first()
    if first is not None:
        return first.outcome or "queued"
    facts = get_provider(provider).event_facts(event) if provider in settings.PAYMENTS_PROVIDERS else [event]
    try:
        with transaction.atomic():
            if facts and not _inline_slot_take():
                stored = ProviderEvent.objects.create(
                    provider=provider, event_id=event.event_id, event_type=event.event_type[:50],
                    payload=event.data, facts=[[fact.event_type, fact.data] for fact in facts],
                )
                from .tasks import provider_event_apply_task

                transaction.on_commit(functools.partial(provider_event_apply_task.delay, stored.pk))
                return "queued"
            outcome = _facts_apply(facts, provider=provider)
            # Stored with its outcome, in the same transaction: a twin applied at the same moment
            # waits on the subject's lock, finds the work done, and is rolled back here by the unique
            # event id, answering the first outcome.
            ProviderEvent.objects.create(
                provider=provider, event_id=event.event_id, event_type=event.event_type[:50],
                payload=event.data, outcome=outcome, applied_at=timezone.now(),
            )
            return outcome
    except IntegrityError:
        first = ProviderEvent.objects.filter(provider=provider, event_id=event.event_id).first()
        if first is None:
            raise
        return first.outcome or "queued"


def _facts_apply(facts: list[ProviderEventData], *, provider: str) -> str:
    outcomes = [_apply(fact, provider=provider) for fact in facts]
    return "+".join(dict.fromkeys(outcomes))[:50] if outcomes else "ignored"


# Advisory-lock namespace of the inline slots (an arbitrary constant of this project's).
_INLINE_SLOT_LOCKS = 0x616E_0001


def _inline_slot_take() -> bool:
    """Take one of the deployment's inline slots for the rest of this transaction, if one is free and no
    event is waiting for the worker (a newer event does not overtake the queue).

    On PostgreSQL a slot is a transaction-level advisory lock, given back at commit or rollback, so a
    crash never leaks one. SQLite (the embedded default: one process, one writer) needs no slot.
    """
    slots = settings.PAYMENTS_WEBHOOK_INLINE_SLOTS
    if slots <= 0:
        return False
    connection = transaction.get_connection()
    if connection.vendor != "postgresql":
        return not ProviderEvent.objects.filter(outcome="").exists()
    with connection.cursor() as cursor:
        # One round trip. CASE makes the order certain: no slot is taken while events wait; then the
        # slots are tried in order and the first free one is taken, the others left alone.
        cursor.execute(
            f"SELECT CASE WHEN EXISTS (SELECT 1 FROM {ProviderEvent._meta.db_table} WHERE outcome = '') "
            "THEN false ELSE EXISTS (SELECT 1 FROM generate_series(1, %s) AS slot "
            "WHERE pg_try_advisory_xact_lock(%s, slot)) END",
            [slots, _INLINE_SLOT_LOCKS],
        )
        return bool(cursor.fetchone()[0])


def provider_event_apply(*, event_pk: int) -> str:
    """Apply a stored event that was queued for a worker; once, whoever calls (the task, the sweep)."""
    with transaction.atomic():
        stored = ProviderEvent.objects.select_for_update(skip_locked=True).filter(pk=event_pk).first()
        if stored is None:
            return "busy"  # another worker holds it, or it is gone
        if stored.outcome:
            return stored.outcome
        facts = [ProviderEventData(stored.event_id, str(kind), dict(data)) for kind, data in stored.facts]
        stored.outcome = _facts_apply(facts, provider=stored.provider)
        stored.applied_at = timezone.now()
        stored.save(update_fields=["outcome", "applied_at"])
        return stored.outcome


def provider_event_hold_back(*, event_pk: int, pause_seconds: float = 0.25) -> float:
    """Wait while a burst of webhooks is on, so that the database answers the provider first; at most until
    the event is PAYMENTS_EVENTS_MAX_DEFER_SECONDS old. Returns the seconds waited.

    A burst: PAYMENTS_EVENTS_YIELD_PER_SECOND or more events stored for the worker within the last second
    (counted on the index of waiting events, across every web process of the deployment)."""
    rate = settings.PAYMENTS_EVENTS_YIELD_PER_SECOND
    received = ProviderEvent.objects.filter(pk=event_pk).values_list("received_at", flat=True).first()
    if rate <= 0 or received is None:
        return 0.0
    until = received + timedelta(seconds=settings.PAYMENTS_EVENTS_MAX_DEFER_SECONDS)
    waited = 0.0
    while timezone.now() < until:
        recent = timezone.now() - timedelta(seconds=1)
        if ProviderEvent.objects.filter(outcome="", received_at__gte=recent)[:rate].count() < rate:
            break
        time.sleep(pause_seconds)
        waited += pause_seconds
    return waited


def provider_events_apply_waiting(*, older_than_seconds: int = 30, limit: int = 1000) -> int:
    """Apply queued events whose task was lost (beat sweep): the oldest first. Returns how many."""
    cutoff = timezone.now() - timedelta(seconds=older_than_seconds)
    waiting = list(ProviderEvent.objects.filter(outcome="", received_at__lt=cutoff)
                   .order_by("received_at").values_list("pk", flat=True)[:limit])
    for event_pk in waiting:
        provider_event_apply(event_pk=event_pk)
    return len(waiting)


def _apply(event: ProviderEventData, *, provider: str) -> str:
    if event.event_type in ("payment.paid", "payment.failed", "payment.expired"):
        return _payment_settled(event, provider=provider)
    if event.event_type == "payment.account_issued":
        return _account_issued(event, provider=provider)
    if event.event_type in ("payment.refunded", "refund.failed"):
        return _refund_settled(event, provider=provider)
    if event.event_type in ("payout.paid", "payout.failed"):
        return _payout_settled(event, provider=provider)
    if event.event_type == "payment.unknown":
        return "unknown_payment"
    return "ignored"


def _account_issued(event: ProviderEventData, *, provider: str) -> str:
    """The provider issued the payer's virtual account: the page shows bank, number and deadline."""
    payment = Payment.objects.filter(
        provider=provider, provider_payment_id=str(event.data.get("payment_id", ""))
    ).first()
    if payment is None:
        return "unknown_payment"
    if payment.status != Payment.Status.PENDING:
        return "already_settled"
    if _amount(event.data) != payment.amount_krw:
        return "amount_mismatch"  # the account is for another amount: the deposit will be refused too
    expires_at = parse_datetime(str(event.data.get("expires_at", "")) or "")
    with translation.override("ko"):  # the bank's name as the payer's banking app shows it
        bank = bank_name(str(event.data.get("bank", "")))
    account = f"{bank} {event.data.get('account_number', '')}".strip()
    Payment.objects.filter(pk=payment.pk, status=Payment.Status.PENDING).update(
        virtual_account=account[:60], virtual_account_expires_at=expires_at)
    return "account_issued"


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
    if (payment.status == Payment.Status.CANCELLED and event.event_type == "payment.paid"
            and payment.paid_at is None):
        # Paid after it was cancelled here (the subject expired or was paid another way, and a transfer
        # still reached the virtual account): not kept, given back whole; the sweep finds it if need be.
        payment.paid_at = timezone.now()
        Payment.objects.filter(pk=payment.pk).update(paid_at=payment.paid_at)
        transaction.on_commit(functools.partial(
            unwanted_payment_return, provider=provider, provider_payment_id=payment.provider_payment_id,
            amount_krw=payment.amount_krw, reason="paid after the payment was cancelled"), robust=True)
        return "refused_not_payable"
    if payment.status != Payment.Status.PENDING:
        return "already_settled"
    if event.event_type == "payment.failed":
        transition_run(instance=payment, name="mark_failed", reason=str(event.data.get("reason", ""))[:200],
                       locked=True)
        handler.failed(payment=payment, subject=subject)
        return "failed"
    if event.event_type == "payment.expired":
        transition_run(instance=payment, name="cancel", reason="the virtual account expired unpaid",
                       locked=True)
        handler.failed(payment=payment, subject=subject)
        return "expired"
    if _amount(event.data) != payment.amount_krw or event.data.get("currency", "KRW") != "KRW":
        transition_run(instance=payment, name="mark_failed", reason="amount differs from the checkout",
                       locked=True)
        return "amount_mismatch"
    refusal = handler.refusal(subject)
    if refusal:
        # Paid too late or twice: the money is not kept; the provider gives it back whole. Its capture
        # time is kept: the sweep of money on its way back looks for it until it is back.
        payment.paid_at = timezone.now()
        transition_run(instance=payment, name="cancel", reason=refusal, locked=True)
        transaction.on_commit(functools.partial(
            unwanted_payment_return, provider=provider, provider_payment_id=payment.provider_payment_id,
            amount_krw=payment.amount_krw, reason=refusal), robust=True)
        return "refused_not_payable"
    payment.paid_at = timezone.now()
    payment = transition_run(instance=payment, name="mark_paid", locked=True)  # locked just above
    return handler.paid(payment=payment, subject=subject)


def _refund_settled(event: ProviderEventData, *, provider: str) -> str:
    refund = Refund.objects.filter(
        payment__provider=provider, provider_refund_id=str(event.data.get("refund_id", ""))
    ).select_related("payment__subject_type").first()
    if refund is None and event.data.get("key_ref"):
        # The provider answered before its refund id was stored with ours: found by its key.
        refund = next((
            candidate for candidate in Refund.objects.filter(
                payment__provider=provider,
                payment__provider_payment_id=str(event.data.get("payment_id", "")),
                provider_refund_id__startswith="pending-",
            ).select_related("payment__subject_type")
            if key_reference(candidate.key) == event.data["key_ref"]
        ), None)
        if refund is not None:
            Refund.objects.filter(pk=refund.pk).update(provider_refund_id=str(event.data["refund_id"]))
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
        _refund_refused(refund=refund, reason=str(event.data.get("reason", "")))
        return "refund_failed"
    if _amount(event.data) not in (None, refund.amount_krw):
        return "amount_mismatch"  # left requested: finance looks at it
    hold_post(hold=refund.hold)
    transition_run(instance=refund, name="mark_done")
    Refund.objects.filter(pk=refund.pk).update(settled_at=now, refund_account="")
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
        if _amount(event.data) not in (None, payout.amount_krw):
            return "amount_mismatch"  # left on its way: reconciliation tells finance
        hold_post(hold=payout.hold)
        transition_run(instance=payout, name="mark_paid")
        outcome = "payout_paid"
    else:
        from .payouts import payout_bounce_told

        reason = str(event.data.get("reason", ""))[:200]
        hold_void(hold=Hold.objects.get(pk=payout.hold_id), reason="bank refused the payout")
        transition_run(instance=payout, name="mark_failed", reason=reason)
        Payout.objects.filter(pk=payout.pk).update(failure=reason)
        payout_bounce_told(payout=payout, reason=reason)
        outcome = "payout_failed"
    Payout.objects.filter(pk=payout.pk).update(settled_at=timezone.now())
    return outcome


def unwanted_payment_return(
    *, provider: str, provider_payment_id: str, amount_krw: int, reason: str, attempt: int = 1
) -> str:
    """Give back a payment the subject could not take (paid after it expired, or twice). It never
    entered the ledger, so only the provider is asked, again with backoff while it cannot be reached
    (the same key never cancels twice). When the provider refuses, the money is the payer's all the same:
    it enters the ledger as their credit, which they withdraw to their own bank account; finance is told
    whenever it could not be given back."""
    if Transfer.objects.filter(idempotency_key=unwanted_kept_key(provider, provider_payment_id)).exists():
        return "kept_as_credit"  # refused before: it is the payer's credit, never given back twice
    try:
        get_provider(provider).payment_cancel(
            provider_payment_id=provider_payment_id, amount_krw=amount_krw, reason=reason[:150],
            key=f"unwanted:{provider}:{provider_payment_id}",
        )
        return "returned"
    except ProviderUnavailable as exc:
        if attempt < REFUND_ATTEMPTS:
            from .tasks import unwanted_payment_return_later

            unwanted_payment_return_later.apply_async((), {
                "provider": provider, "provider_payment_id": provider_payment_id, "amount_krw": amount_krw,
                "reason": reason, "attempt": attempt + 1,
            }, countdown=min(30 * 2 ** (attempt - 1), 3600))
            return "retry"
        failure, outcome = exc, "unavailable"
    except ProviderRefused as exc:
        failure, outcome = exc, "kept_as_credit"
        with transaction.atomic():
            payment = Payment.objects.select_related("payer").get(
                provider=provider, provider_payment_id=provider_payment_id)
            _payer_credited(
                payment=payment, debit=platform_account(PSP_CLEARING), amount_krw=amount_krw,
                key=unwanted_kept_key(provider, provider_payment_id),
                reason=f"payment {provider_payment_id} could not be kept nor cancelled: the payer's credit",
                title=gettext_lazy("₩%(amount)s you paid could not be used nor cancelled: it is kept "
                                   "as your credit. Withdraw it to your bank account."),
            )
    staff_notify(group="finance", title=Phrase(
        gettext_lazy("A payment of ₩%(amount)s that could not be kept was not given back"),
        {"amount": f"{amount_krw:,}"}), body=f"{provider_payment_id}: {failure}"[:500])
    return outcome


def _payer_credited(*, payment: Payment, debit: LedgerAccount | None, amount_krw: int, key: str, reason: str,
                    title) -> None:
    """Money the provider would not give back is the payer's credit: moved from `debit` (nothing to move
    when it is already their credit), and the payer is told by text where to withdraw it."""
    if debit is not None:
        ledger_transfer(debit=debit, credit=consumer_payable(payment.payer), amount_krw=amount_krw,
                        key=key[:200], reason=reason[:300], subject=payment.subject)
    notification_send(user=payment.payer, sms_text=True, title=Phrase(title, {"amount": f"{amount_krw:,}"}),
                      url=reverse("payments_pages:credit"))


def unwanted_kept_key(provider: str, provider_payment_id: str) -> str:
    """The ledger key of an unwanted payment the provider would not cancel, kept as the payer's credit."""
    return f"unwanted-kept:{provider}:{provider_payment_id}"[:200]
