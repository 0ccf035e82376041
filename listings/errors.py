from trustplatform.errors import DomainError


class ListingError(DomainError):
    """Every refusal of the listings app, with a code a client can act on."""
