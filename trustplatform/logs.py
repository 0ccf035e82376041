"""Logging filters: what must never be written to a log, whoever logs it (our code, Django, a library)."""

import logging
import re

# The secret part of capability links: an owner's text link, a guarantee offer, a calendar export,
# a password reset, a click-to-call bridge. Django logs the path of every 4xx answer.
_TOKEN_IN_PATH = re.compile(r"(/(?:verify|offers|ical|bridge|password/reset/[^/\s]+)/)[^/\s?#\"']+")
REDACTED = "[redacted]"


class TokensRedacted(logging.Filter):
    """Rewrites a record whose message holds a token-bearing path; never drops a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = _TOKEN_IN_PATH.sub(lambda match: match.group(1) + REDACTED, message)
        if redacted != message:
            record.msg, record.args = redacted, None
        return True
