"""The platform's double-entry ledger. Its public face is `services` (transfer, hold, post, void,
accounts and payables) and `selectors` (balances, history, reconciliation); nobody outside it
writes its models or takes its row locks."""
