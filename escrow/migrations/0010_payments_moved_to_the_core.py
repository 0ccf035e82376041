"""Payments, payouts and provider events belong to trustplatform.payments now (state only; the tables
stay)."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('escrow', '0009_payments_subject'),
        ('payments', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
        migrations.RemoveField(
            model_name='payment',
            name='payer',
        ),
        migrations.RemoveField(
            model_name='payment',
            name='subject_type',
        ),
        migrations.RemoveField(
            model_name='payout',
            name='hold',
        ),
        migrations.RemoveField(
            model_name='payout',
            name='partner',
        ),
        migrations.RemoveField(
            model_name='payout',
            name='requested_by',
        ),
        migrations.DeleteModel(
            name='ProviderEvent',
        ),
        migrations.DeleteModel(
            name='Payment',
        ),
        migrations.DeleteModel(
            name='Payout',
        ),
                ],
        ),
    ]
