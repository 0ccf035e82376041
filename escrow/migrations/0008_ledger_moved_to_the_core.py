"""The ledger belongs to trustplatform.ledger now (state only; the tables stay)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('escrow', '0007_ledger_moves_to_the_core'),
        ('ledger', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
            migrations.AlterField(
                model_name='payout',
                name='hold',
                field=models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name='payout', to='ledger.hold'),
            ),
            migrations.RemoveField(
                model_name='ledgeraccount',
                name='partner',
            ),
            migrations.RemoveField(
                model_name='ledgeraccount',
                name='user',
            ),
            migrations.RemoveField(
                model_name='transfer',
                name='credit_account',
            ),
            migrations.RemoveField(
                model_name='pendingcredit',
                name='account',
            ),
            migrations.RemoveField(
                model_name='transfer',
                name='debit_account',
            ),
            migrations.RemoveField(
                model_name='pendingcredit',
                name='transfer',
            ),
            migrations.RemoveField(
                model_name='transfer',
                name='subject_type',
            ),
            migrations.DeleteModel(
                name='Hold',
            ),
            migrations.DeleteModel(
                name='LedgerAccount',
            ),
            migrations.DeleteModel(
                name='PendingCredit',
            ),
            migrations.DeleteModel(
                name='Transfer',
            ),
            ],
        ),
    ]
