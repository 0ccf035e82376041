"""Appeal evidence and inspection photos move out of the public MEDIA_ROOT into private storage,
under random names; an appeal file keeps the name it was uploaded with, to show and to download as.

Files stored before were kept under MEDIA_ROOT (appeal files with their uploaded names), so anything
serving MEDIA_URL served them too: each is moved (the public copy deleted once the new name is
committed). A row whose file is missing keeps its name; its download answers 404.
"""

from pathlib import PurePath

from django.db import migrations, models

import trustplatform.files


def files_move_to_private(apps, schema_editor):
    AppealEvidence = apps.get_model("listings", "AppealEvidence")
    for evidence in AppealEvidence.objects.exclude(file="").only("pk", "file").iterator():
        moved = trustplatform.files.private_file_adopt(name=evidence.file.name, folder="listings/appeals")
        if moved:
            AppealEvidence.objects.filter(pk=evidence.pk).update(
                file=moved, original_name=PurePath(evidence.file.name).name[:200]
            )
    InspectionPhoto = apps.get_model("listings", "InspectionPhoto")
    for photo in InspectionPhoto.objects.exclude(image="").only("pk", "image").iterator():
        moved = trustplatform.files.private_file_adopt(name=photo.image.name, folder="listings/inspections")
        if moved:
            InspectionPhoto.objects.filter(pk=photo.pk).update(image=moved)


class Migration(migrations.Migration):
    dependencies = [
        ("listings", "0005_listing_landlord"),
    ]

    operations = [
        migrations.AddField(
            model_name="appealevidence",
            name="original_name",
            field=models.CharField(blank=True, max_length=200, verbose_name="file name"),
        ),
        migrations.AlterField(
            model_name="appealevidence",
            name="file",
            field=models.FileField(
                storage=trustplatform.files.private_storage,
                upload_to=trustplatform.files.RandomName("listings/appeals"),
                verbose_name="file",
            ),
        ),
        migrations.AlterField(
            model_name="inspectionphoto",
            name="image",
            field=models.ImageField(
                storage=trustplatform.files.private_storage,
                upload_to=trustplatform.files.RandomName("listings/inspections"),
                verbose_name="photo",
            ),
        ),
        # Moving them back would make them public again: reversing leaves the files where they are.
        migrations.RunPython(files_move_to_private, migrations.RunPython.noop),
    ]
