"""The staff groups (agents, inspectors, finance) and what each may do, kept in step with the code.

Each app declares on its AppConfig what the groups may do with its own models:
`staff_permissions = {"agents": ["decide_partner", ...], ...}` (codenames of that app). After every
migrate the groups exist and hold those permissions — and after every flush too, which Django
follows with the same signal, so a database emptied by a test or an operator still has its staff
groups. Permissions an administrator granted by hand are kept; nothing is taken away here.
"""

from django.apps import apps as global_apps
from django.db import DEFAULT_DB_ALIAS
from django.utils.translation import gettext, pgettext_lazy

STAFF_GROUPS = ("agents", "inspectors", "finance")

# The groups keep their English names in the database (the code looks them up by name); staff read these.
STAFF_GROUP_NAMES = {
    "agents": pgettext_lazy("staff group", "Agents"),
    "inspectors": pgettext_lazy("staff group", "Inspectors"),
    "finance": pgettext_lazy("staff group", "Finance"),
}

# Django names its own permissions "Can add <model>" in English when it creates them.
DEFAULT_PERMISSION_WORDS = {
    "add": pgettext_lazy("permission", "Can add %(name)s"),
    "change": pgettext_lazy("permission", "Can change %(name)s"),
    "delete": pgettext_lazy("permission", "Can delete %(name)s"),
    "view": pgettext_lazy("permission", "Can view %(name)s"),
}


def group_words(group) -> str:
    return str(STAFF_GROUP_NAMES.get(group.name, group.name))


def permission_words(permission) -> str:
    """A permission as staff read it: Django's own from the model's translated name, the project's
    (stored as written in the model's Meta) through the catalogue."""
    model = permission.content_type.model_class()
    if model is not None:
        opts = model._meta
        for action in opts.default_permissions:
            if permission.codename == f"{action}_{opts.model_name}" and action in DEFAULT_PERMISSION_WORDS:
                return str(DEFAULT_PERMISSION_WORDS[action]) % {"name": opts.verbose_name}
    return gettext(permission.name)


def staff_words_install() -> None:
    """Groups and permissions shown anywhere (lists, filters, the permission picker) in words."""
    from django.contrib.auth.models import Group, Permission

    Group.__str__ = group_words
    Permission.__str__ = lambda permission: f"{permission.content_type} | {permission_words(permission)}"


def staff_groups_sync(sender, *, apps=global_apps, using=DEFAULT_DB_ALIAS, **kwargs) -> None:
    """post_migrate receiver: give the staff groups what `sender` (an AppConfig) declares.

    Runs after auth's own receiver for the same app, which creates that app's permissions.
    """
    declared = getattr(sender, "staff_permissions", None)
    if not declared:
        return
    unknown = set(declared) - set(STAFF_GROUPS)
    if unknown:
        raise LookupError(f"{sender.label}.staff_permissions names no staff group: {sorted(unknown)}")
    try:
        Group = apps.get_model("auth", "Group")
        Permission = apps.get_model("auth", "Permission")
    except LookupError:  # auth not installed in this migration state
        return
    wanted = {codename for codenames in declared.values() for codename in codenames}
    found = {
        permission.codename: permission
        for permission in Permission.objects.using(using).filter(
            content_type__app_label=sender.label, codename__in=wanted)
    }
    if missing := wanted - found.keys():
        raise LookupError(f"{sender.label}.staff_permissions names unknown permissions: {sorted(missing)}")
    for name, codenames in declared.items():
        group, _created = Group.objects.using(using).get_or_create(name=name)
        group.permissions.add(*(found[codename] for codename in codenames))
