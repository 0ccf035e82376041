from trustplatform.errors import DomainError


class MaskingError(DomainError):
    """Every refusal of the masking app; `pool_exhausted` answers 409."""
