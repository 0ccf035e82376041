"""Signed PSP events for booking payments: the same verified, stored-once path as escrow's webhook."""

from escrow.webhooks import signed_event_view

from .services.payments import payment_event_receive

payment_webhook = signed_event_view(payment_event_receive, what="booking payment")
