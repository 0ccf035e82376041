"""Compensation of an outlier case waits for an agent; the month's cap counts compensation by when it
was paid, so cases paid before this migration count from when they were resolved."""

from django.conf import settings
from django.db import migrations, models
from django.db.models import F


def paid_at_from_resolved(apps, schema_editor):
    GuaranteeCase = apps.get_model("bookings", "GuaranteeCase")
    GuaranteeCase.objects.filter(compensation_krw__gt=0, compensation_paid_at__isnull=True).update(
        compensation_paid_at=F("resolved_at")
    )


class Migration(migrations.Migration):

    dependencies = [
        ('bookings', '0004_property_photos_reencoded'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='guaranteecase',
            name='compensation_due_krw',
            field=models.PositiveIntegerField(default=0, verbose_name='compensation waiting for an agent (KRW)'),
        ),
        migrations.AddField(
            model_name='guaranteecase',
            name='compensation_paid_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='compensation paid at'),
        ),
        migrations.AddField(
            model_name='guaranteecase',
            name='compensation_review',
            field=models.CharField(blank=True, max_length=300, verbose_name='why an agent decides the compensation'),
        ),
        migrations.AddConstraint(
            model_name='guaranteecase',
            constraint=models.CheckConstraint(condition=models.Q(('compensation_due_krw', 0), models.Q(('compensation_krw', 0), ('compensation_paid_at__isnull', True)), _connector='OR'), name='bookings_case_compensation_once'),
        ),
        migrations.RunPython(paid_at_from_resolved, migrations.RunPython.noop),
    ]
