"""Evidence moves out of the public MEDIA_ROOT into private storage, under random names.

Files stored before were kept under MEDIA_ROOT with their uploaded names, so anything serving
MEDIA_URL served them too: each is moved (the public copy deleted once the new name is committed).
A row whose file is missing keeps its name; its download answers 404.
"""

from django.db import migrations, models

import trustplatform.files


def evidence_move_to_private(apps, schema_editor):
    Evidence = apps.get_model("escrow", "Evidence")
    for evidence in Evidence.objects.exclude(file="").only("pk", "file").iterator():
        moved = trustplatform.files.private_file_adopt(name=evidence.file.name, folder="escrow/evidence")
        if moved:
            Evidence.objects.filter(pk=evidence.pk).update(file=moved)


class Migration(migrations.Migration):
    dependencies = [
        ("escrow", "0011_agreement_broker"),
    ]

    operations = [
        migrations.AlterField(
            model_name="evidence",
            name="file",
            field=models.FileField(
                storage=trustplatform.files.private_storage,
                upload_to=trustplatform.files.RandomName("escrow/evidence"),
                verbose_name="file",
            ),
        ),
        # Moving them back would make them public again: reversing leaves the files where they are.
        migrations.RunPython(evidence_move_to_private, migrations.RunPython.noop),
    ]
