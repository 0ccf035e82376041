"""What the masking app tells others: a session's real numbers were erased (`session_id`), inside the
transaction that erased them, so an app holding a copy of a number for that session erases it too."""

from django.dispatch import Signal

session_scrubbed = Signal()
