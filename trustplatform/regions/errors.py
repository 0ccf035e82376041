from trustplatform.errors import DomainError


class RegionError(DomainError):
    """A region code the catalogue refuses: `region_unknown`, `region_abolished` or `region_wrong_level`."""

    code = "region_unknown"
