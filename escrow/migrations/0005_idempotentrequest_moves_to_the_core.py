"""IdempotentRequest now belongs to the platform's API (trustplatform.api); its table stays."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("escrow", "0004_queued_credits"),
        ("api", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="IdempotentRequest")],
            database_operations=[],
        ),
    ]
