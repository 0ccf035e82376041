"""The domain error every app raises; the API exception handler turns it into JSON."""


class DomainError(Exception):
    """A refusal a person can act on: a stable `code`, a readable `detail`, optional `fields`.

    Each app subclasses it once (e.g. `AccountError`); `status` is the HTTP status the API answers.
    """

    status = 400
    code = "invalid"

    def __init__(self, detail: str, *, code: str | None = None, fields: dict | None = None,
                 status: int | None = None) -> None:
        super().__init__(detail)
        self.detail = str(detail)
        if code:
            self.code = code
        if status:
            self.status = status
        self.fields = fields or {}


class NotFound(DomainError):
    status = 404
    code = "not_found"


class Conflict(DomainError):
    status = 409
    code = "conflict"


class Forbidden(DomainError):
    status = 403
    code = "forbidden"
