"""Ledger reasons in the reader's language: services write a transfer's or a hold's reason once, in
English ("booking K7M2QX9A paid"), and the ledger is append-only, so the words are translated when shown.

Each writer registers the templates of its reasons (`reasons_register`, marked with gettext_noop so the
catalogue holds them); `reason_shown` matches a stored reason against them and fills the translated
template with the same values, a nested reason (a refund's) translated too. A reason no template
matches (typed by staff, or already in Korean) is shown as stored.
"""

import re

from django.utils.translation import gettext, gettext_noop

_PLACEHOLDER = re.compile(r"%\((\w+)\)s")
_TEMPLATES: list[tuple[re.Pattern, str]] = []


def reasons_register(*templates: str) -> None:
    """Templates like "booking %(code)s paid", exactly as the writer formats them (in English)."""
    for template in templates:
        parts = _PLACEHOLDER.split(template)
        # Literal text and (?P<name>.+?) alternate: split() puts each placeholder's name at odd places.
        pattern = "".join(
            re.escape(part) if index % 2 == 0 else f"(?P<{part}>.+?)" for index, part in enumerate(parts)
        )
        _TEMPLATES.append((re.compile(f"^{pattern}$", re.DOTALL), template))


def reason_shown(reason: str) -> str:
    """`reason` in the active language when a registered template wrote it, else as stored."""
    for pattern, template in _TEMPLATES:
        match = pattern.match(reason)
        if match:
            values = {name: reason_shown(value) if name == "reason" else value
                      for name, value in match.groupdict().items()}
            return gettext(template) % values
    return reason


# The reasons the core's money services write (payments, payouts, the treasury).
reasons_register(
    gettext_noop("capital paid in (%(reference)s): %(reason)s"),
    gettext_noop("fee revenue swept: %(reason)s"),
    gettext_noop("guarantee fund top-up #%(id)s: %(reason)s"),
    gettext_noop("payout to %(account)s"),
    gettext_noop("refund of payment %(payment)s refused by the provider: kept as credit"),
    gettext_noop("refund of payment %(payment)s: %(reason)s"),
    gettext_noop("the subject could not take this payment"),
    gettext_noop("the provider refused the refund"),
    gettext_noop("%(debt)s: settled from payouts"),
    gettext_noop("paid after the payment was cancelled"),
    gettext_noop("bank refused the payout"),
    gettext_noop("payment %(payment)s could not be kept nor cancelled: the payer's credit"),
)
