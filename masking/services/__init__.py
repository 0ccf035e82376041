"""Writes of the masking app: `<noun>_<verb>(*, ...)`, keyword-only."""

from ..errors import MaskingError
from ..signals import session_scrubbed
from .blocks import block_add, block_remove, blocks_expire_due
from .outbound import click_to_call_place, click_to_call_start, status_text_deliver, status_text_send
from .pool import pool_check, proxy_number_add, proxy_number_reactivate, proxy_number_retire
from .preferences import choice_record, preference_get, preference_set
from .relay import (
    InboundEvent,
    WebhookRefused,
    bridge_answer,
    inbound_answer,
    request_digest,
    unrouted_hints_drop,
)
from .sessions import (
    Party,
    session_complete,
    session_expire,
    session_open,
    session_revoke,
    session_scrub,
    sessions_expire_due,
    sessions_scrub_due,
)

__all__ = [
    "InboundEvent", "MaskingError", "Party", "WebhookRefused", "block_add", "block_remove",
    "blocks_expire_due", "bridge_answer", "choice_record",
    "click_to_call_place", "click_to_call_start", "inbound_answer", "pool_check", "preference_get",
    "preference_set", "proxy_number_add", "proxy_number_reactivate", "proxy_number_retire",
    "request_digest", "session_complete", "session_expire", "session_open", "session_revoke",
    "session_scrub", "session_scrubbed", "sessions_expire_due", "sessions_scrub_due", "status_text_deliver",
    "status_text_send", "unrouted_hints_drop",
]
