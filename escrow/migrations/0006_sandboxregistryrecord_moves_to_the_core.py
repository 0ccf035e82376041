"""SandboxRegistryRecord now belongs to the platform's registries (trustplatform.registries)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("escrow", "0005_idempotentrequest_moves_to_the_core"),
        ("registries", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="SandboxRegistryRecord")],
            database_operations=[],
        ),
    ]
