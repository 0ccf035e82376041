"""Money out to people's banks: payee accounts checked with the bank, payouts of partners' payables
and of consumers' credit, each confirmed only by the provider.

A payee (a partner, or a consumer withdrawing their credit) registers one bank account; the provider
asks the bank who holds it and the name must be the payee's. The number is encrypted at rest and
shown masked. Replacing an account needs the partner's owner role, a new check, and holds payouts
for `PAYMENTS_PAYOUT_ACCOUNT_HOLD_HOURS` while every owner is told (a stolen login that changes the
account is caught before any money leaves).

A payout reserves the money on the payee's payable account (a hold), is sent to the provider once the
transaction commits under our own reference (which the provider keeps as its id, so a repeat never
pays twice), and leaves the ledger only when the provider's signed event or its status says it was
paid; a bounced payout gives the money back to the payable and tells the payee.
"""

import functools
import uuid
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Sum
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from trustplatform.errors import Conflict, Forbidden
from trustplatform.ledger.models import Transfer
from trustplatform.ledger.services import (
    accounts_lock,
    consumer_payable,
    ledger_hold,
    partner_payable,
    platform_account,
)
from trustplatform.notifications.services import Phrase, notification_send, staff_notify
from trustplatform.partners.models import Membership, Partner
from trustplatform.partners.selectors import membership_role, partner_payee_identity
from trustplatform.partners.services import partner_notify
from trustplatform.pii import mask_account

from .banks import BANKS, bank_name
from .models import Payment, Payout, PayoutAccount, Refund
from .providers import (
    BankAccount,
    Payee,
    ProviderRefused,
    ProviderUnavailable,
    get_provider,
)
from .services import PaymentError, _apply, partner_debts_settle, refund_request

PAYOUTS_SENT = "platform-payouts-sent"
PAYOUT_ATTEMPTS = 8  # with backoff from 30 s, about two hours before finance is asked to look


def _same_name(a: str, b: str) -> bool:
    return "".join(a.split()).casefold() == "".join(b.split()).casefold()


def payee_identity(*, partner: Partner | None = None, user=None) -> tuple[list[str], str, str]:
    """Whose names an account of this payee may be held in, and what the bank's holder lookup is given:
    (names, birth date, business registration number). A business's account is held in its name or its
    representative's; an individual landlord's, in the name their identity verification gave; a
    consumer's, in their own."""
    if partner is None:
        return [user.full_name], "", ""
    kind, name, number = partner_payee_identity(partner)
    if kind == "individual":
        return [name], number, ""
    return [name for name in (partner.name, partner.representative) if name], "", number


def current_payout_account(*, partner: Partner | None = None, user=None) -> PayoutAccount | None:
    accounts = PayoutAccount.objects.filter(replaced_at__isnull=True)
    return (accounts.filter(partner=partner) if partner is not None else accounts.filter(user=user)).first()


def _account_checked(
    *, bank: str, number: str, holder: str, names: list[str], birthdate: str, business_number: str, provider
) -> tuple[BankAccount, str]:
    """The account as the bank has it, refused unless it is held in one of `names`."""
    if bank not in BANKS:
        raise PaymentError(_("Choose the bank."), code="invalid_bank", fields={"bank": [_("Unknown bank.")]})
    digits = "".join(ch for ch in number if ch.isdigit())
    if not 8 <= len(digits) <= 16 or len(digits) != len(number.replace("-", "").replace(" ", "")):
        raise PaymentError(
            _("Enter the account number (8 to 16 digits)."),
            code="invalid_account",
            fields={"number": [_("8 to 16 digits.")]},
        )
    account = BankAccount(bank=bank, number=digits, holder=holder.strip())
    try:
        check = provider.account_verify(account=account, birthdate=birthdate, business_number=business_number)
    except ProviderUnavailable as exc:
        raise PaymentError(
            _("The bank could not be asked just now. Try again in a moment."), code="provider_unavailable"
        ) from exc
    except ProviderRefused as exc:
        raise PaymentError(
            _("The bank does not know this account. Check the bank and the number."),
            code="account_not_found",
            fields={"number": [_("Not found at this bank.")]},
        ) from exc
    if not any(_same_name(check.holder, name) for name in names) or not _same_name(
        check.holder, account.holder
    ):
        raise PaymentError(
            _(
                "The bank says this account is not held in your name (or your business's). Money is only "
                "paid to an account of the payee's own."
            ),
            code="holder_mismatch",
            fields={"holder": [_("Does not match the bank's record.")]},
        )
    return BankAccount(bank=bank, number=digits, holder=check.holder), check.verification_id


def payout_account_register(
    *, actor, bank: str, number: str, holder: str, partner: Partner | None = None
) -> PayoutAccount:
    """Register the bank account payouts go to: a partner's (its owner only) or the actor's own (their
    credit). The bank's holder name is checked through the provider first. A replaced account holds
    payouts for the hold period and every owner is told, by text too. Locks the payee's current account."""
    if partner is not None:
        if membership_role(user=actor, partner=partner) != Membership.Role.OWNER:
            raise Forbidden(_("Only an owner of the business can change where its money is paid."))
        if partner.status != Partner.Status.APPROVED:
            raise Conflict(
                _("The business must be approved before it can be paid."), code="partner_not_active"
            )
    elif not actor.phone_verified:
        raise Conflict(_("Verify your mobile number first."), code="phone_not_verified")
    names, birthdate, business_number = payee_identity(partner=partner, user=actor)
    provider = get_provider()
    account, verification_id = _account_checked(
        bank=bank,
        number=number,
        holder=holder,
        names=names,
        birthdate=birthdate,
        business_number=business_number,
        provider=provider,
    )
    payee_ref = f"partner-{partner.pk}" if partner is not None else f"user-{actor.pk}"
    try:
        provider_payee_id = provider.payee_register(
            payee=Payee(
                ref=payee_ref,
                name=partner.name if partner is not None else actor.full_name,
                account=account,
                verification_id=verification_id,
                business_number=business_number,
                birthdate=birthdate,
            )
        )
    except ProviderUnavailable as exc:
        raise PaymentError(
            _("The payment company could not be asked just now. Try again in a moment."),
            code="provider_unavailable",
        ) from exc
    except ProviderRefused as exc:
        raise PaymentError(
            _("The payment company refused this account: %(reason)s") % {"reason": exc}, code="payee_refused"
        ) from exc
    now = timezone.now()
    with transaction.atomic():
        current = (
            PayoutAccount.objects.select_for_update()
            .filter(
                replaced_at__isnull=True, **({"partner": partner} if partner is not None else {"user": actor})
            )
            .first()
        )
        if current is not None:
            PayoutAccount.objects.filter(pk=current.pk).update(replaced_at=now)
        new = PayoutAccount.objects.create(
            partner=partner,
            user=None if partner is not None else actor,
            bank=account.bank,
            number=account.number,
            number_hint=mask_account(account.number),
            holder=account.holder,
            provider=provider.name,
            verification_id=verification_id,
            provider_payee_id=provider_payee_id,
            verified_at=now,
            registered_by=actor,
            payouts_from=now + timedelta(hours=settings.PAYMENTS_PAYOUT_ACCOUNT_HOLD_HOURS)
            if current
            else now,
        )
        if current is not None:
            _account_change_told(new=new, old=current, actor=actor)
    return new


def _account_change_told(*, new: PayoutAccount, old: PayoutAccount, actor) -> None:
    title = Phrase(
        gettext_lazy(
            "The payout account changed from %(old)s to %(new)s. Payouts wait until %(when)s; if you did not "
            "ask for this, tell us at once."
        ),
        {
            "old": f"{bank_name(old.bank)} {old.number_hint}",
            "new": f"{bank_name(new.bank)} {new.number_hint}",
            "when": formats.date_format(timezone.localtime(new.payouts_from), "Y-m-d H:i"),
        },
    )
    if new.partner_id:
        partner_notify(
            partner=new.partner,
            title=title,
            body=str(actor),
            sms_text=True,
            key=f"payout-account:{new.pk}",
            roles=[Membership.Role.OWNER],
            url=reverse("payments_portal:payouts"),
        )
    else:
        notification_send(
            user=new.user,
            title=title,
            sms_text=True,
            key=f"payout-account:{new.pk}",
            url=reverse("payments_pages:credit"),
        )


def payout_request(*, amount_krw: int, actor, partner: Partner | None = None) -> Payout:
    """Reserve `amount_krw` of the payee's payable (the partner's, or the actor's own credit) and send it
    to the payee's verified account once the transaction commits. A partner's owner or manager may ask;
    a consumer asks for their own. Locks the payable account."""
    if partner is not None:
        if membership_role(user=actor, partner=partner) not in (
            Membership.Role.OWNER,
            Membership.Role.MANAGER,
        ):
            raise Forbidden(_("Only the owner or a manager can request a payout."))
        if partner.status != Partner.Status.APPROVED:
            raise Conflict(
                _("A suspended business cannot be paid out. Contact us."), code="partner_not_active"
            )
    account = current_payout_account(partner=partner, user=None if partner is not None else actor)
    if account is None:
        raise Conflict(_("Register the bank account to pay to first."), code="no_payout_account")
    if account.payouts_from > timezone.now():
        raise Conflict(
            _("The payout account was changed recently: payouts start again at %(when)s.")
            % {"when": formats.date_format(timezone.localtime(account.payouts_from), "Y-m-d H:i")},
            code="payout_account_on_hold",
        )
    provider = get_provider()
    key = f"payout:{partner.pk if partner is not None else f'user-{actor.pk}'}:{uuid.uuid4().hex}"
    with transaction.atomic():
        payable = partner_payable(partner) if partner is not None else consumer_payable(actor)
        if partner is not None:
            partner_debts_settle(partner=partner, payable=payable, key=key)
        hold = ledger_hold(
            debit=payable,
            credit=platform_account(PAYOUTS_SENT),
            amount_krw=amount_krw,
            key=key,
            reason=f"payout to {account}"[:300],
        )
        payout = Payout.objects.create(
            partner=partner,
            user=None if partner is not None else actor,
            account=account,
            amount_krw=amount_krw,
            hold=hold,
            provider=provider.name,
            provider_payout_id=f"new-{hold.pk}",
            requested_by=actor,
        )
        # Our reference, which the provider keeps as its own id: its events find the payout even when
        # they arrive before the provider's answer does.
        payout.provider_payout_id = f"ansim-po-{payout.pk}"
        Payout.objects.filter(pk=payout.pk).update(provider_payout_id=payout.provider_payout_id)
        transaction.on_commit(functools.partial(payout_send, payout_id=payout.pk), robust=True)
    return payout


def payout_send(*, payout_id: int) -> str:
    """Ask the provider to send a requested payout; returns what happened. A refusal fails the payout
    (its money back to the payable) and tells the payee; no answer schedules another attempt. Sending
    twice is harmless: the provider keeps our reference as its id."""
    payout = Payout.objects.select_related("account", "partner", "user").get(pk=payout_id)
    if payout.status != Payout.Status.REQUESTED:
        return "already_settled"
    account = payout.account
    names, birthdate, business_number = payee_identity(partner=payout.partner, user=payout.user)
    payee = Payee(
        ref=account.provider_payee_id,
        name=names[0],
        account=BankAccount(bank=account.bank, number=account.number, holder=account.holder),
        verification_id=account.verification_id,
        business_number=business_number,
        birthdate=birthdate,
    )
    Payout.objects.filter(pk=payout.pk).update(attempts=F("attempts") + 1)
    try:
        get_provider(payout.provider).payout_create(
            payout_ref=payout.provider_payout_id,
            amount_krw=payout.amount_krw,
            payee=payee,
            payee_id=account.provider_payee_id,
        )
    except ProviderRefused as exc:
        with transaction.atomic():
            _apply_payout_fact("payout.failed", payout=payout, reason=str(exc))
        return "refused"
    except ProviderUnavailable as exc:
        attempts = payout.attempts + 1
        if attempts >= PAYOUT_ATTEMPTS:
            # The beat's sweep (`payouts_sync`) keeps asking; finance hears of it once.
            if attempts == PAYOUT_ATTEMPTS:
                staff_notify(
                    group="finance",
                    title=Phrase(
                        gettext_lazy("A payout of ₩%(amount)s could not reach the payment company"),
                        {"amount": f"{payout.amount_krw:,}"},
                    ),
                    body=str(exc)[:500],
                    url=reverse("admin:payments_payout_change", args=[payout.pk]),
                )
            return "unavailable"
        from .tasks import payout_send_later

        payout_send_later.apply_async((payout.pk,), countdown=min(30 * 2 ** (attempts - 1), 3600))
        return "retry"
    return "sent"


def _apply_payout_fact(event_type: str, *, payout: Payout, reason: str = "") -> str:
    from .providers import ProviderEventData

    return _apply(
        ProviderEventData("", event_type, {"payout_id": payout.provider_payout_id, "reason": reason}),
        provider=payout.provider,
    )


def payout_sync(*, payout: Payout) -> list[str]:
    """Ask the provider how a requested payout went and apply it (idempotent). A payout the provider
    never received (its sending was lost: a worker stopped after the commit) is sent now; our reference
    is the provider's id, so it is paid once whichever request arrives."""
    outcomes = []
    for fact in get_provider(payout.provider).payout_facts(provider_payout_id=payout.provider_payout_id):
        if fact.event_type == "payout.unknown":
            outcomes.append(payout_send(payout_id=payout.pk))
            continue
        with transaction.atomic():
            outcomes.append(_apply(fact, provider=payout.provider))
    return outcomes


def payouts_sync(*, older_than_seconds: int = 60) -> dict[str, int]:
    """Every payout still on its way, asked about at its provider (for providers that tell by status
    rather than by webhook, and for webhooks that never came), and sent when it never reached the
    provider. One failure does not stop the rest."""
    counts: dict[str, int] = {}
    due = Payout.objects.filter(
        status=Payout.Status.REQUESTED,
        created_at__lte=timezone.now() - timedelta(seconds=older_than_seconds),
    )
    for payout in due.order_by("pk").iterator():
        try:
            if payout.attempts == 0:
                outcomes = [payout_send(payout_id=payout.pk)]
            else:
                outcomes = payout_sync(payout=payout) or ["waiting"]
        except ProviderUnavailable:
            outcomes = ["unavailable"]
        for outcome in outcomes:
            counts[outcome] = counts.get(outcome, 0) + 1
    return counts


def credit_sources(*, user) -> list[dict]:
    """Where a consumer's credit came from: each credit to their payable account, newest first, named
    by what it was for (a guarantee claim, a wasted trip, a stay's compensation) in the reader's words."""
    account = consumer_payable(user)
    entries = []
    credits = Transfer.objects.filter(credit_account=account).select_related("subject_type").order_by("-id")
    for transfer in credits[:200]:
        model = transfer.subject_type.model_class() if transfer.subject_type_id else None
        what = f"{model._meta.verbose_name} #{transfer.subject_id}" if model is not None else _("Credit")
        entries.append({"at": transfer.created_at, "amount_krw": transfer.amount_krw, "what": what})
    return entries


def _cancellable_payments(*, user) -> list[tuple[Payment, int]]:
    """The consumer's card payments for subjects their credit came from that can still be cancelled
    in part, newest first, with how much of each is left to cancel."""
    account = consumer_payable(user)
    subjects = set(
        Transfer.objects.filter(credit_account=account, subject_type__isnull=False).values_list(
            "subject_type", "subject_id"
        )
    )
    found = []
    # A payment whose cancellation the provider refused once is not asked again.
    for payment in Payment.objects.filter(
        payer=user, status=Payment.Status.PAID, method=Payment.Method.CARD
    ).exclude(refunds__status=Refund.Status.FAILED).order_by("-paid_at", "-pk"):
        if (payment.subject_type_id, payment.subject_id) not in subjects:
            continue
        committed = (
            payment.refunds.exclude(status=Refund.Status.FAILED).aggregate(total=Sum("amount_krw"))["total"]
            or 0
        )
        if payment.amount_krw - committed > 0:
            found.append((payment, payment.amount_krw - committed))
    return found


def credit_withdraw(*, user, amount_krw: int) -> dict:
    """The consumer takes `amount_krw` of their credit out: first as cancellations of their own card
    payments for what the credit was about, while those can still be cancelled, and the rest to their
    verified bank account. Returns {"refunds": [...], "payout": Payout | None}."""
    if amount_krw <= 0:
        raise PaymentError(
            _("Enter an amount of at least ₩1."),
            code="invalid_amount",
            fields={"amount_krw": [_("At least ₩1.")]},
        )
    account = consumer_payable(user)
    account.refresh_from_db()
    if amount_krw > account.available_krw:
        raise PaymentError(
            _("You have ₩%(available)s to withdraw.") % {"available": f"{account.available_krw:,}"},
            code="insufficient_credit",
            fields={"amount_krw": [_("Too much.")]},
        )
    plan, left = [], amount_krw
    for payment, cancellable in _cancellable_payments(user=user):
        if left <= 0:
            break
        part = min(left, cancellable)
        plan.append((payment, part))
        left -= part
    if left > 0 and current_payout_account(user=user) is None:
        raise Conflict(
            _("Register your bank account first: ₩%(amount)s of this goes there.") % {"amount": f"{left:,}"},
            code="no_payout_account",
        )
    refunds, payout = [], None
    with transaction.atomic():
        accounts_lock(account)
        for payment, part in plan:
            refunds.append(
                refund_request(
                    payment=payment,
                    amount_krw=part,
                    key=f"credit:{user.pk}:{uuid.uuid4().hex}",
                    reason=_("Your Ansim credit, returned to the card you paid with"),
                    source=account,
                )
            )
        if left > 0:
            payout = payout_request(amount_krw=left, actor=user)
    return {"refunds": refunds, "payout": payout}


def payout_bounce_told(*, payout: Payout, reason: str) -> None:
    """The payee and finance hear that a payout came back; the money is in the payable again."""
    title = Phrase(
        gettext_lazy(
            "₩%(amount)s could not be paid to %(account)s and is back in your balance. Check the account."
        ),
        {"amount": f"{payout.amount_krw:,}", "account": str(payout.account or "")},
    )
    if payout.partner_id:
        partner_notify(
            partner=payout.partner,
            title=title,
            body=reason[:300],
            sms_text=True,
            key=f"payout-bounced:{payout.pk}",
            url=reverse("payments_portal:payouts"),
        )
    else:
        notification_send(
            user=payout.user,
            title=title,
            body=reason[:300],
            sms_text=True,
            key=f"payout-bounced:{payout.pk}",
            url=reverse("payments_pages:credit"),
        )
    staff_notify(
        group="finance",
        title=Phrase(gettext_lazy("A payout of ₩%(amount)s bounced"), {"amount": f"{payout.amount_krw:,}"}),
        body=reason[:500],
        url=reverse("admin:payments_payout_change", args=[payout.pk]),
    )
