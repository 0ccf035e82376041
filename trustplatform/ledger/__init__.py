"""The platform's double-entry ledger. Its public face is `services` (transfer, hold, post, void,
accounts and payables), `selectors` (balances, history, the guarantee fund's status, reconciliation)
and `treasury` (the operating account and finance's guarantee fund top-ups); nobody outside it
writes its models or takes its row locks."""
