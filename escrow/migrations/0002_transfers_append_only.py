from django.db import migrations

from trustplatform.dbutil import append_only


class Migration(migrations.Migration):
    dependencies = [("escrow", "0001_initial")]
    operations = [append_only("escrow_transfer")]
