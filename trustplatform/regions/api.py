"""The region catalogue over the API: search by name (what the autocomplete asks) and one code."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from trustplatform.api.serializers import ErrorSerializer, InputSerializer, OutputSerializer

from .errors import RegionError
from .selectors import CODE_RE, SEARCH_LIMIT, region_infos, region_search

TAGS = ["regions"]
LEVEL_HELP = "1 시/도, 2 시/군/구, 3 읍/면/동, 4 리."


class RegionOutput(OutputSerializer):
    code = serializers.CharField(help_text="The ten-digit legal-dong code (법정동코드).")
    name = serializers.CharField(help_text="The whole name, e.g. 서울특별시 마포구 서교동.")
    level = serializers.IntegerField(help_text=LEVEL_HELP)


class RegionSearchApi(APIView):
    """Areas in use whose name holds every word of `q` (서교, 마포 서교동, 춘천 동산면): larger areas
    first, then shorter names. No login needed."""

    permission_classes = [AllowAny]

    class Query(InputSerializer):
        q = serializers.CharField(
            max_length=50, help_text="Words of the name, or the first digits of a code."
        )
        level = serializers.RegexField(
            r"^[1-4](,[1-4]){0,3}$", required=False, help_text=f"Only these levels, e.g. 3,4: {LEVEL_HELP}"
        )
        limit = serializers.IntegerField(min_value=1, max_value=SEARCH_LIMIT, required=False, default=10)

    class Output(OutputSerializer):
        results = RegionOutput(many=True)

    @extend_schema(
        operation_id="regions_search",
        tags=TAGS,
        parameters=[Query],
        responses={200: Output, 400: ErrorSerializer},
    )
    def get(self, request):
        query = self.Query(data=request.query_params.dict())
        query.is_valid(raise_exception=True)
        levels = tuple(int(level) for level in query.validated_data.get("level", "").split(",") if level)
        found = region_search(query.validated_data["q"], levels=levels, limit=query.validated_data["limit"])
        return Response(self.Output({"results": found}).data)


class RegionDetailApi(APIView):
    """One code, in use or abolished; an abolished one names the area that replaced it, if one did."""

    permission_classes = [AllowAny]

    class Output(RegionOutput):
        is_current = serializers.BooleanField(help_text="False for an abolished code.")
        successor = RegionOutput(allow_null=True, help_text="The area in use now that took over all of it.")

    @extend_schema(operation_id="regions_read", tags=TAGS, responses={200: Output, 404: ErrorSerializer})
    def get(self, request, code: str):
        info = region_infos([code]).get(code) if CODE_RE.fullmatch(code) else None
        if info is None:
            raise RegionError(
                _("No area has the code %(code)s.") % {"code": code}, code="not_found", status=404
            )
        successor = (
            region_infos([info.successor_code]).get(info.successor_code) if info.successor_code else None
        )
        return Response(
            self.Output(
                {
                    "code": info.code,
                    "name": info.name,
                    "level": info.level,
                    "is_current": info.is_current,
                    "successor": successor,
                }
            ).data
        )
