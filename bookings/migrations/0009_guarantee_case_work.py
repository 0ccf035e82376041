# An agent closes a guarantee case with an outcome (what became of the guest).

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("bookings", "0007_guarantee_reported_cases"),
    ]

    operations = [
        migrations.AddField(
            model_name="guaranteecase",
            name="outcome",
            field=models.CharField(
                blank=True,
                choices=[
                    ("rehoused", "Guest rehoused"),
                    ("refunded", "Guest refunded"),
                    ("own_arrangements", "Guest made their own arrangements"),
                    ("unreachable", "Guest could not be reached"),
                    ("other", "Other (see the notes)"),
                ],
                max_length=20,
                verbose_name="outcome",
            ),
        ),
    ]
