"""Strikes, suspensions and appeals are never deleted (PostgreSQL refuses it); and what the staff
groups may do: inspectors record inspections, agents decide reports, appeals and wasted-trip claims."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

NEVER_DELETED = ["listings_strike", "listings_suspension", "listings_appeal"]

GROUPS = {
    "inspectors": [
        "listings.record_inspection", "listings.view_inspection", "listings.change_inspection",
        "listings.view_listing", "listings.view_campaign", "listings.view_riskscore",
        "listings.view_report",
    ],
    "agents": [
        "listings.decide_listing", "listings.decide_appeal", "listings.pay_wasted_trip",
        "listings.view_listing", "listings.change_listing", "listings.view_report", "listings.change_report",
        "listings.view_strike", "listings.view_appeal", "listings.change_appeal",
        "listings.view_brokerstanding", "listings.change_brokerstanding", "listings.view_campaign",
        "listings.view_inspection", "listings.view_riskscore", "listings.view_verification",
        "listings.change_verification", "listings.view_wastedtripclaim", "listings.change_wastedtripclaim",
        "listings.view_reporterstanding",
    ],
}


def guard(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("""
        CREATE OR REPLACE FUNCTION listings_never_deleted() RETURNS trigger AS $$
        BEGIN
            RAISE EXCEPTION USING MESSAGE = TG_TABLE_NAME || ' rows are never deleted',
                                  ERRCODE = 'insufficient_privilege';
        END;
        $$ LANGUAGE plpgsql;
    """)
    for table in NEVER_DELETED:
        schema_editor.execute(f"CREATE TRIGGER {table}_never_deleted BEFORE DELETE ON {table} "
                              f"FOR EACH ROW EXECUTE FUNCTION listings_never_deleted();")


def unguard(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in NEVER_DELETED:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_never_deleted ON {table};")
    schema_editor.execute("DROP FUNCTION IF EXISTS listings_never_deleted();")


def _permissions(apps, codenames):
    Permission = apps.get_model("auth", "Permission")
    for dotted in codenames:
        app_label, codename = dotted.split(".")
        yield Permission.objects.get(content_type__app_label=app_label, codename=codename)


def grant(apps, schema_editor):
    # Permissions are normally made after all migrations; make them now so the groups can hold them.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    for name, codenames in GROUPS.items():
        group, _created = Group.objects.get_or_create(name=name)
        group.permissions.add(*_permissions(apps, codenames))


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for name, codenames in GROUPS.items():
        group = Group.objects.filter(name=name).first()
        if group is not None:
            group.permissions.remove(*_permissions(apps, codenames))


class Migration(migrations.Migration):
    dependencies = [
        ("listings", "0001_initial"),
        ("accounts", "0002_staff_groups"),
    ]
    operations = [migrations.RunPython(guard, unguard), migrations.RunPython(grant, revoke)]
