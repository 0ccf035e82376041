"""Guarantee cases the guest (or the guarantee line) reports when the property turns them away: a case
may wait for the property's answer or an agent's decision, a booking may have several cases over time
but one open at a time, and guests whose reports agents dismiss too often are flagged for staff.
Existing cases started their rehousing when they were opened."""

import django.db.models.deletion
import django_fsm
from django.conf import settings
from django.db import migrations, models
from django.db.models import F


def started_when_opened(apps, schema_editor):
    GuaranteeCase = apps.get_model("bookings", "GuaranteeCase")
    GuaranteeCase.objects.filter(started_at__isnull=True).update(started_at=F("opened_at"))


class Migration(migrations.Migration):

    dependencies = [
        ('bookings', '0006_stays_finish_and_reviews'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='GuestFlag',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('reason', models.CharField(max_length=300, verbose_name='why')),
                ('dismissed_reports', models.PositiveSmallIntegerField(verbose_name='reports dismissed')),
                ('flagged_at', models.DateTimeField(auto_now_add=True, verbose_name='flagged at')),
                ('cleared_at', models.DateTimeField(blank=True, null=True, verbose_name='cleared at')),
                ('cleared_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='cleared by')),
                ('guest', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='guest')),
            ],
            options={
                'verbose_name': 'flagged guest',
                'verbose_name_plural': 'flagged guests',
                'ordering': ['-flagged_at', '-pk'],
                'constraints': [models.UniqueConstraint(condition=models.Q(('cleared_at__isnull', True)), fields=('guest',), name='bookings_guest_flag_one_active')],
            },
        ),
        migrations.AddField(
            model_name='guaranteecase',
            name='decision',
            field=models.TextField(blank=True, verbose_name="agent's grounds"),
        ),
        migrations.AddField(
            model_name='guaranteecase',
            name='guest_statement',
            field=models.TextField(blank=True, verbose_name="guest's statement"),
        ),
        migrations.AddField(
            model_name='guaranteecase',
            name='origin',
            field=models.CharField(choices=[('cancelled', 'Cancelled by the property'), ('guest', 'Reported by the guest'), ('line', 'Reported on the guarantee line')], default='cancelled', max_length=10, verbose_name='origin'),
        ),
        migrations.AddField(
            model_name='guaranteecase',
            name='property_statement',
            field=models.TextField(blank=True, verbose_name="property's statement"),
        ),
        migrations.AddField(
            model_name='guaranteecase',
            name='reported_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='reported by'),
        ),
        migrations.AddField(
            model_name='guaranteecase',
            name='respond_by',
            field=models.DateTimeField(blank=True, null=True, verbose_name='property answers by'),
        ),
        migrations.AddField(
            model_name='guaranteecase',
            name='started_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='rehousing started at'),
        ),
        migrations.RunPython(started_when_opened, migrations.RunPython.noop),
        migrations.AlterField(
            model_name='guaranteecase',
            name='booking',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='guarantee_cases', to='bookings.booking', verbose_name='booking'),
        ),
        migrations.AlterField(
            model_name='guaranteecase',
            name='status',
            field=django_fsm.FSMField(choices=[('reported', "Waiting for the property's answer"), ('contested', 'Contested: an agent decides'), ('dismissed', 'Dismissed: the booking stands'), ('opened', 'Opened'), ('searching', 'Searching for a room'), ('offered', 'Offers sent'), ('rebooked', 'Rebooked'), ('refunded', 'Refunded'), ('escalated', 'With an agent'), ('closed', 'Closed')], default='opened', max_length=50, protected=True, verbose_name='status'),
        ),
        migrations.AddIndex(
            model_name='guaranteecase',
            index=models.Index(fields=['status', 'respond_by'], name='bookings_case_respond_by'),
        ),
        migrations.AddConstraint(
            model_name='guaranteecase',
            constraint=models.UniqueConstraint(condition=models.Q(('status__in', ('reported', 'contested', 'opened', 'searching', 'offered', 'escalated'))), fields=('booking',), name='bookings_case_one_open'),
        ),
        migrations.AddConstraint(
            model_name='guaranteecase',
            constraint=models.CheckConstraint(condition=models.Q(('origin', 'cancelled'), ('respond_by__isnull', False), _connector='OR'), name='bookings_case_answer_by'),
        ),
    ]
