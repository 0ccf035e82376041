"""The one API exception handler: every refusal is JSON `{"code", "detail", "fields"}`."""

import logging

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from django_fsm import ConcurrentTransition, TransitionNotAllowed
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from trustplatform.errors import DomainError
from trustplatform.overload import RETRY_AFTER_S, busy_dependency, busy_detail

logger = logging.getLogger(__name__)

# Stable codes for DRF's own exceptions; clients branch on these, so never rename one.
_DRF_CODES = {
    exceptions.ParseError: "malformed_request",
    exceptions.AuthenticationFailed: "authentication_failed",
    exceptions.NotAuthenticated: "not_authenticated",
    exceptions.PermissionDenied: "permission_denied",
    exceptions.NotFound: "not_found",
    exceptions.MethodNotAllowed: "method_not_allowed",
    exceptions.NotAcceptable: "not_acceptable",
    exceptions.UnsupportedMediaType: "unsupported_media_type",
    exceptions.Throttled: "rate_limited",
}


def _body(code: str, detail, fields=None) -> dict:
    return {"code": code, "detail": str(detail), "fields": fields or {}}


def _flatten(detail) -> dict:
    """DRF's nested error detail → {"field": ["message", ...]}, with "non_field_errors" kept."""
    if isinstance(detail, dict):
        out = {}
        for key, value in detail.items():
            if isinstance(value, dict):
                for sub, messages in _flatten(value).items():
                    out[f"{key}.{sub}"] = messages
            elif isinstance(value, list) and value and isinstance(value[0], dict):
                for index, item in enumerate(value):
                    for sub, messages in _flatten(item).items():
                        out[f"{key}.{index}.{sub}"] = messages
            else:
                out[key] = [str(m) for m in (value if isinstance(value, list) else [value])]
        return out
    if isinstance(detail, list):
        return {"non_field_errors": [str(m) for m in detail]}
    return {"non_field_errors": [str(detail)]}


def _first_code(detail) -> str | None:
    if isinstance(detail, dict):
        for value in detail.values():
            found = _first_code(value)
            if found:
                return found
    elif isinstance(detail, list):
        for value in detail:
            found = _first_code(value)
            if found:
                return found
    else:
        return getattr(detail, "code", None)
    return None


def exception_handler(exc, context):
    busy = busy_dependency(exc)
    if busy:  # a statement, lock or Redis timeout: nothing was changed, try again
        logger.warning("busy: %s did not answer in time for %s", busy, context["request"].path_info)
        return Response(_body("busy", busy_detail()), status=status.HTTP_503_SERVICE_UNAVAILABLE,
                        headers={"Retry-After": RETRY_AFTER_S})
    if isinstance(exc, DomainError):
        return Response(_body(exc.code, exc.detail, exc.fields), status=exc.status)
    if isinstance(exc, TransitionNotAllowed):
        return Response(_body("invalid_transition", "This cannot be done in the current state."),
                        status=status.HTTP_409_CONFLICT)
    if isinstance(exc, ConcurrentTransition):
        return Response(_body("concurrent_change", "Someone else changed this; reload and retry."),
                        status=status.HTTP_409_CONFLICT)
    if isinstance(exc, RequestDataTooBig | TooManyFieldsSent | TooManyFilesSent):
        return Response(_body("request_too_large", _("The request is too large.")),
                        status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE)
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(detail=exc.message_dict if hasattr(exc, "error_dict")
                                         else exc.messages)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    if isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()

    response = drf_exception_handler(exc, context)
    if response is None:
        return None  # a real bug: let Django log it and answer 500
    if isinstance(exc, exceptions.ValidationError):
        fields = _flatten(exc.detail)
        code = _first_code(exc.detail) or "invalid"
        code = code if code in {"unknown_field", "required", "null", "blank"} else "invalid"
        messages = [f"{name}: {m[0]}" for name, m in fields.items()]
        detail = "Some fields are not valid: " + "; ".join(messages) if messages else "Invalid input."
        response.data = _body(code, detail, fields)
        return response
    code = next((c for cls, c in _DRF_CODES.items() if isinstance(exc, cls)), "error")
    detail = exc.detail if isinstance(getattr(exc, "detail", None), str) else getattr(exc, "detail", "")
    response.data = _body(code, detail)
    return response
