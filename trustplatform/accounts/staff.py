"""The staff groups (agents, inspectors, finance) and what each may do, kept in step with the code.

Each app declares on its AppConfig what the groups may do with its own models:
`staff_permissions = {"agents": ["decide_partner", ...], ...}` (codenames of that app). After every
migrate the groups exist and hold those permissions — and after every flush too, which Django
follows with the same signal, so a database emptied by a test or an operator still has its staff
groups. Permissions an administrator granted by hand are kept; nothing is taken away here.
"""

from django.apps import apps as global_apps
from django.db import DEFAULT_DB_ALIAS

STAFF_GROUPS = ("agents", "inspectors", "finance")


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
