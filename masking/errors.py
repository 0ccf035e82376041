from trustplatform.errors import Conflict, DomainError


class MaskingError(DomainError):
    """Every refusal of the masking app; `pool_exhausted` answers 409."""


class MaskingConflict(MaskingError, Conflict):
    """A MaskingError that is refused by the current state of things (409)."""
