"""The money simulation on PortOne, with what goes wrong between a platform and its payment company.

`simulate_with_provider(seed=..., fake=...)` runs the whole-platform money simulation of `simulation.py`
with `PAYMENTS_PROVIDER=portone`: the real SDK talks HTTP to a local fake of PortOne's API (`fake`, a
`tests.fakes.portone.FakePortOne`), and PortOne's webhooks come through the site's own webhook view,
signed as PortOne signs them. On top of the platform's own random steps, the payment company's side
misbehaves as it does in production:

- webhooks delivered twice, late and out of order, and refused (then sent again) while PortOne cannot be
  asked about the payment (a 5xx, a proxy's error page);
- payers paying by card or by virtual account, letting an account expire unpaid, paying one agreement
  twice (the second payment is given back), naming a refund account under someone else's name first;
- cancellations refused by the card company (the money becomes the payer's credit, which they withdraw),
  or done with the answer lost (sent again: never cancelled twice);
- settlements for payouts sent with the answer lost, or not reaching PortOne; payouts bounced by the bank;
- work lost after its commit (a worker stopped before sending) and found again by the beat's sweeps
  (`refunds_sync`, `payouts_sync`), retries run late.

After every step, besides the ledger's own rules (`Simulation.check`), the ledger must agree with PortOne:
what PortOne holds for the platform (captured − cancelled − paid out) equals what the ledger's clearing
and payouts-sent accounts moved since the start, except for what is in flight, and each amount in flight
must be one the platform has not heard of yet (a capture whose webhook is still coming, a cancellation or
a payout whose confirmation is). Each refund key is cancelled at most once, nothing is confirmed that
PortOne did not do, and at the end, when everything in flight has arrived, the two agree exactly.
"""

import collections
import functools
from contextlib import ExitStack
from unittest import mock

from django.db import transaction
from django.test import Client, TestCase, override_settings
from django.utils import timezone

from escrow.models import EscrowAgreement
from escrow.services import payments as escrow_payments
from escrow.services import release
from tests.fakes import portone as fake_portone
from trustplatform.errors import DomainError
from trustplatform.ledger.models import Transfer
from trustplatform.ledger.selectors import account_balance
from trustplatform.ledger.services import consumer_payable, platform_account
from trustplatform.payments import payouts
from trustplatform.payments import services as platform_payments
from trustplatform.payments import tasks as payment_tasks
from trustplatform.payments.models import Payment, Payout, PayoutAccount, Refund
from trustplatform.payments.providers import BankAccount, key_reference

from .simulation import InvariantBroken, Simulation, _Crash, _Rollback

WEBHOOK_PATH = "/hooks/payments/portone/"
# The work a commit starts that moves money; the rest (notices) is not the simulation's business.
MONEY_WORK = {
    platform_payments.refund_send,
    payouts.payout_send,
    platform_payments.unwanted_payment_return,
}
WEBHOOK_TYPES = {
    "VIRTUAL_ACCOUNT_ISSUED": "Transaction.VirtualAccountIssued",
    "PAID": "Transaction.Paid",
    "PARTIAL_CANCELLED": "Transaction.PartialCancelled",
    "CANCELLED": "Transaction.Cancelled",
    "FAILED": "Transaction.Failed",
}


def portone_settings(fake) -> dict:
    return {
        "PAYMENTS_PROVIDER": "portone",
        "PORTONE_API_URL": fake.url,
        "PORTONE_API_SECRET": fake_portone.API_SECRET,
        "PORTONE_STORE_ID": fake_portone.STORE_ID,
        "PORTONE_CHANNEL_KEY_CARD": "channel-key-card-sim",
        "PORTONE_CHANNEL_KEY_VIRTUAL_ACCOUNT": "channel-key-va-sim",
        "PORTONE_WEBHOOK_SECRET": fake_portone.WEBHOOK_SECRET,
        "PORTONE_PLATFORM_CONTRACT_ID": "contract-sim",
        "PORTONE_TIMEOUT_SECONDS": 5,
    }


class ProviderSimulation(Simulation):
    def __init__(self, seed: int, fake):
        super().__init__(seed)
        self.fake = fake
        self.client = Client(HTTP_HOST="localhost")  # a host every environment allows
        self.webhooks: list[tuple[bytes, dict]] = []  # PortOne's, still to arrive (it retries until 2xx)
        self.later: list = []  # work that runs late: retries with a countdown, commits' work delayed
        self.seen: dict[str, tuple[str, int]] = {}  # each payment's state at PortOne when last told
        self.stats: collections.Counter = collections.Counter()  # what went wrong, and how often

    # --- world ---------------------------------------------------------------------------------
    def payee_account(self) -> None:
        """The partner registers its account through PortOne: the bank's holder checked, the payee
        registered as a PortOne platform partner."""
        self.fake.holders[("SHINHAN", "110987654321")] = "owner"
        payouts.payout_account_register(
            partner=self.payee, actor=self.owner, bank="SHINHAN", number="110987654321", holder="owner"
        )
        for index, payer in enumerate(self.payers):
            type(payer).objects.filter(pk=payer.pk).update(phone_verified_at=timezone.now())
            payer.refresh_from_db()
            number = f"3021000{self.seed % 1000:03d}{index}"
            self.fake.holders[("NONGHYUP", number)] = payer.full_name
            payouts.payout_account_register(
                actor=payer, bank="NONGHYUP", number=number, holder=payer.full_name
            )
        # Each account's first registration: payouts may start at once.
        PayoutAccount.objects.filter(pk__in=[a.pk for a in self._accounts()]).update(
            payouts_from=timezone.now()
        )

    def _accounts(self) -> list[PayoutAccount]:
        return [
            *PayoutAccount.objects.filter(partner=self.payee),
            *PayoutAccount.objects.filter(user__in=self.payers),
        ]

    def setup(self) -> None:
        super().setup()
        self.clearing_start = account_balance(account=platform_account(platform_payments.PSP_CLEARING))
        self.sent_start = platform_account(payouts.PAYOUTS_SENT).balance_krw

    # --- committing ----------------------------------------------------------------------------
    def committed(self, work) -> None:
        """Run `work` as a request or a worker would, then what its commit starts: at once (mostly), a
        moment later, or never (the process stopped after the commit: the beat's sweeps find it)."""
        with TestCase.captureOnCommitCallbacks() as callbacks:
            work()
        for callback in callbacks:
            if getattr(callback, "func", None) not in MONEY_WORK:
                continue
            fate = self.rng.random()
            if fate < 0.75:
                self.run_safely(callback)
            elif fate < 0.93:
                self.later.append(callback)
                self.stats["work delayed after its commit"] += 1
            else:
                self.stats["work lost after its commit"] += 1

    def run_safely(self, work) -> None:
        """Run work that happens after a commit: what it commits starts further work in turn."""
        self.committed(work)

    def _as_worker(self, work) -> None:
        """As `Simulation._as_worker`, with what each commit starts: nothing of a worker killed before its
        commit starts anything."""
        fate = self.rng.random()
        if fate < 0.15:
            try:
                with transaction.atomic():
                    work()
                    raise _Crash
            except _Crash:
                pass
        self.committed(work)
        if fate > 0.85:
            self.committed(work)

    # --- actions -------------------------------------------------------------------------------
    def act_fund(self, agreement: EscrowAgreement) -> None:
        """The payer opens PortOne's window and pays by card or by virtual account; now and then they
        open both and pay both (the second is given back), or let a virtual account expire unpaid."""
        methods = ["card", "virtual_account"]
        self.rng.shuffle(methods)
        twice = self.rng.random() < 0.1
        for method in methods[: 2 if twice else 1]:
            payment = escrow_payments.payment_start(agreement=agreement, actor=agreement.payer, method=method)
            pid = payment.provider_payment_id
            if pid in self.seen or self.fake.payments[pid].status != "READY":
                continue  # the same checkout, opened again
            if method == "card":
                self.fake.pay(pid)
            else:
                self.fake.issue_virtual_account(pid)
            self.provider_tells()

    def act_refund(self, agreement: EscrowAgreement) -> None:
        self._as_worker(lambda: release.agreement_refund(agreement=agreement, actor=self.staff, reason="sim"))

    def act_payout(self) -> None:
        available = payouts.partner_payable(self.payee).available_krw
        if available <= 0:
            return self.act_withdraw()
        amount = self.rng.randint(1, available)
        self.committed(
            lambda: payouts.payout_request(partner=self.payee, amount_krw=amount, actor=self.owner)
        )

    def act_withdraw(self) -> None:
        """A payer takes their credit out (a refund the card company refused, a guarantee claim)."""
        for payer in self.rng.sample(self.payers, len(self.payers)):
            credit = consumer_payable(payer)
            credit.refresh_from_db()
            if credit.available_krw > 0:
                amount = self.rng.randint(1, credit.available_krw)
                self.committed(lambda p=payer, a=amount: payouts.credit_withdraw(user=p, amount_krw=a))
                return

    def _choose(self, agreement: EscrowAgreement) -> str:
        action = super()._choose(agreement)
        if action == "payout" and self.rng.random() < 0.3:
            return "withdraw"
        return action

    def step(self, action: str, agreement: EscrowAgreement) -> None:
        if action == "withdraw":
            self.act_withdraw()
        else:
            super().step(action, agreement)

    # --- the payment company's side -------------------------------------------------------------
    def fault(self) -> None:
        """Now and then the next call to PortOne goes wrong."""
        roll = self.rng.random()
        if roll < 0.05:
            fault = ("GET", "/payments/", self.rng.choice(["500", "html"]))
        elif roll < 0.10:
            fault = ("POST", "/payments/", self.rng.choice(["500", "lost", "refuse", "refuse"]))
        elif roll < 0.14:
            fault = ("POST", "/platform/transfers/manual", self.rng.choice(["500", "lost"]))
        elif roll < 0.16:
            fault = ("GET", "/platform/transfers/", "500")
        else:
            return
        self.fake.fail_next(*fault)
        self.stats[f"fault armed: {fault[2]} on {fault[0]} {fault[1]}"] += 1

    def provider_tells(self) -> None:
        """PortOne queues a signed webhook for each payment whose state changed since it last told."""
        with self.fake.lock:
            changed = [
                (pid, (payment.status, len(payment.cancellations)))
                for pid, payment in self.fake.payments.items()
                if self.seen.get(pid) != (payment.status, len(payment.cancellations))
            ]
        for pid, state in changed:
            self.seen[pid] = state
            if state[0] in WEBHOOK_TYPES:
                self.webhooks.append(self.fake.webhook(WEBHOOK_TYPES[state[0]], pid))

    def deliver(self, body: bytes, headers: dict) -> bool:
        response = self.client.post(
            WEBHOOK_PATH,
            data=body,
            content_type="application/json",
            headers={k: v for k, v in headers.items() if k != "Content-Type"},
        )
        if response.status_code == 503:
            self.stats["webhooks refused while PortOne could not be asked"] += 1
            return False  # PortOne could not be asked: PortOne sends it again
        if response.json().get("outcome") == "duplicate" or "already" in response.json().get("outcome", ""):
            self.stats["webhooks that changed nothing (repeats, late, out of order)"] += 1
        if response.status_code != 200:
            raise InvariantBroken(f"seed {self.seed}: a signed webhook answered {response.status_code}")
        if response.json().get("outcome") == "queued":
            # Stored for a worker (every inline slot taken, e.g. by another simulation process's seed):
            # applied here at once, as the worker would, so the scenario's money keeps moving.
            self.stats["webhooks stored for the worker"] += 1
            platform_payments.provider_events_apply_waiting(older_than_seconds=0)
        return True

    def provider_acts(self, *, everything: bool = False) -> None:
        rng, fake = self.rng, self.fake
        # Payers with a virtual account deposit into it, or let it expire.
        with fake.lock:
            issued = [pid for pid, p in fake.payments.items() if p.status == "VIRTUAL_ACCOUNT_ISSUED"]
        for pid in issued:
            if everything or rng.random() < 0.6:
                (fake.deposit if rng.random() < 0.85 else fake.expire)(pid)
        # Payers name the account a bank transfer goes back to: sometimes under the wrong name first.
        for refund in Refund.objects.filter(status="awaiting_account", payment__payer__in=self.payers):
            if everything or rng.random() < 0.5:
                payer = refund.payment.payer
                number = f"110{rng.randint(10**8, 10**9 - 1)}"
                fake.holders[("SHINHAN", number)] = payer.full_name
                names = ["someone else", payer.full_name] if rng.random() < 0.2 else [payer.full_name]
                for name in names:
                    try:
                        self.committed(
                            lambda r=refund, n=name, p=payer, k=number: platform_payments.refund_account_give(
                                refund=r,
                                payer=p,
                                account=BankAccount(bank="SHINHAN", number=k, holder=n),
                            )
                        )
                    except DomainError as exc:
                        if exc.code != "holder_mismatch":
                            raise
        # The bank runs the settlements PortOne received: most are paid, some bounce.
        with fake.lock:
            waiting = [tid for tid, t in fake.transfers.items() if not t.get("payout_id")]
        for transfer_id in waiting:
            if everything or rng.random() < 0.6:
                if rng.random() < 0.2:
                    fake.payout_run(transfer_id, status="FAILED", fail_reason="수취인 계좌 오류")
                else:
                    fake.payout_run(transfer_id)
        self.provider_tells()
        # Work that was late runs now (retries after their countdown, work delayed after a commit).
        late, self.later = self.later, []
        for work in late:
            if everything or rng.random() < 0.7:
                self.fault()
                self.run_safely(work)
            else:
                self.later.append(work)
        # The beat's sweeps: payouts asked about (PortOne has no payout webhook), lost work found again.
        if everything or rng.random() < 0.5:
            self.fault()
            self.committed(lambda: payouts.payouts_sync(older_than_seconds=0))
        if everything or rng.random() < 0.3:
            self.fault()
            self.committed(lambda: platform_payments.refunds_sync(older_than_seconds=0))
        self.provider_tells()
        # PortOne's webhooks arrive: shuffled, some late, some twice, some refused and sent again.
        pending, self.webhooks = self.webhooks, []
        rng.shuffle(pending)
        for body, headers in pending:
            if not everything and rng.random() < 0.2:
                self.webhooks.append((body, headers))
                continue
            if rng.random() < 0.1:
                self.fault()
            for _ in range(2 if rng.random() < 0.2 else 1):
                if not self.deliver(body, headers):
                    self.webhooks.append((body, headers))
                    break
        self.provider_tells()
        if everything and (self.webhooks or self.later or self._unsettled()):
            self.rounds += 1
            if self.rounds > 40:
                raise InvariantBroken(
                    f"seed {self.seed}: money still in flight after 40 rounds: {self._unsettled()}"
                )
            self.provider_acts(everything=True)

    def _unsettled(self) -> list[str]:
        return [
            *(
                f"refund {r.pk} {r.status}"
                for r in Refund.objects.filter(
                    payment__payer__in=self.payers, status__in=["requested", "awaiting_account"]
                )
            ),
            *(f"payout {p.pk}" for p in Payout.objects.filter(status="requested", pk__in=self._payout_ids())),
            *(
                f"payment {p.pk} pending"
                for p in Payment.objects.filter(
                    payer__in=self.payers, status="pending", provider_payment_id__in=list(self.seen)
                )
                if self.fake.payments[p.provider_payment_id].status not in ("READY",)
            ),
            # Not kept, still held by PortOne, not the payer's credit: the next sweep gives it back.
            *(
                f"payment {p.pk} not kept, still held"
                for p in Payment.objects.filter(
                    payer__in=self.payers, status="cancelled", paid_at__isnull=False
                )
                if self.fake.payments[p.provider_payment_id].status == "PAID"
                and not Transfer.objects.filter(
                    idempotency_key=platform_payments.unwanted_kept_key("portone", p.provider_payment_id)
                ).exists()
            ),
        ]

    def _payout_ids(self) -> list[int]:
        return list(Payout.objects.filter(partner=self.payee).values_list("pk", flat=True)) + list(
            Payout.objects.filter(user__in=self.payers).values_list("pk", flat=True)
        )

    # --- the ledger against PortOne -------------------------------------------------------------
    def check(self, step: str, *, final: bool = False) -> None:
        super().check(step, final=final)
        if hasattr(self, "clearing_start"):
            self.check_provider(step, final=final)

    def check_provider(self, step: str, *, final: bool) -> None:
        def broken(message: str):
            raise InvariantBroken(f"seed {self.seed} after {step}: {message}")

        fake = self.fake
        with fake.lock:
            payments = {
                pid: (p.amount, bool(p.paid_at), [dict(c) for c in p.cancellations], p.status)
                for pid, p in fake.payments.items()
            }
            paid_out = {
                t["id"]: (
                    t["amount"],
                    fake.payouts[t["payout_id"]]["status"] if t.get("payout_id") else "SCHEDULED",
                )
                for t in fake.transfers.values()
            }
        captured = sum(amount for amount, paid, _c, _s in payments.values() if paid)
        cancelled = sum(
            c["totalAmount"] for *_x, cs, _s in payments.values() for c in cs if c["status"] == "SUCCEEDED"
        )
        sent = sum(amount for amount, status in paid_out.values() if status == "SUCCEEDED")
        provider_holds = captured - cancelled - sent
        clearing = (
            account_balance(account=platform_account(platform_payments.PSP_CLEARING)) - self.clearing_start
        )
        sent_ledger = platform_account(payouts.PAYOUTS_SENT).balance_krw - self.sent_start
        ledger_holds = -clearing - sent_ledger

        ours = {
            p.provider_payment_id: p for p in Payment.objects.filter(provider_payment_id__in=list(payments))
        }
        refunds = list(
            Refund.objects.filter(payment__provider_payment_id__in=list(payments)).select_related("payment")
        )
        done = {r.provider_refund_id: r for r in refunds if r.status == "done"}
        payout_rows = {
            p.provider_payout_id: p for p in Payout.objects.filter(provider_payout_id__in=list(paid_out))
        }

        # What the platform has not heard of yet. A payment it did not keep (paid twice, paid after its
        # subject expired) counts until PortOne gave it back or, refused, the payer's credit took it.
        kept = set(
            Transfer.objects.filter(
                idempotency_key__in=[platform_payments.unwanted_kept_key("portone", pid) for pid in payments]
            ).values_list("idempotency_key", flat=True)
        )
        booked = {
            pid
            for pid, payment in ours.items()
            if payment.status in ("paid", "refunded")
            or platform_payments.unwanted_kept_key("portone", pid) in kept
        }
        unbooked_captures = sum(
            amount - sum(c["totalAmount"] for c in cs if c["status"] == "SUCCEEDED")
            for pid, (amount, paid, cs, _s) in payments.items()
            if paid and pid not in booked
        )
        unbooked_cancels = sum(
            c["totalAmount"]
            for pid, (*_x, cs, _s) in payments.items()
            for c in cs
            if pid in booked and c["status"] == "SUCCEEDED" and c["id"] not in done
        )
        unbooked_payouts = sum(
            amount
            for ref, (amount, status) in paid_out.items()
            if status == "SUCCEEDED" and payout_rows[ref].status != "paid"
        )
        in_flight = unbooked_captures - unbooked_cancels - unbooked_payouts
        if provider_holds - ledger_holds != in_flight:
            broken(
                f"PortOne holds ₩{provider_holds:,}, the ledger ₩{ledger_holds:,}, in flight ₩{in_flight:,}"
            )
        if final and (unbooked_captures or unbooked_cancels or unbooked_payouts):
            unheard = [
                (pid, ours[pid].status, status)
                for pid, (_a, paid, _c, status) in payments.items()
                if paid and pid not in booked
            ]
            broken(
                f"still unheard of at the end: captures {unbooked_captures:,} {unheard}, cancellations "
                f"{unbooked_cancels:,}, payouts {unbooked_payouts:,}; steps {self.log}"
            )

        # Nothing confirmed that PortOne did not do; every key cancelled at most once.
        for pid, payment in ours.items():
            amount, paid, cancellations, _status = payments[pid]
            if payment.status in ("paid", "refunded") and not (paid and amount == payment.amount_krw):
                broken(f"payment {pid} is {payment.status} but PortOne captured no ₩{payment.amount_krw:,}")
            mine = sum(r.amount_krw for r in refunds if r.payment_id == payment.pk and r.status == "done")
            if payment.refunded_krw != mine:
                broken(f"payment {pid} says ₩{payment.refunded_krw:,} refunded, its refunds ₩{mine:,}")
        for refund in refunds:
            reference = key_reference(refund.key)
            matching = [
                c
                for c in payments[refund.payment.provider_payment_id][2]
                if reference in (c.get("reason") or "") and c["status"] == "SUCCEEDED"
            ]
            if len(matching) > 1:
                broken(f"refund {refund.key} was cancelled {len(matching)} times at PortOne")
            if refund.status == "done" and not (
                len(matching) == 1
                and matching[0]["id"] == refund.provider_refund_id
                and matching[0]["totalAmount"] == refund.amount_krw
            ):
                broken(f"refund {refund.key} is done but PortOne has no such cancellation")
            if refund.status == "failed" and matching:
                broken(f"refund {refund.key} failed but PortOne cancelled it (the payer paid back twice)")
        for ref, payout in payout_rows.items():
            amount, status = paid_out[ref]
            if payout.status == "paid" and (status != "SUCCEEDED" or amount != payout.amount_krw):
                broken(f"payout {ref} is paid but PortOne's payout is {status}")
            if payout.status == "failed" and status == "SUCCEEDED":
                broken(f"payout {ref} failed but PortOne paid it (paid twice once it is asked again)")

    def run(self, steps: int) -> None:
        self.rounds = 0

        def schedule(task):
            def apply_async(args=(), kwargs=None, countdown=0, **options):
                self.later.append(functools.partial(task.run, *args, **(kwargs or {})))

            return apply_async

        with ExitStack() as stack:
            stack.enter_context(override_settings(**portone_settings(self.fake)))
            for task in (
                payment_tasks.refund_send_later,
                payment_tasks.payout_send_later,
                payment_tasks.unwanted_payment_return_later,
            ):
                stack.enter_context(mock.patch.object(task, "apply_async", schedule(task)))
            self._run(steps)

    def _run(self, steps: int) -> None:
        self.setup()
        self.check("setup")
        for number in range(steps):
            agreement = EscrowAgreement.objects.get(pk=self.rng.choice(self.agreements).pk)
            action = self._choose(agreement)
            self.fault()
            try:
                self.step(action, agreement)
            except DomainError as exc:
                self.log.append(f"{number} {action}: refused {exc.code}")
            else:
                self.log.append(f"{number} {action}")
            self.provider_tells()
            self.check(f"step {number} ({action})")
            self.provider_acts()
            self.check(f"step {number} (the payment company)")
        self.fake.faults.clear()
        self.provider_acts(everything=True)
        self.check("the end", final=True)
        mine = {"payment__payer__in": self.payers}
        self.stats.update(
            {
                "card payments": Payment.objects.filter(payer__in=self.payers, method="card").count(),
                "virtual-account payments": Payment.objects.filter(
                    payer__in=self.payers, method="virtual_account"
                ).count(),
                "payments not kept (paid twice), given back": Payment.objects.filter(
                    payer__in=self.payers, status="cancelled", paid_at__isnull=False
                ).count(),
                "refunds done": Refund.objects.filter(status="done", **mine).count(),
                "refunds refused, kept as the payer's credit": Refund.objects.filter(
                    status="failed", **mine
                ).count(),
                "payouts paid": Payout.objects.filter(pk__in=self._payout_ids(), status="paid").count(),
                "payouts bounced": Payout.objects.filter(pk__in=self._payout_ids(), status="failed").count(),
            }
        )


def simulate_with_provider(*, seed: int, fake, steps: int = 14) -> ProviderSimulation:
    """Run one seeded scenario against `fake` (reset first) and roll it back; returns the simulation
    (its step `log`, its `stats`), raises InvariantBroken."""
    fake.reset()
    simulation = ProviderSimulation(seed, fake)
    try:
        with transaction.atomic():
            simulation.run(steps)
            raise _Rollback
    except _Rollback:
        pass
    return simulation
