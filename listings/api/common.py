from drf_spectacular.utils import extend_schema
from rest_framework.permissions import BasePermission

from trustplatform.api.idempotency import IDEMPOTENCY_KEY_PARAM, REPLAYED_PARAM
from trustplatform.api.serializers import ErrorSerializer
from trustplatform.partners.api import PARTNER_HEADER_PARAM

from ..services import is_inspector

TAGS = ["listings"]
ERRORS = {400: ErrorSerializer, 403: ErrorSerializer, 404: ErrorSerializer, 409: ErrorSerializer}


def post_schema(operation_id: str, *, request, responses: dict, partner: bool = False, description: str = ""):
    parameters = [PARTNER_HEADER_PARAM] if partner else []
    return extend_schema(
        operation_id=operation_id,
        tags=TAGS,
        request=request,
        description=description,
        parameters=[*parameters, IDEMPOTENCY_KEY_PARAM, REPLAYED_PARAM],
        responses={**responses, **ERRORS},
    )


class IsInspector(BasePermission):
    def has_permission(self, request, view) -> bool:
        return bool(request.user and request.user.is_authenticated and is_inspector(request.user))


class IsListingStaff(BasePermission):
    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(
            user
            and user.is_authenticated
            and user.is_staff
            and (user.has_perm("listings.decide_listing") or is_inspector(user))
        )
