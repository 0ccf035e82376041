"""The region catalogue in the admin: staff look codes up; only `manage.py regions_import` changes them."""

import datetime as dt
import re

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from trustplatform.admin_base import ReadOnlyAdmin
from trustplatform.ui import korean

from .models import Region

# How the import records which list or change last said a row (regions.services, regions.changes).
_SOURCES = (
    (re.compile(r"^change (?P<day>\d{4}-\d{2}-\d{2}): (?P<what>.+)$"), _("Change of %(day)s: %(what)s")),
    (re.compile(r"^not in list (?P<day>\d{4}-\d{2}-\d{2})$"), _("Not in the official list as of %(day)s")),
    (re.compile(r"^list (?P<day>\d{4}-\d{2}-\d{2})$"), _("Official list as of %(day)s")),
)


def source_words(source: str) -> str:
    """A row's stored source ("change 2024-01-18: 전북특별자치도") in words, or as stored if unknown."""
    for pattern, words in _SOURCES:
        if match := pattern.match(source):
            parts = match.groupdict()
            parts["day"] = korean.day(dt.date.fromisoformat(parts["day"]), with_year=True)
            return str(words) % parts
    return source


@admin.register(Region)
class RegionAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "level", "is_current", "successor"]
    list_filter = ["level", "is_current"]
    search_fields = ["=code", "name"]
    list_select_related = ["successor"]
    show_full_result_count = False

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        return [("source_shown" if name == "source" else name) for name in fields]

    def get_exclude(self, request, obj=None):
        return [*(super().get_exclude(request, obj) or ()), "source"]

    @admin.display(description=pgettext_lazy("region", "source"), ordering="source")
    def source_shown(self, region) -> str:
        return source_words(region.source)
