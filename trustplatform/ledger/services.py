"""The ledger's public service API, used by every app that moves money.

`ledger_transfer`, `ledger_hold`, `hold_post`, `hold_void`, `account_open` and `credits_fold`. Each takes an
idempotency key: a repeat with the same key and the same terms returns the first result and moves
nothing; the same key with other terms is refused. Account rows are locked in primary-key order,
so two transfers over the same accounts never deadlock.
"""

import json

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from trustplatform.errors import Conflict, DomainError, NotFound

from .models import Hold, LedgerAccount, PendingCredit, Transfer


class LedgerError(DomainError):
    pass


class LedgerNotFound(LedgerError, NotFound):
    """A LedgerError that asks for something that is not there or not theirs (404)."""


class LedgerConflict(LedgerError, Conflict):
    """A LedgerError that is refused by the current state of things (409)."""


PLATFORM_ACCOUNTS = {
    # code: (name, kind, allow_negative, queued_credits)
    # Every payment moves money out of it and every refund into it: its movements are queued, so it is
    # never a hot row (it may go below zero, so a debit needs no balance under a lock).
    "platform-psp-clearing": ("PSP clearing (payments in)", LedgerAccount.Kind.EXTERNAL, True, True),
    "platform-payouts-sent": ("Payouts sent to banks", LedgerAccount.Kind.EXTERNAL, False, False),
    "platform-capital": ("Platform capital", LedgerAccount.Kind.EXTERNAL, True, False),
    "platform-guarantee-fund": ("Guarantee fund", LedgerAccount.Kind.PLATFORM, False, False),
    # The platform's own money: capital paid in and swept fee revenue; it tops up the guarantee fund.
    "platform-operating": ("Operating account", LedgerAccount.Kind.PLATFORM, False, False),
    # Credited with a share of every release: its credits are queued so it is never a hot row.
    "platform-fee-revenue": ("Fee revenue", LedgerAccount.Kind.PLATFORM, False, True),
}


def account_open(
    *,
    code: str,
    name: str,
    kind: str,
    allow_negative: bool = False,
    queued_credits: bool = False,
    user=None,
    partner=None,
) -> LedgerAccount:
    """The account with this code, created on first use (safe under concurrency)."""
    account, _created = LedgerAccount.objects.get_or_create(
        code=code,
        defaults={
            "name": name,
            "kind": kind,
            "allow_negative": allow_negative,
            "queued_credits": queued_credits,
            "user": user,
            "partner": partner,
        },
    )
    return account


def platform_account(code: str) -> LedgerAccount:
    name, kind, allow_negative, queued_credits = PLATFORM_ACCOUNTS[code]
    return account_open(
        code=code, name=name, kind=kind, allow_negative=allow_negative, queued_credits=queued_credits
    )


def _fold(account: LedgerAccount) -> None:
    """Fold an account's queued credits into its balance; the caller holds the account's row lock.

    Only rows committed by now are seen, and exactly those are deleted and added, so a credit
    committed a moment later waits for the next fold instead of being lost or counted twice.
    """
    rows = list(PendingCredit.objects.filter(account_id=account.pk).values_list("pk", "amount_krw"))
    if not rows:
        return
    PendingCredit.objects.filter(pk__in=[pk for pk, _amount in rows]).delete()
    added = sum(amount for _pk, amount in rows)
    LedgerAccount.objects.filter(pk=account.pk).update(balance_krw=F("balance_krw") + added)
    account.balance_krw += added


def credits_fold(*, account: LedgerAccount) -> LedgerAccount:
    """Bring a queued-credits account's stored balance up to date (beat task, and before debits)."""
    with transaction.atomic():
        locked = _lock_accounts(account.pk)[account.pk]
        _fold(locked)
        return locked


def _check_amount(amount_krw) -> int:
    # bool is an int in Python; a True amount is a bug, not one won.
    if isinstance(amount_krw, bool) or not isinstance(amount_krw, int) or amount_krw <= 0:
        raise LedgerError(
            _("An amount is a whole number of won above zero."),
            code="invalid_amount",
            fields={"amount_krw": [_("Must be a whole number above zero.")]},
        )
    return amount_krw


def _lock_accounts(*account_ids: int) -> dict[int, LedgerAccount]:
    """SELECT ... FOR UPDATE on the accounts, always in primary-key order (no deadlocks)."""
    rows = LedgerAccount.objects.select_for_update().filter(pk__in=set(account_ids)).order_by("pk")
    return {account.pk: account for account in rows}


def _same_terms(existing, *, debit_id: int, credit_id: int, amount_krw: int) -> None:
    if (existing.debit_account_id, existing.credit_account_id, existing.amount_krw) != (
        debit_id,
        credit_id,
        amount_krw,
    ):
        raise Conflict(
            _("This idempotency key was already used for a different movement."), code="idempotency_mismatch"
        )


def _subject_fields(subject) -> dict:
    if subject is None:
        return {}
    return {"subject_type": ContentType.objects.get_for_model(type(subject)), "subject_id": str(subject.pk)}


def _refuse_overdraft(account: LedgerAccount, amount_krw: int) -> None:
    if not account.allow_negative and account.available_krw < amount_krw:
        raise LedgerConflict(
            _("%(account)s has ₩%(available)s available, less than ₩%(amount)s.")
            % {
                "account": account.name,
                "available": f"{account.available_krw:,}",
                "amount": f"{amount_krw:,}",
            },
            code="insufficient_funds",
        )


def ledger_transfer(
    *,
    debit: LedgerAccount,
    credit: LedgerAccount,
    amount_krw: int,
    key: str,
    reason: str,
    subject=None,
    metadata: dict | None = None,
) -> Transfer:
    """Move `amount_krw` from `debit` to `credit` once. Locks both account rows (pk order), except the
    side whose movement is queued (see `_queues_debit`)."""
    amount_krw = _check_amount(amount_krw)
    if debit.pk == credit.pk:
        raise LedgerError(_("A transfer needs two different accounts."), code="same_account")
    queue_debit = _queues_debit(debit=debit, credit=credit)
    # Taking money out of a queued-credits account that must stay covered folds its queue first: the
    # portable path.
    if SINGLE_STATEMENT and connection.vendor == "postgresql" and (queue_debit or not debit.queued_credits):
        return _transfer_single_statement(
            debit=debit,
            credit=credit,
            amount_krw=amount_krw,
            key=key,
            reason=reason,
            subject=subject,
            metadata=metadata,
            queue_debit=queue_debit,
        )
    try:
        with transaction.atomic():
            # A queued side is moved without its row lock: that is the point of it.
            locked_ids = [pk for pk, queued in ((debit.pk, queue_debit), (credit.pk, credit.queued_credits))
                          if not queued]
            accounts = _lock_accounts(*locked_ids)
            # Checked under the lock: a concurrent twin from this debit account has committed by now.
            existing = Transfer.objects.filter(idempotency_key=key).first()
            if existing is not None:
                _same_terms(existing, debit_id=debit.pk, credit_id=credit.pk, amount_krw=amount_krw)
                return existing
            if not all(pk in accounts or LedgerAccount.objects.filter(pk=pk).exists()
                       for pk in (debit.pk, credit.pk)):
                raise LedgerNotFound(_("The account does not exist."), code="unknown_account")
            if not queue_debit:
                if accounts[debit.pk].queued_credits:
                    _fold(accounts[debit.pk])
                _refuse_overdraft(accounts[debit.pk], amount_krw)
            return _post_transfer(
                debit_id=debit.pk,
                credit_id=credit.pk,
                amount_krw=amount_krw,
                key=key,
                reason=reason,
                subject=subject,
                metadata=metadata,
                queue_credit=credit.queued_credits,
                queue_debit=queue_debit,
            )
    except IntegrityError:
        # The same key raced in over other accounts: the unique index kept one; say which.
        existing = Transfer.objects.filter(idempotency_key=key).first()
        if existing is None:
            raise
        _same_terms(existing, debit_id=debit.pk, credit_id=credit.pk, amount_krw=amount_krw)
        return existing


def _queues_debit(*, debit: LedgerAccount, credit: LedgerAccount) -> bool:
    """Whether a debit is queued instead of applied under the account's row lock: only from a queued
    account that may go below zero (nothing to check, e.g. the payment provider's clearing, which every
    payment moves money out of), and only into an account whose own side is not queued (one queued side
    per transfer)."""
    return debit.queued_credits and debit.allow_negative and not credit.queued_credits


# On PostgreSQL a transfer is one statement: lock both rows (pk order), check the funds, insert the
# row unless the key exists, and apply both balances. One round trip instead of seven, and no
# savepoint inside a caller's transaction. Tests switch it off to exercise the portable path too.
SINGLE_STATEMENT = True

# Into a queued-credits account (%(queued)s true) only the debit row is locked and changed; the
# credit is queued in escrow_pendingcredit and folded into the balance later, so a busy receiver
# is never a hot row. Out of a queued account that may go negative (%(queued_debit)s true) it is the
# other way round: the debit is queued, with a negative amount, and only the credit row is locked.
_TRANSFER_SQL = """
WITH locked AS (
    SELECT id, allow_negative, balance_krw - reserved_krw AS available
    FROM escrow_ledgeraccount
    WHERE (id = %(debit)s AND NOT %(queued_debit)s) OR (id = %(credit)s AND NOT %(queued)s)
    ORDER BY id FOR NO KEY UPDATE
),
checked AS (
    SELECT EXISTS (SELECT 1 FROM escrow_ledgeraccount WHERE id = %(debit)s)
               AND EXISTS (SELECT 1 FROM escrow_ledgeraccount WHERE id = %(credit)s) AS both_exist,
           %(queued_debit)s OR coalesce(bool_and(id <> %(debit)s OR allow_negative OR available >= %(amount)s)
                                         AND bool_or(id = %(debit)s), false) AS covered
    FROM locked
),
inserted AS (
    INSERT INTO escrow_transfer (idempotency_key, debit_account_id, credit_account_id, amount_krw, reason,
                                 subject_type_id, subject_id, metadata, created_at)
    SELECT %(key)s, %(debit)s, %(credit)s, %(amount)s, %(reason)s, %(subject_type)s, %(subject_id)s,
           %(metadata)s::jsonb, now()
    FROM checked WHERE both_exist AND covered
    ON CONFLICT (idempotency_key) DO NOTHING
    RETURNING id, created_at
),
queued AS (
    INSERT INTO escrow_pendingcredit (account_id, transfer_id, amount_krw)
    SELECT %(credit)s, id, %(amount)s FROM inserted WHERE %(queued)s
    UNION ALL
    SELECT %(debit)s, id, -%(amount)s FROM inserted WHERE %(queued_debit)s
    RETURNING id
),
applied AS (
    UPDATE escrow_ledgeraccount
    SET balance_krw = balance_krw + CASE WHEN id = %(credit)s THEN %(amount)s ELSE -%(amount)s END
    WHERE ((id = %(debit)s AND NOT %(queued_debit)s) OR (id = %(credit)s AND NOT %(queued)s))
          AND EXISTS (SELECT 1 FROM inserted)
    RETURNING id
)
SELECT (SELECT both_exist FROM checked), (SELECT covered FROM checked),
       (SELECT id FROM inserted), (SELECT created_at FROM inserted),
       (SELECT count(*) FROM applied) + (SELECT count(*) FROM queued)
"""


def _transfer_single_statement(*, debit, credit, amount_krw, key, reason, subject, metadata,
                               queue_debit: bool = False) -> Transfer:
    fields = {
        "idempotency_key": key,
        "debit_account_id": debit.pk,
        "credit_account_id": credit.pk,
        "amount_krw": amount_krw,
        "reason": reason[:300],
        "metadata": metadata or {},
        "subject_id": "",
        "subject_type_id": None,
    }
    if subject is not None:
        fields["subject_type_id"] = ContentType.objects.get_for_model(type(subject)).pk
        fields["subject_id"] = str(subject.pk)
    from trustplatform.postgres.base import prepared_cursor

    # Planned once per connection: planning this statement cost more than running it.
    with prepared_cursor(connection) as cursor:
        cursor.execute(
            _TRANSFER_SQL,
            {
                "debit": debit.pk,
                "credit": credit.pk,
                "amount": amount_krw,
                "key": key,
                "reason": fields["reason"],
                "subject_type": fields["subject_type_id"],
                "subject_id": fields["subject_id"],
                "metadata": json.dumps(fields["metadata"]),
                "queued": bool(credit.queued_credits),
                "queued_debit": queue_debit,
            },
        )
        both_exist, covered, transfer_id, created_at, applied = cursor.fetchone()
    if transfer_id is not None:
        if applied != 2:  # cannot happen while both rows are locked; never return a half-applied move
            raise RuntimeError(f"transfer {transfer_id} applied to {applied} accounts")
        transfer = Transfer(id=transfer_id, created_at=created_at, **fields)
        transfer._state.adding, transfer._state.db = False, "default"
        return transfer
    existing = Transfer.objects.filter(idempotency_key=key).first()
    if existing is not None:
        _same_terms(existing, debit_id=debit.pk, credit_id=credit.pk, amount_krw=amount_krw)
        return existing
    if not both_exist:
        raise LedgerNotFound(_("The account does not exist."), code="unknown_account")
    _refuse_overdraft(LedgerAccount.objects.get(pk=debit.pk), amount_krw)
    raise RuntimeError("transfer refused without a reason")  # pragma: no cover


def _post_transfer(
    *,
    debit_id: int,
    credit_id: int,
    amount_krw: int,
    key: str,
    reason: str,
    subject=None,
    metadata=None,
    queue_credit: bool | None = None,
    queue_debit: bool = False,
) -> Transfer:
    """Write the transfer row and apply it to both balances; the caller holds the row locks
    (the debit's unless its debits are queued, and the credit's unless its credits are queued)."""
    if queue_credit is None:
        queue_credit = LedgerAccount.objects.filter(pk=credit_id, queued_credits=True).exists()
    if not queue_debit:
        LedgerAccount.objects.filter(pk=debit_id).update(balance_krw=F("balance_krw") - amount_krw)
    if not queue_credit:
        LedgerAccount.objects.filter(pk=credit_id).update(balance_krw=F("balance_krw") + amount_krw)
    transfer = Transfer.objects.create(
        idempotency_key=key,
        debit_account_id=debit_id,
        credit_account_id=credit_id,
        amount_krw=amount_krw,
        reason=reason[:300],
        metadata=metadata or {},
        **_subject_fields(subject),
    )
    if queue_credit:
        PendingCredit.objects.create(account_id=credit_id, transfer=transfer, amount_krw=amount_krw)
    if queue_debit:
        PendingCredit.objects.create(account_id=debit_id, transfer=transfer, amount_krw=-amount_krw)
    return transfer


def ledger_hold(
    *, debit: LedgerAccount, credit: LedgerAccount, amount_krw: int, key: str, reason: str
) -> Hold:
    """Reserve `amount_krw` on `debit` for a later post to `credit`. Locks both account rows."""
    amount_krw = _check_amount(amount_krw)
    if debit.pk == credit.pk:
        raise LedgerError(_("A hold needs two different accounts."), code="same_account")
    with transaction.atomic():
        accounts = _lock_accounts(debit.pk, credit.pk)
        existing = Hold.objects.filter(idempotency_key=key).first()
        if existing is not None:
            _same_terms(existing, debit_id=debit.pk, credit_id=credit.pk, amount_krw=amount_krw)
            return existing
        if accounts[debit.pk].queued_credits:
            _fold(accounts[debit.pk])
        _refuse_overdraft(accounts[debit.pk], amount_krw)
        LedgerAccount.objects.filter(pk=debit.pk).update(reserved_krw=F("reserved_krw") + amount_krw)
        return Hold.objects.create(
            idempotency_key=key,
            debit_account=debit,
            credit_account=credit,
            amount_krw=amount_krw,
            reason=reason[:300],
        )


def _locked_hold(hold: Hold) -> Hold:
    """Lock the two accounts (pk order) and then the hold; the same order as ledger_hold."""
    _lock_accounts(hold.debit_account_id, hold.credit_account_id)
    return Hold.objects.select_for_update().get(pk=hold.pk)


def hold_post(*, hold: Hold, actor=None) -> Transfer:
    """Move a pending hold's money; posting an already posted hold returns its transfer."""
    with transaction.atomic():
        locked = _locked_hold(hold)
        if locked.status == Hold.Status.POSTED:
            return locked.transfer
        if locked.status != Hold.Status.PENDING:
            raise Conflict(_("This hold was voided; its money can no longer move."), code="hold_voided")
        LedgerAccount.objects.filter(pk=locked.debit_account_id).update(
            reserved_krw=F("reserved_krw") - locked.amount_krw
        )
        transfer = _post_transfer(
            debit_id=locked.debit_account_id,
            credit_id=locked.credit_account_id,
            amount_krw=locked.amount_krw,
            key=f"{locked.idempotency_key}:post",
            reason=locked.reason,
            metadata={"hold": locked.pk},
        )
        locked.post(by=actor, transfer=transfer)
        locked.settled_at = timezone.now()
        locked.save()
        return transfer


def hold_void(*, hold: Hold, actor=None, reason: str = "") -> Hold:
    """Release a pending hold's reservation; voiding a voided hold does nothing."""
    with transaction.atomic():
        locked = _locked_hold(hold)
        if locked.status == Hold.Status.VOIDED:
            return locked
        if locked.status != Hold.Status.PENDING:
            raise Conflict(
                _("This hold was already posted; refund it with a new transfer."), code="hold_posted"
            )
        LedgerAccount.objects.filter(pk=locked.debit_account_id).update(
            reserved_krw=F("reserved_krw") - locked.amount_krw
        )
        locked.void(by=actor, reason=reason)
        locked.settled_at = timezone.now()
        locked.save()
        return locked


def partner_payable(partner) -> LedgerAccount:
    """What the platform owes a partner (below zero: what the partner owes the platform)."""
    return account_open(
        code=f"partner-{partner.pk}-payable",
        name=f"Payable to {partner.name}",
        kind=LedgerAccount.Kind.PARTNER,
        partner=partner,
    )


def consumer_payable(user) -> LedgerAccount:
    """What the platform owes a consumer: refunds and compensation waiting to be paid out."""
    return account_open(
        code=f"consumer-{user.pk}-payable",
        name=f"Payable to consumer #{user.pk}",
        kind=LedgerAccount.Kind.CONSUMER,
        user=user,
    )


def accounts_lock(*accounts: LedgerAccount) -> list[LedgerAccount]:
    """Lock these accounts' rows in primary-key order (so two callers never deadlock) and return them
    fresh, in the order given. For a caller that reads balances and then moves money in one
    transaction: the transfers it makes afterwards find the rows already locked."""
    rows = {
        account.pk: account
        for account in LedgerAccount.objects.select_for_update(no_key=True)
        .filter(pk__in={account.pk for account in accounts})
        .order_by("pk")
    }
    return [rows[account.pk] for account in accounts]


def transfer_done(key: str) -> bool:
    """Whether a transfer was already made under this idempotency key."""
    return Transfer.objects.filter(idempotency_key=key).exists()
