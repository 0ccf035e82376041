"""The API's JSON parser: DRF's, with the nesting bounded so that no body can exhaust the stack.

The size is bounded before parsing: DRF reads a JSON body through `request.body`, which refuses more
than DATA_UPLOAD_MAX_MEMORY_SIZE (the exception handler answers 413).
"""

from django.utils.translation import gettext as _
from rest_framework import parsers
from rest_framework.exceptions import ParseError

# Far deeper than any request body of the API, far shallower than what recursion in the views survives.
MAX_DEPTH = 32


def _deeper_than(data, limit: int) -> bool:
    """Whether `data` nests lists and objects more than `limit` levels, walked without recursion."""
    pending = [(data, 1)]
    while pending:
        value, depth = pending.pop()
        if isinstance(value, dict):
            children = value.values()
        elif isinstance(value, list):
            children = value
        else:
            continue
        if depth > limit:
            return True
        pending.extend((child, depth + 1) for child in children)
    return False


def _too_deep() -> ParseError:
    return ParseError(_("The JSON body is nested more than %(max)s levels deep.") % {"max": MAX_DEPTH})


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser; a body nested deeper than MAX_DEPTH is a 400, however deep it goes."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:  # json's own recursion, on a body nested thousands deep
            raise _too_deep() from None
        if _deeper_than(data, MAX_DEPTH):
            raise _too_deep()
        return data
