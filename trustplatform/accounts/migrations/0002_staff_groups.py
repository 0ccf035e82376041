"""Staff groups and what each may do. Later apps add their own permissions to these groups."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUPS = {
    # Agents handle partner applications, guarantee cases and disputes.
    "agents": ["accounts.view_user", "partners.view_partner", "partners.change_partner",
               "partners.decide_partner", "partners.view_membership", "audit.view_auditentry",
               "notifications.view_notification"],
    # Inspectors check listings on site; they need to see who the broker is.
    "inspectors": ["partners.view_partner", "partners.view_membership"],
    # Finance approves releases and reads the audit trail.
    "finance": ["partners.view_partner", "audit.view_auditentry", "accounts.view_user"],
}


def create_groups(apps, schema_editor):
    # Permissions are normally made after all migrations; make them now so groups can use them.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in GROUPS.items():
        group, _created = Group.objects.get_or_create(name=name)
        for dotted in codenames:
            app_label, codename = dotted.split(".")
            group.permissions.add(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=GROUPS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("partners", "0001_initial"),
        ("audit", "0001_initial"),
        ("notifications", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]
    operations = [migrations.RunPython(create_groups, remove_groups)]
