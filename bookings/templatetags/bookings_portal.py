"""`{% load bookings_portal %}`: what the owner portal's stay pages say in words instead of codes.

    {{ feed.last_error|feed_error }}     why a calendar did not import, as the owner can act on it
    {{ booking.cancel_reason|cancel_reason }}   a reason the platform wrote ("double-booked on Airbnb")
                                         as a sentence in the reader's language; an owner's own words
                                         are shown as written
"""

import re

from django import template
from django.utils.translation import gettext as _

from ..feed_errors import feed_error_sentence

register = template.Library()

# Reasons services/channels.py records when a double booking ends our booking (kept in English there).
PLATFORM_REASONS = [
    (re.compile(r"^double-booked on (?P<channel>.+)$"),
     lambda channel: _("Cancelled because the room was also booked on %(channel)s.") % {"channel": channel}),
    (re.compile(r"^unresolved double booking with (?P<channel>.+)$"),
     lambda channel: _("Cancelled because the double booking with %(channel)s was not resolved in time.")
     % {"channel": channel}),
]


@register.filter
def feed_error(stored: str) -> str:
    return feed_error_sentence(stored or "")


@register.filter
def cancel_reason(reason: str) -> str:
    for pattern, sentence in PLATFORM_REASONS:
        match = pattern.match(reason or "")
        if match:
            return sentence(match.group("channel"))
    return reason or ""
