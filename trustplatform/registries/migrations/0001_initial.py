"""SandboxRegistryRecord moves here from escrow: the model only; the table and its rows stay, and its
content type is renamed, so the permissions staff groups hold and the admin's history come along."""

from django.db import migrations, models

from trustplatform.dbutil import content_types_move


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("escrow", "0005_idempotentrequest_moves_to_the_core"),  # the table exists from escrow's first
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="SandboxRegistryRecord",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False,
                                                   verbose_name="ID")),
                        ("address", models.CharField(max_length=200, unique=True, verbose_name="address")),
                        ("owner_name", models.CharField(max_length=100, verbose_name="owner")),
                        ("liens", models.JSONField(blank=True, default=list, verbose_name="liens")),
                        ("updated_at", models.DateTimeField(auto_now=True)),
                    ],
                    options={
                        "verbose_name": "sandbox registry record",
                        "verbose_name_plural": "sandbox registry records",
                        "db_table": "escrow_sandboxregistryrecord",
                    },
                ),
            ],
            database_operations=[],
        ),
        content_types_move(models=("sandboxregistryrecord",), source="escrow", target="registries"),
    ]
