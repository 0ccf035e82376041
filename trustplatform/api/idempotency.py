"""`Idempotency-Key` for API POSTs: the first request runs and its answer is kept; a repeat gets it back.

The (user, key) row is inserted before the view runs, in the same transaction as the view's writes.
A concurrent duplicate's INSERT waits on the unique index until the first request commits, then
replays the stored answer; if the first one failed (and so rolled back with everything it did), the
waiting duplicate runs instead. Only successful answers are kept, so a failed request can be retried
with the same key once the problem is fixed.
"""

import functools
import hashlib
import json
import re
from datetime import timedelta

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter
from rest_framework.response import Response
from rest_framework.utils.encoders import JSONEncoder

from trustplatform.errors import Conflict, DomainError

from .models import IdempotentRequest

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
MAX_KEY_LENGTH = 200  # IdempotentRequest.key
# Visible ASCII, no spaces: what a header carries unchanged through every proxy. The schema says the same.
KEY_PATTERN = rf"^[!-~]{{1,{MAX_KEY_LENGTH}}}$"

IDEMPOTENCY_KEY_PARAM = OpenApiParameter(
    HEADER,
    {"type": "string", "minLength": 1, "maxLength": MAX_KEY_LENGTH, "pattern": KEY_PATTERN},
    OpenApiParameter.HEADER,
    required=False,
    description=(
        "Any unique string (a UUID is best) of 1 to 200 visible ASCII characters, no spaces. Repeating "
        "the request with the same key returns the first answer without doing anything again; the same "
        "key with a different request is refused with 409 `idempotency_key_reused`. Failed requests are "
        "not remembered, so they can be retried with the same key."
    ),
)
REPLAYED_PARAM = OpenApiParameter(
    REPLAYED_HEADER,
    str,
    OpenApiParameter.HEADER,
    response=[200, 201],  # successes only: refusals are never stored, so never replayed
    enum=["true"],
    description="Present when the answer is the stored one of an earlier request with the same key.",
)


def _plain(value):
    # Files count by their content, so a re-sent upload of the same file matches.
    if isinstance(value, UploadedFile):
        digest = hashlib.sha256()
        for chunk in value.chunks():
            digest.update(chunk)
        value.seek(0)
        return {"file": value.name, "size": value.size, "sha256": digest.hexdigest()}
    return value


def request_fingerprint(request) -> str:
    """sha256 of the method, the path and the body in canonical form (sorted keys, files by content).

    Reading `request.data` parses the body: a malformed one fails here, before anything is stored.
    """
    data = request.data
    if hasattr(data, "lists"):  # form or multipart: every value of every field
        data = {name: [_plain(value) for value in values] for name, values in data.lists()}
    body = json.dumps(data, sort_keys=True, cls=JSONEncoder, ensure_ascii=False)
    digest = hashlib.sha256(f"{request.method}\n{request.get_full_path()}\n".encode())
    digest.update(body.encode())
    return digest.hexdigest()


def _key_of(request) -> str | None:
    key = request.headers.get(HEADER)
    if key is None:
        return None
    if not re.fullmatch(KEY_PATTERN, key):
        raise DomainError(
            _("The Idempotency-Key header must be 1 to %(max)s visible ASCII characters, without spaces.")
            % {"max": MAX_KEY_LENGTH},
            code="invalid_idempotency_key",
            fields={HEADER: [_("Use a UUID.")]},
        )
    return key


def _replay(record: IdempotentRequest, fingerprint: str) -> Response:
    if record.fingerprint != fingerprint:
        raise Conflict(
            _("This Idempotency-Key was already used for a different request; use a new key."),
            code="idempotency_key_reused",
        )
    if record.status_code is None:  # not reachable: rows become visible only with their answer
        raise Conflict(_("The first request with this key is still running."), code="idempotency_key_busy")
    return Response(record.response, status=record.status_code, headers={REPLAYED_HEADER: "true"})


def idempotent(handler):
    """Decorate an API view's `post`: with an Idempotency-Key header it runs once per (user, key)."""

    @functools.wraps(handler)
    def wrapper(view, request, *args, **kwargs):
        key = _key_of(request)
        if key is None:
            return handler(view, request, *args, **kwargs)
        fingerprint = request_fingerprint(request)
        with transaction.atomic():
            # A twin in flight holds the unique index entry: this INSERT waits for its outcome.
            record, created = IdempotentRequest.objects.get_or_create(
                user=request.user, key=key, defaults={"fingerprint": fingerprint}
            )
            if not created:
                return _replay(record, fingerprint)
            response = handler(view, request, *args, **kwargs)
            if not 200 <= response.status_code < 300:
                transaction.set_rollback(True)  # not kept: the key stays free for a corrected retry
                return response
            stored = json.loads(json.dumps(response.data, cls=JSONEncoder))
            IdempotentRequest.objects.filter(pk=record.pk).update(
                status_code=response.status_code, response=stored
            )
        return response

    return wrapper


def idempotent_requests_purge(*, older_than: timedelta = timedelta(hours=24)) -> int:
    """Forget stored answers older than a day: a client retries within minutes, not days."""
    deleted, _counts = IdempotentRequest.objects.filter(created_at__lt=timezone.now() - older_than).delete()
    return deleted
