"""The region catalogue in the admin: staff look codes up; only `manage.py regions_import` changes them."""

from django.contrib import admin

from trustplatform.admin_base import ReadOnlyAdmin

from .models import Region


@admin.register(Region)
class RegionAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "level", "is_current", "successor"]
    list_filter = ["level", "is_current"]
    search_fields = ["=code", "name"]
    list_select_related = ["successor"]
    show_full_result_count = False
