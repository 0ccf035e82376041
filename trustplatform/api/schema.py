"""What the OpenAPI schema adds to what drf-spectacular reads from the views, so it says what the API does.

- A request body of an `InputSerializer` refuses unknown fields: `additionalProperties: false`.
- Every operation lists the error answers any operation can give (all in the `Error` shape): a bad
  request, a missing or bad token, a refusal, an object or partner not found, a body too large or of
  another media type, the rate limit. A view lists its own (409, 503) itself.
"""

from drf_spectacular.extensions import OpenApiSerializerExtension

ERROR_REF = {"$ref": "#/components/schemas/Error"}

ERROR_ANSWERS = {
    "400": "The request is malformed or not valid: `code` says why, `fields` names the fields at fault.",
    "401": "No valid credentials: the token is missing, unknown or revoked.",
    "403": "This caller may not do this.",
    "404": "No such object, or not one this caller may see.",
    "413": "The request body is too large.",
    "415": "The request body is not in a media type this operation reads.",
    "429": "Too many requests: retry later.",
    # Listed by the operations that can give them:
    "409": "Refused in the object's current state, or by a concurrent change: `code` says which.",
    "503": "The payment company cannot be reached now: retry later.",
}


class InputSerializerExtension(OpenApiSerializerExtension):
    """Request bodies of InputSerializer refuse fields they do not name, so their schema does too."""

    target_class = "trustplatform.api.serializers.InputSerializer"
    match_subclasses = True

    def map_serializer(self, auto_schema, direction):
        schema = auto_schema._map_serializer(self.target, direction, bypass_extensions=True)
        if direction == "request":
            schema["additionalProperties"] = False
        return schema


def _errors_of(method: str, operation: dict) -> list[str]:
    parameters = operation.get("parameters", [])
    security = operation.get("security", [])
    authenticates = any(requirement for requirement in security)
    login_required = authenticates and {} not in security
    writes = method != "get"
    statuses = ["429"]
    if writes or parameters:
        statuses.append("400")
    if authenticates:
        statuses.append("401")
    if login_required or (authenticates and writes):  # a session's write may also fail its CSRF check
        statuses.append("403")
    if any(p["in"] == "path" or p["name"] == "X-Partner-Id" for p in parameters):
        statuses.append("404")
    if writes:  # a body is read even where none is described (an Idempotency-Key's fingerprint)
        statuses += ["413", "415"]
    return statuses


def error_answers_postprocess(result, generator, request, public):
    """Add the error answers every operation can give, and describe every `Error` answer."""
    for methods in result.get("paths", {}).values():
        for method, operation in methods.items():
            responses = operation.setdefault("responses", {})
            for status in _errors_of(method, operation):
                responses.setdefault(status, {"content": {"application/json": {"schema": ERROR_REF}}})
            for status, response in responses.items():
                is_error = response.get("content", {}).get("application/json", {}).get("schema") == ERROR_REF
                if is_error and not response.get("description") and status in ERROR_ANSWERS:
                    response["description"] = ERROR_ANSWERS[status]
    return result
