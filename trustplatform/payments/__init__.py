"""Money in and out through payment providers, for every app: payments, refunds, payouts, and the
verified, stored-once inbox of the providers' webhook events."""
