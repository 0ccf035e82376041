from trustplatform.errors import Conflict, DomainError, Forbidden, NotFound


class BookingError(DomainError):
    """A refusal of the bookings app: a stable code and a sentence the guest or owner can act on."""


class BookingNotFound(BookingError, NotFound):
    """A BookingError that asks for something that is not there or not theirs (404)."""


class BookingConflict(BookingError, Conflict):
    """A BookingError that is refused by the current state of things (409)."""


class BookingForbidden(BookingError, Forbidden):
    """A BookingError refused to this person whatever the state (403)."""
