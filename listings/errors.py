from trustplatform.errors import Conflict, DomainError, Forbidden, NotFound


class ListingError(DomainError):
    """Every refusal of the listings app, with a code a client can act on."""


class ListingNotFound(ListingError, NotFound):
    """A ListingError that asks for something that is not there or not theirs (404)."""


class ListingConflict(ListingError, Conflict):
    """A ListingError that is refused by the current state of things (409)."""


class ListingForbidden(ListingError, Forbidden):
    """A ListingError that is not allowed to this person (403)."""
