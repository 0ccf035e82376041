"""A whole-platform money simulation: random funding, releases, disputes, claims, payouts,
duplicate webhooks and killed workers, with every ledger invariant checked after each step.

`simulate(seed=...)` runs one seeded scenario inside a transaction that is rolled back at the
end, and raises `InvariantBroken` naming the step that broke a rule. Used by the test suite (a few
seeds) and by the benchmark (`escrow.simulation_seeds`, a thousand); it lives with the tests, outside
the production package.
"""

import random
from datetime import date

from django.db import transaction

from escrow.models import Condition, EscrowAgreement, Milestone
from escrow.services import agreements, disputes, payments, release
from escrow.services.common import holding_account
from tests.factories import (
    MembershipFactory,
    PartnerFactory,
    PayoutAccountFactory,
    SandboxRegistryRecordFactory,
    UserFactory,
)
from trustplatform.errors import DomainError
from trustplatform.ledger import services as ledger
from trustplatform.ledger.models import LedgerAccount
from trustplatform.ledger.selectors import ledger_reconcile
from trustplatform.ledger.services import partner_payable
from trustplatform.partners.models import Partner
from trustplatform.payments import payouts
from trustplatform.payments import services as platform_payments
from trustplatform.payments.models import Payment, Refund
from trustplatform.payments.providers import BankAccount, SandboxProvider
from trustplatform.registries.models import SandboxRegistryRecord

ADDRESS = "시뮬레이션시 테스트구 1-1"


class InvariantBroken(AssertionError):
    pass


class _Rollback(Exception):
    pass


class _Crash(Exception):
    """A worker killed before its transaction committed."""


class Simulation:
    def __init__(self, seed: int):
        self.rng = random.Random(seed)
        self.seed = seed
        self.log: list[str] = []

    # --- world ---------------------------------------------------------------------------------
    def setup(self) -> None:
        self.staff = UserFactory(
            email=f"sim-staff-{self.seed}@sim.kr", full_name="staff", is_staff=True, is_superuser=True
        )
        self.finance = UserFactory(
            email=f"sim-fin-{self.seed}@sim.kr", full_name="finance", is_staff=True, is_superuser=True
        )
        self.payers = [
            UserFactory(email=f"sim-{self.seed}-{i}@sim.kr", full_name=f"payer {i}") for i in range(3)
        ]
        owner = UserFactory(email=f"sim-owner-{self.seed}@sim.kr", full_name="owner")
        self.payee = PartnerFactory(
            name="sim partner",
            kind="contractor",
            registration_number="1248100998",
            representative="owner",
            contact_email="o@sim.kr",
            address=ADDRESS,
            applied_by=owner,
            status=Partner.Status.APPROVED,
        )
        MembershipFactory(user=owner, partner=self.payee, role="owner")
        self.owner = owner
        self.payee_account()
        SandboxRegistryRecordFactory(address=ADDRESS, owner_name="o", liens=[])
        ledger.ledger_transfer(
            debit=ledger.platform_account("platform-capital"),
            credit=ledger.platform_account("platform-guarantee-fund"),
            amount_krw=1_000_000_000,
            key=f"sim-{self.seed}-fund",
            reason="sim",
        )
        self.agreements: list[EscrowAgreement] = []
        for _ in range(self.rng.randint(2, 4)):
            self.agreements.append(self._new_agreement())

    def payee_account(self) -> None:
        PayoutAccountFactory(partner=self.payee)

    def _new_agreement(self) -> EscrowAgreement:
        template = self.rng.choice(["rental_deposit", "renovation"])
        payer = self.rng.choice(self.payers)
        amount = self.rng.randint(1, 50) * 100_000 + self.rng.randint(0, 99)
        agreement = agreements.agreement_create(
            created_by=self.owner,
            payer=payer,
            payee=self.payee,
            template=template,
            title="sim",
            amount_krw=amount,
            property_address=ADDRESS,
        )
        agreement.conditions.filter(kind=Condition.Kind.DATE).update(due_date=date(2020, 1, 1))
        agreement = agreements.agreement_propose(agreement=agreement, actor=self.owner)
        return agreements.agreement_accept(
            agreement=agreement, actor=payer, accepted_hash=agreement.terms_hash
        )

    # --- actions -------------------------------------------------------------------------------
    def _as_worker(self, work) -> None:
        """Run work as a worker would: sometimes killed before commit (then redelivered), sometimes
        delivered twice after it committed (acks late)."""
        fate = self.rng.random()
        if fate < 0.15:
            try:
                with transaction.atomic():
                    work()
                    raise _Crash
            except _Crash:
                pass
        work()
        if fate > 0.85:
            work()

    def act_fund(self, agreement: EscrowAgreement) -> None:
        payment = payments.payment_start(
            agreement=agreement, actor=agreement.payer, method=self.rng.choice(["card", "virtual_account"])
        )
        sandbox = SandboxProvider()
        body, headers = sandbox.pay(provider_payment_id=payment.provider_payment_id)  # the payer pays
        event = sandbox.parse_webhook(body=body, headers=headers)
        self._as_worker(lambda: platform_payments.provider_event_receive(provider="sandbox", event=event))

    def act_conditions(self, agreement: EscrowAgreement) -> None:
        for condition in agreement.conditions.filter(status="pending"):
            if condition.kind == Condition.Kind.COUNTERPARTY:
                release.condition_confirm(condition=condition, actor=agreement.payer)
            elif condition.kind == Condition.Kind.DOCUMENT:
                release.condition_review(condition=condition, actor=self.staff, accept=True)
        if self.rng.random() < 0.1:
            SandboxRegistryRecord.objects.filter(address=ADDRESS).update(liens=["근저당"])
        self._as_worker(lambda: release.agreement_evaluate(agreement_id=agreement.pk))

    def act_milestone(self, agreement: EscrowAgreement) -> None:
        milestone = (
            agreement.milestones.exclude(status__in=["released", "refunded"]).order_by("sequence").first()
        )
        if milestone is None:
            return
        if milestone.status == Milestone.Status.PENDING:
            release.milestone_submit(milestone=milestone, actor=self.owner)
        else:
            release.milestone_approve(milestone=milestone, actor=agreement.payer)

    def act_dispute(self, agreement: EscrowAgreement) -> None:
        dispute = disputes.dispute_open(agreement=agreement, actor=agreement.payer, reasons="sim")
        held = holding_account(agreement).balance_krw
        payee_share = self.rng.randint(0, held)
        outcome = "release" if payee_share == held else "refund" if payee_share == 0 else "split"
        dispute = disputes.dispute_decide(
            dispute=dispute,
            actor=self.staff,
            outcome=outcome,
            payee_amount_krw=payee_share,
            payer_amount_krw=held - payee_share,
            note="sim",
        )
        disputes.dispute_approve(dispute=dispute, actor=self.finance, decision_hash=dispute.decision_hash)
        self._as_worker(lambda: disputes.dispute_execute(dispute=dispute, actor=self.staff))

    def act_refund(self, agreement: EscrowAgreement) -> None:
        self._as_worker(lambda: release.agreement_refund(agreement=agreement, actor=self.staff, reason="sim"))

    def act_claim(self, agreement: EscrowAgreement) -> None:
        claim = disputes.claim_file(
            agreement=agreement,
            actor=agreement.payer,
            accident="vanished",
            description="sim",
            amount_krw=self.rng.randint(1, 5_000_000),
        )
        claim = disputes.claim_decide(
            claim=claim,
            actor=self.staff,
            approve=True,
            amount_krw=self.rng.randint(1, claim.amount_requested_krw),
        )
        disputes.claim_countersign(claim=claim, actor=self.finance, decision_hash=claim.decision_hash)
        self._as_worker(lambda: disputes.claim_pay(claim=claim, actor=self.staff))

    def act_payout(self) -> None:
        available = partner_payable(self.payee).available_krw
        if available <= 0:
            return
        payout = payouts.payout_request(
            partner=self.payee, amount_krw=self.rng.randint(1, available), actor=self.owner
        )
        sandbox = SandboxProvider()
        body, headers = sandbox.event(
            event_type=self.rng.choice(["payout.paid", "payout.failed"]),
            data={"payout_id": payout.provider_payout_id},
        )
        event = sandbox.parse_webhook(body=body, headers=headers)
        self._as_worker(lambda: platform_payments.provider_event_receive(provider="sandbox", event=event))

    # --- the payment company's side -------------------------------------------------------------
    def provider_acts(self, *, everything: bool = False) -> None:
        """What happens outside the platform between steps: payers name the bank account a bank
        transfer goes back to, the refunds asked for are sent (as their commit would send them), and
        the payment company's signed webhooks arrive, some twice and out of order. With `everything`,
        all that is waiting happens."""
        for refund in Refund.objects.filter(status="awaiting_account", payment__payer__in=self.payers):
            if everything or self.rng.random() < 0.5:
                payer = refund.payment.payer
                number = f"110{self.rng.randint(10**8, 10**9 - 1)}"
                platform_payments.refund_account_give(refund=refund, payer=payer, account=BankAccount(
                    bank="SHINHAN", number=number, holder=payer.full_name))
        for refund in Refund.objects.filter(status="requested", provider_refund_id__startswith="pending-"):
            if everything or self.rng.random() < 0.7:
                platform_payments.refund_send(refund_id=refund.pk)
        pending, self.outbox = self.outbox, []
        self.rng.shuffle(pending)
        for body, headers in pending:
            if not everything and self.rng.random() < 0.2:
                self.outbox.append((body, headers))  # arrives later
                continue
            event = SandboxProvider().parse_webhook(body=body, headers=headers)
            for _ in range(2 if self.rng.random() < 0.2 else 1):
                platform_payments.provider_event_receive(provider="sandbox", event=event)
        if everything and self.outbox:
            self.provider_acts(everything=True)

    # --- invariants ----------------------------------------------------------------------------
    def check(self, step: str, *, final: bool = False) -> None:
        problems = ledger_reconcile()
        if problems:
            raise InvariantBroken(f"seed {self.seed} after {step}: {problems}")
        overdrawn = LedgerAccount.objects.filter(allow_negative=False, balance_krw__lt=0)
        if overdrawn.exists():
            raise InvariantBroken(f"seed {self.seed} after {step}: negative {list(overdrawn)}")
        for agreement in EscrowAgreement.objects.filter(pk__in=[a.pk for a in self.agreements]):
            held = holding_account(agreement).balance_krw
            paid = Payment.objects.filter(agreement=agreement, status="paid").count()
            if paid > 1:
                raise InvariantBroken(f"seed {self.seed} after {step}: agreement {agreement.pk} paid twice")
            # A closed agreement holds nothing but what is on its way back to the payer.
            free = holding_account(agreement).available_krw
            if agreement.status in ("released", "refunded", "resolved") and (free != 0 or (final and held)):
                raise InvariantBroken(f"seed {self.seed} after {step}: closed agreement still holds {held}")
            if agreement.status in ("proposed", "agreed") and held != 0:
                raise InvariantBroken(f"seed {self.seed} after {step}: unfunded agreement holds {held}")

    def run(self, steps: int) -> None:
        self.outbox: list[tuple[bytes, dict]] = []
        original = SandboxProvider.__dict__["_deliver"]  # the staticmethod itself, to put back
        SandboxProvider._deliver = staticmethod(lambda body, headers: self.outbox.append((body, headers)))
        try:
            self._run(steps)
        finally:
            SandboxProvider._deliver = original

    def _run(self, steps: int) -> None:
        self.setup()
        self.check("setup")
        for number in range(steps):
            agreement = EscrowAgreement.objects.get(pk=self.rng.choice(self.agreements).pk)
            action = self._choose(agreement)
            try:
                self.step(action, agreement)
            except DomainError as exc:
                # Refusals are fine (e.g. a payout above what is free); they must leave no trace.
                self.log.append(f"{number} {action}: refused {exc.code}")
            else:
                self.log.append(f"{number} {action}")
            self.check(f"step {number} ({action})")
            self.provider_acts()
            self.check(f"step {number} (the payment company)")
        self.provider_acts(everything=True)
        self.check("the end", final=True)

    def step(self, action: str, agreement: EscrowAgreement) -> None:
        if action == "payout":
            self.act_payout()
        else:
            getattr(self, f"act_{action}")(agreement)

    def _choose(self, agreement: EscrowAgreement) -> str:
        if agreement.status == "agreed":
            return "fund"
        if agreement.status == "funded":
            options = ["dispute", "refund", "payout"]
            options += (
                ["milestone", "milestone", "claim"]
                if agreement.template == "renovation"
                else ["conditions"] * 3
            )
            return self.rng.choice(options)
        return "payout"


def simulate(*, seed: int, steps: int = 12) -> list[str]:
    """Run one seeded scenario and roll it back; returns its step log, raises InvariantBroken."""
    simulation = Simulation(seed)
    try:
        with transaction.atomic():
            simulation.run(steps)
            raise _Rollback
    except _Rollback:
        pass
    return simulation.log
