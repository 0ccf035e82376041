"""Payments become the platform's: a payment points at its subject (here, the agreement) through a
content type and an id instead of a foreign key to the agreement, and records its payer and what was
refunded. Every row keeps its id; the subject and payer are filled from its agreement."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def subject_from_agreement(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Payment = apps.get_model("escrow", "Payment")
    if not Payment.objects.exists():
        return
    agreement_type, _ = ContentType.objects.get_or_create(app_label="escrow", model="escrowagreement")
    for payment in Payment.objects.select_related("agreement"):
        payment.subject_type_id = agreement_type.pk
        payment.subject_id = payment.agreement_id
        payment.payer_id = payment.agreement.payer_id
        payment.save(update_fields=["subject_type", "subject_id", "payer"])


def agreement_from_subject(apps, schema_editor):
    Payment = apps.get_model("escrow", "Payment")
    for payment in Payment.objects.filter(subject_type__app_label="escrow",
                                          subject_type__model="escrowagreement"):
        payment.agreement_id = payment.subject_id
        payment.save(update_fields=["agreement"])


class Migration(migrations.Migration):

    dependencies = [
        ('escrow', '0008_ledger_moved_to_the_core'),
        ('contenttypes', '0002_remove_content_type_name'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='payment',
            name='subject_type',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='contenttypes.contenttype'),
        ),
        migrations.AddField(
            model_name='payment',
            name='subject_id',
            field=models.BigIntegerField(null=True),
        ),
        migrations.AddField(
            model_name='payment',
            name='payer',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='payment',
            name='refunded_krw',
            field=models.BigIntegerField(default=0),
        ),
        migrations.AlterField(
            model_name='payment',
            name='agreement',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name='payments', to='escrow.escrowagreement'),
        ),
        migrations.RunPython(subject_from_agreement, agreement_from_subject),
        migrations.RemoveConstraint(
            model_name='payment',
            name='escrow_payment_one_paid_per_agreement',
        ),
        migrations.RemoveField(
            model_name='payment',
            name='agreement',
        ),
        migrations.AlterField(
            model_name='payment',
            name='subject_type',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='contenttypes.contenttype'),
        ),
        migrations.AlterField(
            model_name='payment',
            name='subject_id',
            field=models.BigIntegerField(),
        ),
        migrations.AlterField(
            model_name='payment',
            name='payer',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddIndex(
            model_name='payment',
            index=models.Index(fields=['subject_type', 'subject_id'], name='payments_payment_subject'),
        ),
        migrations.AddConstraint(
            model_name='payment',
            constraint=models.CheckConstraint(condition=models.Q(('refunded_krw__gte', 0), ('refunded_krw__lte', models.F('amount_krw'))), name='payments_payment_refund_within_amount'),
        ),
        migrations.AddConstraint(
            model_name='payment',
            constraint=models.UniqueConstraint(condition=models.Q(('status', 'paid')), fields=('subject_type', 'subject_id'), name='payments_payment_one_paid_per_subject'),
        ),
    ]
