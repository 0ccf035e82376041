"""How the schema describes a list the API answers a page at a time (DRF's PageNumberPagination)."""

from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers

from .serializers import OutputSerializer

PAGE_PARAM = OpenApiParameter(
    "page",
    {"type": "integer", "minimum": 1},
    OpenApiParameter.QUERY,
    required=False,
    description="The page to read, from 1; a page past the last is a 404.",
)


def page_of(output: type[serializers.Serializer]) -> type[OutputSerializer]:
    """The schema of a page of `output` rows: an object with the rows in `results`, not a bare list."""
    name = output.__name__.removesuffix("Output") + "PageOutput"
    fields = {
        "count": serializers.IntegerField(),
        "next": serializers.URLField(allow_null=True),
        "previous": serializers.URLField(allow_null=True),
        "results": output(many=True),
    }
    return type(name, (OutputSerializer,), {"__qualname__": name, "__module__": output.__module__, **fields})
