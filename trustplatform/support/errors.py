from trustplatform.errors import Conflict, DomainError, NotFound


class SupportError(DomainError):
    """Every refusal around the questions consumers send the agents' team."""


class SupportNotFound(SupportError, NotFound):
    """Not there, or not this person's (404)."""


class SupportConflict(SupportError, Conflict):
    """Refused by the state of the question (409)."""
