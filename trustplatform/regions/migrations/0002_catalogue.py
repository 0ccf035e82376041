"""Load the legal-dong catalogue: the official list as of 2020-10-04 with the changes since
(trustplatform/regions/changes.py). It only fills an empty table; `manage.py regions_import` refreshes it."""

from django.db import migrations


def load(apps, schema_editor):
    from trustplatform.regions.services import catalogue_ensure

    catalogue_ensure(model=apps.get_model("regions", "Region"), using=schema_editor.connection.alias)


def unload(apps, schema_editor):
    apps.get_model("regions", "Region").objects.using(schema_editor.connection.alias).update(
        parent=None, successor=None)
    apps.get_model("regions", "Region").objects.using(schema_editor.connection.alias).all().delete()


class Migration(migrations.Migration):
    dependencies = [("regions", "0001_initial")]

    operations = [migrations.RunPython(load, unload)]
