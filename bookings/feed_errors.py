"""Why another channel's calendar did not import, in a sentence an owner can act on.

A feed keeps the import's own account of the failure (`CalendarFeed.last_error`: the sentence the
import wrote, with the network's technical detail such as "[Errno -2] Name or service not known") for
staff. Owners are shown what it means and what to do instead, in their language, whatever language
the import ran in.
"""

import re
from functools import cache

from django.conf import settings
from django.utils import translation
from django.utils.functional import lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

# The sentences services/channels.py stores (its FeedError messages), by what they mean.
STORED = {
    "not_found": [gettext_noop("The calendar's host name could not be found.")],
    "private": [gettext_noop("The calendar's address points into a private network.")],
    "too_big": [gettext_noop("The calendar is too big (%(size)s bytes)."),
                gettext_noop("The calendar is bigger than %(limit)s bytes.")],
    "refused": [gettext_noop("The calendar's server answered %(status)s.")],
    "unreachable": [gettext_noop("The calendar could not be reached (%(why)s).")],
    "not_calendar": [gettext_noop("The file is not a valid iCal calendar."),
                     gettext_noop("An event has a start or end that is not a date."),
                     gettext_noop("The calendar has an event that cannot be read.")],
}

# What a network failure's technical text says, for "could not be reached (...)".
NETWORK_HINTS = [
    ("not_found", re.compile(r"name or service not known|nodename nor servname|getaddrinfo|"
                             r"no address associated|name resolution|errno -[235]\b", re.I)),
    ("timeout", re.compile(r"timed? ?out", re.I)),
    ("tls", re.compile(r"certificate|ssl|tls", re.I)),
]


def _sentences() -> dict[str, tuple[str, str]]:
    """What went wrong, and what to do about it."""
    return {
        "not_found": (_("We could not find the calendar's address."),
                      _("Copy the whole iCal link from the other channel again and check it for typing "
                        "mistakes.")),
        "private": (_("This address points inside a private network."),
                    _("Use the public iCal link the other channel gives you.")),
        "too_big": (_("The calendar is too big to import."),
                    _("Ask the other channel for a calendar of this room only.")),
        "refused": (_("The other channel refused to hand over the calendar."),
                    _("The link may have expired: copy a new iCal link from the other channel.")),
        "timeout": (_("The other channel did not answer in time."),
                    _("We try again automatically.")),
        "tls": (_("The other channel's secure connection could not be verified."),
                _("We try again automatically; if it keeps failing, copy the link again.")),
        "unreachable": (_("The other channel could not be reached."),
                        _("We try again automatically.")),
        "not_calendar": (_("The link does not lead to an iCal calendar (.ics)."),
                         _("Copy the calendar export link of this room from the other channel.")),
        "unknown": (_("The calendar could not be imported."),
                    _("Check the link, or ask the Ansim team.")),
    }


def _pattern(text: str) -> re.Pattern:
    parts = re.split(r"%\((\w+)\)s", text)
    regex = "".join(re.escape(part) if i % 2 == 0 else f"(?P<{part}>.*)" for i, part in enumerate(parts))
    return re.compile(regex, re.S)


@cache
def _patterns() -> list[tuple[str, re.Pattern]]:
    """Each stored sentence in every language of the site (the import may have run in any of them)."""
    found = []
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            for kind, msgids in STORED.items():
                found += [(kind, _pattern(translation.gettext(msgid))) for msgid in msgids]
    return found


def feed_error_kind(stored: str) -> str:
    """What a stored import failure means: one of the keys of the owner's sentences."""
    if not stored:
        return ""
    for kind, pattern in _patterns():
        match = pattern.fullmatch(stored.strip())
        if not match:
            continue
        if kind != "unreachable":
            return kind
        detail = match.groupdict().get("why", "")
        for inner_kind, inner in _patterns():
            if inner_kind != "unreachable" and inner.fullmatch(detail.strip()):
                return inner_kind
        for hint, regex in NETWORK_HINTS:
            if regex.search(detail):
                return hint
        return "unreachable"
    for hint, regex in NETWORK_HINTS:
        if regex.search(stored):
            return hint
    return "unknown"


def feed_error_sentence(stored: str, *, short: bool = False) -> str:
    """The owner's sentence for a stored import failure: what went wrong and what to do (only what
    went wrong when `short`, for a notice); "" when there is none."""
    kind = feed_error_kind(stored)
    if not kind:
        return ""
    what, advice = _sentences()[kind]
    return what if short else f"{what} {advice}"


# For a notice: rendered when the reader's language is known (trustplatform.notifications Phrase).
feed_error_lazy = lazy(lambda stored: feed_error_sentence(stored, short=True), str)
