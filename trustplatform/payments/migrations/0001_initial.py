"""Payments, payouts and the providers' events move here from escrow: the models only; their tables
and rows stay (db_table) and the content types are renamed. Refunds and the sandbox provider's own
records are new. Booking payments are merged into the same table by bookings' next migration."""

import django.db.models.deletion
import django_fsm
from django.conf import settings
from django.db import migrations, models

from trustplatform.dbutil import content_types_move


def sandbox_charges(apps, schema_editor):
    """The sandbox keeps its own record of each checkout now: one for every sandbox payment."""
    Payment = apps.get_model("payments", "Payment")
    SandboxCharge = apps.get_model("payments", "SandboxCharge")
    SandboxCharge.objects.bulk_create(
        [
            SandboxCharge(provider_payment_id=p.provider_payment_id, amount_krw=p.amount_krw, method=p.method,
                          status="paid" if p.status == "paid" else "pending", virtual_account=p.virtual_account)
            for p in Payment.objects.filter(provider="sandbox")
        ],
        ignore_conflicts=True,
    )


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('escrow', '0009_payments_subject'),  # the tables exist, in their final shape
        ('contenttypes', '0002_remove_content_type_name'),
        ('ledger', '0001_initial'),
        ('partners', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
        migrations.CreateModel(
            name='Payment',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('subject_id', models.BigIntegerField()),
                ('amount_krw', models.BigIntegerField(verbose_name='amount (KRW)')),
                ('refunded_krw', models.BigIntegerField(default=0, verbose_name='refunded (KRW)')),
                ('method', models.CharField(choices=[('card', 'Card'), ('virtual_account', 'Virtual bank account')], max_length=20, verbose_name='method')),
                ('provider', models.CharField(max_length=20, verbose_name='provider')),
                ('provider_payment_id', models.CharField(max_length=100, unique=True)),
                ('virtual_account', models.CharField(blank=True, max_length=40, verbose_name='virtual account')),
                ('status', django_fsm.FSMField(choices=[('pending', 'Waiting for payment'), ('paid', 'Paid'), ('failed', 'Failed'), ('cancelled', 'Cancelled'), ('refunded', 'Refunded')], default='pending', max_length=50, protected=True, verbose_name='status')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created')),
                ('paid_at', models.DateTimeField(blank=True, null=True, verbose_name='paid at')),
                ('payer', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='payments', to=settings.AUTH_USER_MODEL, verbose_name='payer')),
                ('subject_type', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='contenttypes.contenttype')),
            ],
            options={
                'verbose_name': 'payment',
                'verbose_name_plural': 'payments',
                'db_table': 'escrow_payment',
            },
            bases=(django_fsm.ConcurrentTransitionMixin, models.Model),
        ),
        migrations.CreateModel(
            name='Payout',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('amount_krw', models.BigIntegerField(verbose_name='amount (KRW)')),
                ('provider', models.CharField(max_length=20)),
                ('provider_payout_id', models.CharField(max_length=100, unique=True)),
                ('status', django_fsm.FSMField(choices=[('requested', 'Sent to the bank'), ('paid', 'Paid'), ('failed', 'Failed')], default='requested', max_length=50, protected=True, verbose_name='status')),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('settled_at', models.DateTimeField(blank=True, null=True)),
                ('hold', models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name='payout', to='ledger.hold')),
                ('partner', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='payouts', to='partners.partner')),
                ('requested_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'payout',
                'verbose_name_plural': 'payouts',
                'db_table': 'escrow_payout',
                'ordering': ['-created_at'],
            },
            bases=(django_fsm.ConcurrentTransitionMixin, models.Model),
        ),
        migrations.CreateModel(
            name='ProviderEvent',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('provider', models.CharField(max_length=20)),
                ('event_id', models.CharField(max_length=100)),
                ('event_type', models.CharField(max_length=50)),
                ('payload', models.JSONField()),
                ('received_at', models.DateTimeField(auto_now_add=True)),
                ('outcome', models.CharField(blank=True, max_length=50)),
            ],
            options={
                'verbose_name': 'provider event',
                'verbose_name_plural': 'provider events',
                'db_table': 'escrow_providerevent',
                'ordering': ['-received_at'],
                'constraints': [models.UniqueConstraint(fields=('provider', 'event_id'), name='escrow_provider_event_once')],
            },
        ),
        migrations.AddIndex(
            model_name='payment',
            index=models.Index(fields=['subject_type', 'subject_id'], name='payments_payment_subject'),
        ),
        migrations.AddConstraint(
            model_name='payment',
            constraint=models.CheckConstraint(condition=models.Q(('amount_krw__gt', 0)), name='escrow_payment_amount_positive'),
        ),
        migrations.AddConstraint(
            model_name='payment',
            constraint=models.CheckConstraint(condition=models.Q(('refunded_krw__gte', 0), ('refunded_krw__lte', models.F('amount_krw'))), name='payments_payment_refund_within_amount'),
        ),
        migrations.AddConstraint(
            model_name='payment',
            constraint=models.UniqueConstraint(condition=models.Q(('status', 'paid')), fields=('subject_type', 'subject_id'), name='payments_payment_one_paid_per_subject'),
        ),
        migrations.AddConstraint(
            model_name='payout',
            constraint=models.CheckConstraint(condition=models.Q(('amount_krw__gt', 0)), name='escrow_payout_amount_positive'),
        ),
            ],
        ),
        migrations.CreateModel(
            name='SandboxCharge',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('provider_payment_id', models.CharField(max_length=100, unique=True)),
                ('amount_krw', models.BigIntegerField()),
                ('method', models.CharField(max_length=20)),
                ('status', models.CharField(default='pending', max_length=20)),
                ('cancelled_krw', models.BigIntegerField(default=0)),
                ('virtual_account', models.CharField(blank=True, max_length=40)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
            ],
            options={
                'verbose_name': 'sandbox charge',
                'verbose_name_plural': 'sandbox charges',
            },
        ),
        migrations.CreateModel(
            name='Refund',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('amount_krw', models.BigIntegerField(verbose_name='amount (KRW)')),
                ('key', models.CharField(max_length=200, unique=True, verbose_name='idempotency key')),
                ('reason', models.CharField(max_length=300, verbose_name='reason')),
                ('provider_refund_id', models.CharField(max_length=100, unique=True)),
                ('status', django_fsm.FSMField(choices=[('requested', 'Sent to the provider'), ('done', 'Refunded'), ('failed', 'Refused by the provider')], default='requested', max_length=50, protected=True, verbose_name='status')),
                ('failure', models.CharField(blank=True, max_length=200, verbose_name="provider's answer")),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created')),
                ('settled_at', models.DateTimeField(blank=True, null=True, verbose_name='settled at')),
                ('hold', models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name='refund', to='ledger.hold')),
                ('payment', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='refunds', to='payments.payment')),
            ],
            options={
                'verbose_name': 'refund',
                'verbose_name_plural': 'refunds',
                'ordering': ['-created_at', '-pk'],
            },
            bases=(django_fsm.ConcurrentTransitionMixin, models.Model),
        ),
        migrations.AddConstraint(
            model_name='refund',
            constraint=models.CheckConstraint(condition=models.Q(('amount_krw__gt', 0)), name='payments_refund_amount_positive'),
        ),
        migrations.RunPython(sandbox_charges, migrations.RunPython.noop),
        content_types_move(models=("payment", "payout", "providerevent"), source="escrow", target="payments"),
    ]
