"""What the staff groups may do in escrow: agents review documents and decide disputes and claims;
finance gives the second approval, reads the ledger and payouts, and refunds."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUPS = {
    "agents": [
        "escrow.review_document",
        "escrow.decide_dispute",
        "escrow.decide_claim",
        "escrow.view_escrowagreement",
        "escrow.change_escrowagreement",
        "escrow.view_condition",
        "escrow.view_evidence",
        "escrow.view_dispute",
        "escrow.view_guaranteeclaim",
        "escrow.view_sandboxregistryrecord",
        "escrow.change_sandboxregistryrecord",
    ],
    "finance": [
        "escrow.approve_dispute",
        "escrow.view_dispute",
        "escrow.view_escrowagreement",
        "escrow.change_escrowagreement",
        "escrow.view_ledgeraccount",
        "escrow.view_transfer",
        "escrow.view_hold",
        "escrow.view_payment",
        "escrow.view_payout",
        "escrow.view_providerevent",
    ],
}


def _permissions(apps, codenames):
    Permission = apps.get_model("auth", "Permission")
    for dotted in codenames:
        app_label, codename = dotted.split(".")
        permission = Permission.objects.filter(content_type__app_label=app_label, codename=codename).first()
        # Permissions are made from today's models: one that has since moved to the core (the sandbox
        # registry) is not found here, and its app's staff_permissions grant it after the migration.
        if permission is not None:
            yield permission


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
        ("escrow", "0002_transfers_append_only"),
        ("accounts", "0002_staff_groups"),
    ]
    operations = [migrations.RunPython(grant, revoke)]
