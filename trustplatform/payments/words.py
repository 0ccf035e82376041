"""The payment providers' codes as staff read them: the provider ("sandbox"), an event's type
("payment.paid"), what applying it did ("confirmed+funded") and the names in its payload. Stored as
received; only the admin shows them in words, and an unknown code as stored."""

from django.utils.translation import pgettext_lazy

from .banks import BANKS

PROVIDER_WORDS = {
    "sandbox": pgettext_lazy("payment provider", "Test payments"),
    "portone": pgettext_lazy("payment provider", "PortOne"),
}

EVENT_TYPE_WORDS = {
    "payment.paid": pgettext_lazy("provider event", "Payment paid"),
    "payment.failed": pgettext_lazy("provider event", "Payment failed"),
    "payment.expired": pgettext_lazy("provider event", "Payment expired"),
    "payment.account_issued": pgettext_lazy("provider event", "Virtual account issued"),
    "payment.refunded": pgettext_lazy("provider event", "Payment refunded"),
    "payment.unknown": pgettext_lazy("provider event", "Payment unknown to the provider"),
    "refund.failed": pgettext_lazy("provider event", "Refund failed"),
    "payout.paid": pgettext_lazy("provider event", "Payout paid"),
    "payout.failed": pgettext_lazy("provider event", "Payout failed"),
    "payout.pending": pgettext_lazy("provider event", "Payout on its way"),
    "payout.unknown": pgettext_lazy("provider event", "Payout unknown to the provider"),
    "portone.Transaction.Ready": pgettext_lazy("provider event", "Payment window opened"),
    "portone.Transaction.Paid": pgettext_lazy("provider event", "Payment paid"),
    "portone.Transaction.VirtualAccountIssued": pgettext_lazy("provider event", "Virtual account issued"),
    "portone.Transaction.Failed": pgettext_lazy("provider event", "Payment failed"),
    "portone.Transaction.PayPending": pgettext_lazy("provider event", "Payment pending"),
    "portone.Transaction.Cancelled": pgettext_lazy("provider event", "Payment cancelled"),
    "portone.Transaction.PartialCancelled": pgettext_lazy("provider event", "Payment partly cancelled"),
    "portone.Transaction.CancelPending": pgettext_lazy("provider event", "Cancellation pending"),
    "portone.Unknown": pgettext_lazy("provider event", "Unknown event"),
}

OUTCOME_WORDS = {
    "queued": pgettext_lazy("provider event outcome", "Waiting to be applied"),
    "ignored": pgettext_lazy("provider event outcome", "Nothing to do"),
    "busy": pgettext_lazy("provider event outcome", "Being applied"),
    "confirmed": pgettext_lazy("provider event outcome", "Booking confirmed"),
    "funded": pgettext_lazy("provider event outcome", "Escrow funded"),
    "unknown_payment": pgettext_lazy("provider event outcome", "Unknown payment"),
    "unknown_refund": pgettext_lazy("provider event outcome", "Unknown refund"),
    "unknown_payout": pgettext_lazy("provider event outcome", "Unknown payout"),
    "already_settled": pgettext_lazy("provider event outcome", "Already settled"),
    "amount_mismatch": pgettext_lazy("provider event outcome", "Amount does not match"),
    "account_issued": pgettext_lazy("provider event outcome", "Virtual account issued"),
    "refused_not_payable": pgettext_lazy("provider event outcome", "Refused: cannot be paid now"),
    "failed": pgettext_lazy("provider event outcome", "Payment failed"),
    "expired": pgettext_lazy("provider event outcome", "Payment expired"),
    "refund_failed": pgettext_lazy("provider event outcome", "Refund failed"),
    "refunded": pgettext_lazy("provider event outcome", "Refunded"),
    "payout_paid": pgettext_lazy("provider event outcome", "Payout paid"),
    "payout_failed": pgettext_lazy("provider event outcome", "Payout failed"),
}

# The names inside an event's payload and the provider's answers (with the event types they carry).
DETAIL_WORDS = {
    "amount_krw": pgettext_lazy("provider event detail", "Amount"),
    "payment_id": pgettext_lazy("provider event detail", "Payment number"),
    "payout_id": pgettext_lazy("provider event detail", "Payout number"),
    "refund_id": pgettext_lazy("provider event detail", "Refund number"),
    "reason": pgettext_lazy("provider event detail", "Reason"),
    "bank": pgettext_lazy("provider event detail", "Bank"),
    "account_number": pgettext_lazy("provider event detail", "Account number"),
    "expires_at": pgettext_lazy("provider event detail", "Deposit due"),
    "currency": pgettext_lazy("provider event detail", "Currency"),
    "key_ref": pgettext_lazy("provider event detail", "Refund reference"),
    "KRW": pgettext_lazy("provider event detail", "Korean won"),
    **EVENT_TYPE_WORDS,
    **BANKS,  # a virtual account's or a payout's bank, by PortOne's code
}


def provider_words(provider: str) -> str:
    return str(PROVIDER_WORDS.get(provider, provider))


def event_type_words(event_type: str) -> str:
    return str(EVENT_TYPE_WORDS.get(event_type, event_type))


def outcome_words(outcome: str) -> str:
    """An event's outcome, each of its parts ("confirmed+funded") in words; "—" while it waits."""
    if not outcome:
        return "—"
    return ", ".join(str(OUTCOME_WORDS.get(part, part)) for part in outcome.split("+"))
