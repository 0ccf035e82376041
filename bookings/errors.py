from trustplatform.errors import DomainError


class BookingError(DomainError):
    """A refusal of the bookings app: a stable code and a sentence the guest or owner can act on."""
