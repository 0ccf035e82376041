"""The ledger moves to trustplatform.ledger (state only; the tables stay): its relations go first."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('ledger', '0001_initial'),
        ('escrow', '0006_sandboxregistryrecord_moves_to_the_core'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
            migrations.RemoveField(
                model_name='hold',
                name='credit_account',
            ),
            migrations.RemoveField(
                model_name='hold',
                name='debit_account',
            ),
            migrations.RemoveField(
                model_name='hold',
                name='transfer',
            ),
            ],
        ),
    ]
