from django.contrib import admin
from django.contrib.admin.widgets import FilteredSelectMultiple
from django.contrib.auth.admin import GroupAdmin as BaseGroupAdmin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.models import Group
from django.utils.translation import gettext_lazy as _

from .models import User


class PickerHintMixin:
    """The two-list picker (groups, permissions) is used by clicking; Django's hint to hold down Control
    is for a plain list box and names keys in English, so only the field's own help text is kept."""

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        form_field = super().formfield_for_manytomany(db_field, request, **kwargs)
        if form_field is not None and isinstance(form_field.widget, FilteredSelectMultiple):
            form_field.help_text = db_field.help_text
        return form_field


admin.site.unregister(Group)


@admin.register(Group)
class GroupAdmin(PickerHintMixin, BaseGroupAdmin):
    pass


@admin.register(User)
class UserAdmin(PickerHintMixin, BaseUserAdmin):
    """Staff see a masked hint of the phone number, never the number itself."""

    ordering = ["email"]
    list_display = ["email", "full_name", "phone_hint", "phone_verified_at", "is_staff", "is_active"]
    list_filter = ["is_staff", "is_superuser", "is_active", "groups"]
    search_fields = ["email", "full_name"]
    readonly_fields = ["phone_hint", "phone_verified_at", "last_login", "date_joined"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (_("Personal info"), {"fields": ["full_name", "phone_hint", "phone_verified_at", "language"]}),
        (_("Permissions"), {"fields": ["is_active", "is_staff", "is_superuser", "groups",
                                       "user_permissions"]}),
        (_("Important dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"],
                             "fields": ["email", "full_name", "password1", "password2"]})]


# The packages' screens (authenticators, lockouts, periodic tasks), replaced once their own admin
# modules, earlier in INSTALLED_APPS, have registered them.
from trustplatform import admin_packages  # noqa: E402, F401
