"""The ledger moves here from escrow: the models only. Its tables, constraints, triggers and rows stay as
they are (db_table), and the content types are renamed, so finance's permissions and the admin's
history come along."""

import django.db.models.deletion
import django_fsm
from django.conf import settings
from django.db import migrations, models

from trustplatform.dbutil import content_types_move


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('escrow', '0006_sandboxregistryrecord_moves_to_the_core'),  # the tables exist from escrow's first
        ('contenttypes', '0002_remove_content_type_name'),
        ('partners', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
            migrations.CreateModel(
                name='LedgerAccount',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('code', models.SlugField(help_text='Stable name, e.g. platform-guarantee-fund or partner-12-payable.', max_length=100, unique=True, verbose_name='code')),
                    ('name', models.CharField(max_length=200, verbose_name='name')),
                    ('kind', models.CharField(choices=[('platform', 'Platform'), ('external', 'Outside world (PSP, banks)'), ('consumer', 'Consumer'), ('partner', 'Partner'), ('holding', 'Held in trust')], max_length=10, verbose_name='kind')),
                    ('allow_negative', models.BooleanField(default=False, verbose_name='may go negative')),
                    ('queued_credits', models.BooleanField(default=False, verbose_name='credits queued')),
                    ('balance_krw', models.BigIntegerField(default=0, verbose_name='balance (KRW)')),
                    ('reserved_krw', models.BigIntegerField(default=0, verbose_name='reserved by pending holds (KRW)')),
                    ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created')),
                    ('partner', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='ledger_accounts', to='partners.partner')),
                    ('user', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='ledger_accounts', to=settings.AUTH_USER_MODEL)),
                ],
                options={
                    'verbose_name': 'ledger account',
                    'verbose_name_plural': 'ledger accounts',
                    'db_table': 'escrow_ledgeraccount',
                    'ordering': ['code'],
                },
            ),
            migrations.CreateModel(
                name='Transfer',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('idempotency_key', models.CharField(max_length=200, unique=True, verbose_name='idempotency key')),
                    ('amount_krw', models.BigIntegerField(verbose_name='amount (KRW)')),
                    ('reason', models.CharField(max_length=300, verbose_name='reason')),
                    ('subject_id', models.CharField(blank=True, max_length=64)),
                    ('metadata', models.JSONField(blank=True, default=dict)),
                    ('created_at', models.DateTimeField(auto_now_add=True, db_index=True, verbose_name='time')),
                    ('credit_account', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='credits', to='ledger.ledgeraccount', verbose_name='to')),
                    ('debit_account', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='debits', to='ledger.ledgeraccount', verbose_name='from')),
                    ('subject_type', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='contenttypes.contenttype')),
                ],
                options={
                    'verbose_name': 'transfer',
                    'verbose_name_plural': 'transfers',
                    'db_table': 'escrow_transfer',
                    'ordering': ['-id'],
                },
            ),
            migrations.CreateModel(
                name='PendingCredit',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('amount_krw', models.BigIntegerField(verbose_name='amount (KRW)')),
                    ('account', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='pending_credits', to='ledger.ledgeraccount')),
                    ('transfer', models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name='pending_credit', to='ledger.transfer')),
                ],
                options={
                    'verbose_name': 'queued credit',
                    'verbose_name_plural': 'queued credits',
                    'db_table': 'escrow_pendingcredit',
                },
            ),
            migrations.CreateModel(
                name='Hold',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('idempotency_key', models.CharField(max_length=200, unique=True, verbose_name='idempotency key')),
                    ('amount_krw', models.BigIntegerField(verbose_name='amount (KRW)')),
                    ('reason', models.CharField(max_length=300, verbose_name='reason')),
                    ('status', django_fsm.FSMField(choices=[('pending', 'Pending'), ('posted', 'Posted'), ('voided', 'Voided')], default='pending', max_length=50, protected=True, verbose_name='status')),
                    ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created')),
                    ('settled_at', models.DateTimeField(blank=True, null=True, verbose_name='settled')),
                    ('credit_account', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='holds_in', to='ledger.ledgeraccount', verbose_name='to')),
                    ('debit_account', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='holds_out', to='ledger.ledgeraccount', verbose_name='from')),
                    ('transfer', models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='hold', to='ledger.transfer')),
                ],
                options={
                    'verbose_name': 'hold',
                    'verbose_name_plural': 'holds',
                    'db_table': 'escrow_hold',
                    'ordering': ['-id'],
                },
                bases=(django_fsm.ConcurrentTransitionMixin, models.Model),
            ),
            migrations.AddConstraint(
                model_name='ledgeraccount',
                constraint=models.CheckConstraint(condition=models.Q(('allow_negative', True), ('balance_krw__gte', models.F('reserved_krw')), _connector='OR'), name='escrow_account_not_overdrawn'),
            ),
            migrations.AddConstraint(
                model_name='ledgeraccount',
                constraint=models.CheckConstraint(condition=models.Q(('reserved_krw__gte', 0)), name='escrow_account_reserved_positive'),
            ),
            migrations.AddIndex(
                model_name='transfer',
                index=models.Index(fields=['subject_type', 'subject_id'], name='escrow_tran_subject_a734ac_idx'),
            ),
            migrations.AddConstraint(
                model_name='transfer',
                constraint=models.CheckConstraint(condition=models.Q(('amount_krw__gt', 0)), name='escrow_transfer_amount_positive'),
            ),
            migrations.AddConstraint(
                model_name='transfer',
                constraint=models.CheckConstraint(condition=models.Q(('debit_account', models.F('credit_account')), _negated=True), name='escrow_transfer_two_accounts'),
            ),
            migrations.AddConstraint(
                model_name='pendingcredit',
                constraint=models.CheckConstraint(condition=models.Q(('amount_krw__gt', 0)), name='escrow_pendingcredit_amount_positive'),
            ),
            migrations.AddConstraint(
                model_name='hold',
                constraint=models.CheckConstraint(condition=models.Q(('amount_krw__gt', 0)), name='escrow_hold_amount_positive'),
            ),
            migrations.AddConstraint(
                model_name='hold',
                constraint=models.CheckConstraint(condition=models.Q(('debit_account', models.F('credit_account')), _negated=True), name='escrow_hold_two_accounts'),
            ),
            migrations.AddConstraint(
                model_name='hold',
                constraint=models.CheckConstraint(condition=models.Q(models.Q(('status', 'posted'), ('transfer__isnull', False)), models.Q(models.Q(('status', 'posted'), _negated=True), ('transfer__isnull', True)), _connector='OR'), name='escrow_hold_posted_has_transfer'),
            ),
            ],
        ),
        content_types_move(models=("ledgeraccount", "transfer", "pendingcredit", "hold"), source="escrow",
                           target="ledger"),
    ]
