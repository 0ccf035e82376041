"""Escrow's public service API. The ledger functions are what other apps use to move money."""

from .ledger import (
    PLATFORM_ACCOUNTS,
    LedgerError,
    account_open,
    credits_fold,
    hold_post,
    hold_void,
    ledger_hold,
    ledger_transfer,
    platform_account,
)

__all__ = [
    "PLATFORM_ACCOUNTS",
    "LedgerError",
    "account_open",
    "credits_fold",
    "hold_post",
    "hold_void",
    "ledger_hold",
    "ledger_transfer",
    "platform_account",
]
