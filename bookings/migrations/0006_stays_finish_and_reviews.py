"""The end of a stay (arrival, completion, no-show and its dispute, money paid out of trust) and reviews
of completed stays; a property's rating and review count become derived (not editable)."""

import django.db.models.deletion
import django_fsm
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('bookings', '0005_guarantee_case_compensation_review'),
        ('partners', '0002_business_status_and_individual_landlords'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='NoShowDispute',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('statement', models.TextField(max_length=2000, verbose_name="the guest's statement")),
                ('status', django_fsm.FSMField(choices=[('open', 'Waiting for an agent'), ('stayed', 'Decided: the guest stayed'), ('no_show', 'Decided: a no-show')], default='open', max_length=50, protected=True, verbose_name='status')),
                ('decision_reason', models.TextField(blank=True, max_length=2000, verbose_name='grounds of the decision')),
                ('opened_at', models.DateTimeField(auto_now_add=True, verbose_name='opened at')),
                ('decided_at', models.DateTimeField(blank=True, null=True, verbose_name='decided at')),
            ],
            options={
                'verbose_name': 'no-show dispute',
                'verbose_name_plural': 'no-show disputes',
                'ordering': ['opened_at', 'pk'],
                'permissions': [('decide_noshowdispute', 'Can decide no-show disputes')],
            },
            bases=(django_fsm.ConcurrentTransitionMixin, models.Model),
        ),
        migrations.CreateModel(
            name='Review',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('author_shown', models.CharField(max_length=40, verbose_name='shown as')),
                ('rating', models.PositiveSmallIntegerField(verbose_name='rating')),
                ('text', models.TextField(max_length=2000, verbose_name='review')),
                ('answer', models.TextField(blank=True, max_length=2000, verbose_name="the property's answer")),
                ('answered_at', models.DateTimeField(blank=True, null=True, verbose_name='answered at')),
                ('hidden_reason', models.CharField(blank=True, max_length=300, verbose_name='why it is hidden')),
                ('hidden_at', models.DateTimeField(blank=True, null=True, verbose_name='hidden at')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='written at')),
            ],
            options={
                'verbose_name': 'review',
                'verbose_name_plural': 'reviews',
                'ordering': ['-created_at', '-pk'],
                'permissions': [('moderate_review', 'Can hide and show reviews')],
            },
        ),
        migrations.CreateModel(
            name='ReviewReport',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('reason', models.CharField(max_length=500, verbose_name='reason')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='reported at')),
                ('handled_at', models.DateTimeField(blank=True, null=True, verbose_name='handled at')),
            ],
            options={
                'verbose_name': 'review report',
                'verbose_name_plural': 'review reports',
                'ordering': ['created_at', 'pk'],
            },
        ),
        migrations.AddField(
            model_name='booking',
            name='checked_in_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='checked in at'),
        ),
        migrations.AddField(
            model_name='booking',
            name='completed_automatically',
            field=models.BooleanField(default=False, verbose_name='completed automatically'),
        ),
        migrations.AddField(
            model_name='booking',
            name='finished_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='completed or marked a no-show at'),
        ),
        migrations.AddField(
            model_name='booking',
            name='settled_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='paid out of trust at'),
        ),
        migrations.AlterField(
            model_name='property',
            name='rating',
            field=models.DecimalField(decimal_places=1, default=0, editable=False, max_digits=2, verbose_name='rating'),
        ),
        migrations.AlterField(
            model_name='property',
            name='review_count',
            field=models.PositiveIntegerField(default=0, editable=False, verbose_name='reviews'),
        ),
        migrations.AddIndex(
            model_name='booking',
            index=models.Index(fields=['status', 'check_out'], name='bookings_booking_due'),
        ),
        migrations.AddField(
            model_name='noshowdispute',
            name='booking',
            field=models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name='no_show_dispute', to='bookings.booking', verbose_name='booking'),
        ),
        migrations.AddField(
            model_name='noshowdispute',
            name='decided_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='decided by'),
        ),
        migrations.AddField(
            model_name='review',
            name='answered_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='review',
            name='author',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='stay_reviews', to=settings.AUTH_USER_MODEL, verbose_name='guest'),
        ),
        migrations.AddField(
            model_name='review',
            name='booking',
            field=models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name='review', to='bookings.booking', verbose_name='stay'),
        ),
        migrations.AddField(
            model_name='review',
            name='hidden_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='review',
            name='property',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='reviews', to='bookings.property', verbose_name='property'),
        ),
        migrations.AddField(
            model_name='reviewreport',
            name='partner',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='partners.partner', verbose_name='for'),
        ),
        migrations.AddField(
            model_name='reviewreport',
            name='reporter',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='reported by'),
        ),
        migrations.AddField(
            model_name='reviewreport',
            name='review',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='reports', to='bookings.review', verbose_name='review'),
        ),
        migrations.AddConstraint(
            model_name='noshowdispute',
            constraint=models.CheckConstraint(condition=models.Q(('status', 'open'), models.Q(('decided_by__isnull', False), models.Q(('decision_reason', ''), _negated=True)), _connector='OR'), name='bookings_noshowdispute_decided'),
        ),
        migrations.AddIndex(
            model_name='review',
            index=models.Index(fields=['property', 'hidden_at', '-created_at'], name='bookings_review_shown'),
        ),
        migrations.AddConstraint(
            model_name='review',
            constraint=models.CheckConstraint(condition=models.Q(('rating__gte', 1), ('rating__lte', 5)), name='bookings_review_rating'),
        ),
        migrations.AddConstraint(
            model_name='review',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('answer', ''), ('answered_at__isnull', True)), models.Q(models.Q(('answer', ''), _negated=True), ('answered_at__isnull', False)), _connector='OR'), name='bookings_review_answer_once'),
        ),
        migrations.AddConstraint(
            model_name='review',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('hidden_at__isnull', True), ('hidden_by__isnull', True), ('hidden_reason', '')), models.Q(('hidden_at__isnull', False), ('hidden_by__isnull', False), models.Q(('hidden_reason', ''), _negated=True)), _connector='OR'), name='bookings_review_hidden_reason'),
        ),
        migrations.AddConstraint(
            model_name='reviewreport',
            constraint=models.UniqueConstraint(fields=('review', 'reporter'), name='bookings_reviewreport_once'),
        ),
    ]
