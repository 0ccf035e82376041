# The table is made here, by hand: the model is unmanaged, so a flush leaves the catalogue in place
# (trustplatform/regions/models.py). A later change to the model needs its database operation written
# the same way, as makemigrations writes none for an unmanaged model.

import django.db.models.deletion
from django.db import migrations, models


def fields() -> list:
    return [
        ("code", models.CharField(max_length=10, primary_key=True, serialize=False, verbose_name="legal-dong code")),
        ("name", models.CharField(help_text="The whole name, province first.", max_length=100, verbose_name="name")),
        ("level", models.PositiveSmallIntegerField(choices=[(1, "Province or metropolitan city (시/도)"), (2, "City, county or district (시/군/구)"), (3, "Town, township or neighbourhood (읍/면/동)"), (4, "Village (리)")], verbose_name="level")),
        ("is_current", models.BooleanField(default=True, verbose_name="in use")),
        ("source", models.CharField(blank=True, max_length=60, verbose_name="source")),
        ("parent", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name="children", to="regions.region", verbose_name="part of")),
        ("successor", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name="predecessors", to="regions.region", verbose_name="replaced by")),
    ]


def options(*, managed: bool) -> dict:
    return {
        "managed": managed,
        "verbose_name": "region",
        "verbose_name_plural": "regions",
        "ordering": ["code"],
        "indexes": [models.Index(fields=["is_current", "level"], name="regions_current_level")],
        "constraints": [
            models.CheckConstraint(condition=models.Q(("code__regex", "^[0-9]{10}$")), name="regions_code_ten_digits"),
            models.CheckConstraint(condition=models.Q(("successor__isnull", True), models.Q(("is_current", False), models.Q(("successor", models.F("code")), _negated=True)), _connector="OR"), name="regions_successor_of_abolished_only"),
        ],
    }


class Migration(migrations.Migration):

    initial = True

    dependencies = []

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.CreateModel(name="Region", fields=fields(), options=options(managed=True))],
            state_operations=[migrations.CreateModel(name="Region", fields=fields(), options=options(managed=False))],
        ),
    ]
