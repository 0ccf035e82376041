"""Random sequences of transfers, holds, posts, voids and refused movements: after every step
balances sum to zero, match their transfers, and no protected account is below zero."""

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from trustplatform.errors import DomainError
from trustplatform.ledger import services
from trustplatform.ledger.models import Hold, LedgerAccount
from trustplatform.ledger.selectors import ledger_reconcile

AMOUNTS = st.integers(min_value=1, max_value=2_000_000)


class LedgerMachine(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        self.step = 0
        self.holds: list[Hold] = []

    @initialize(protected=st.integers(min_value=2, max_value=4))
    def open_accounts(self, protected):
        self.run = LedgerAccount.objects.count()
        self.outside = services.account_open(
            code=f"prop-{self.run}-outside",
            name="outside",
            kind=LedgerAccount.Kind.EXTERNAL,
            allow_negative=True,
        )
        self.accounts = [self.outside] + [
            services.account_open(code=f"prop-{self.run}-{i}", name=f"a{i}", kind=LedgerAccount.Kind.CONSUMER)
            for i in range(protected)
        ]
        self.expected = {account.pk: 0 for account in self.accounts}

    def _key(self) -> str:
        self.step += 1
        return f"prop-{self.run}-{self.step}"

    @rule(data=st.data(), amount=AMOUNTS, repeat=st.booleans())
    def transfer(self, data, amount, repeat):
        debit = data.draw(st.sampled_from(self.accounts))
        credit = data.draw(st.sampled_from([a for a in self.accounts if a.pk != debit.pk]))
        key = self._key()
        debit.refresh_from_db()
        allowed = debit.allow_negative or debit.available_krw >= amount
        try:
            services.ledger_transfer(debit=debit, credit=credit, amount_krw=amount, key=key, reason="p")
        except DomainError as exc:
            assert not allowed and exc.code == "insufficient_funds"
            return
        assert allowed
        self.expected[debit.pk] -= amount
        self.expected[credit.pk] += amount
        if repeat:  # a retried request with the same key moves nothing
            services.ledger_transfer(debit=debit, credit=credit, amount_krw=amount, key=key, reason="p")

    @rule(data=st.data(), amount=AMOUNTS)
    def hold(self, data, amount):
        debit = data.draw(st.sampled_from(self.accounts))
        credit = data.draw(st.sampled_from([a for a in self.accounts if a.pk != debit.pk]))
        debit.refresh_from_db()
        allowed = debit.allow_negative or debit.available_krw >= amount
        try:
            self.holds.append(
                services.ledger_hold(
                    debit=debit, credit=credit, amount_krw=amount, key=self._key(), reason="p"
                )
            )
        except DomainError as exc:
            assert not allowed and exc.code == "insufficient_funds"

    @precondition(lambda self: self.holds)
    @rule(data=st.data(), twice=st.booleans())
    def post(self, data, twice):
        hold = data.draw(st.sampled_from(self.holds))
        hold.refresh_from_db()
        try:
            services.hold_post(hold=hold)
        except DomainError as exc:
            assert hold.status == Hold.Status.VOIDED and exc.code == "hold_voided"
            return
        if hold.status == Hold.Status.PENDING:
            self.expected[hold.debit_account_id] -= hold.amount_krw
            self.expected[hold.credit_account_id] += hold.amount_krw
        if twice:
            services.hold_post(hold=hold)

    @precondition(lambda self: self.holds)
    @rule(data=st.data())
    def void(self, data):
        hold = data.draw(st.sampled_from(self.holds))
        hold.refresh_from_db()
        try:
            services.hold_void(hold=hold)
        except DomainError as exc:
            assert hold.status == Hold.Status.POSTED and exc.code == "hold_posted"

    @invariant()
    def ledger_holds(self):
        if not hasattr(self, "accounts"):
            return
        assert ledger_reconcile() == []
        for account in LedgerAccount.objects.filter(pk__in=self.expected):
            assert account.balance_krw == self.expected[account.pk]
            if not account.allow_negative:
                assert account.balance_krw >= account.reserved_krw >= 0


@pytest.mark.django_db
@pytest.mark.parametrize("single_statement", [True, False], ids=["postgres-statement", "portable"])
def test_ledger_invariants_hold_for_random_operation_sequences(single_statement, monkeypatch):
    from trustplatform.ledger import services as ledger

    monkeypatch.setattr(ledger, "SINGLE_STATEMENT", single_statement)
    LedgerMachine.TestCase.settings = settings(
        max_examples=40,
        stateful_step_count=25,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )
    LedgerMachine.TestCase("runTest").runTest()
