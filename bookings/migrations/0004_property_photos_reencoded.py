"""Property photos are public, so they are kept re-encoded under random names only.

Photos stored before were kept as uploaded (with their EXIF, GPS included, and their uploaded
names): each is re-encoded and stored anew, the old file deleted once the new name is committed.
A photo that cannot be decoded as a picture is not shown any more: its row and file are deleted.
A row whose file is missing is left as it is.
"""

from django.core.files.storage import storages
from django.db import migrations, models, transaction

import trustplatform.files


def photos_reencode(apps, schema_editor):
    PropertyPhoto = apps.get_model("bookings", "PropertyPhoto")
    public = storages["default"]
    for photo in PropertyPhoto.objects.exclude(image="").only("pk", "image").iterator():
        old_name = photo.image.name
        if not public.exists(old_name):
            continue
        try:
            with public.open(old_name, "rb") as handle:
                # No size cap here: the file was accepted once; the pixel-count check still applies.
                reencoded = trustplatform.files.image_reencode(handle, max_bytes=public.size(old_name))
        except trustplatform.files.UploadRefused:
            PropertyPhoto.objects.filter(pk=photo.pk).delete()
        else:
            new_name = public.save(
                trustplatform.files.random_name("bookings/photos", ".jpg"), reencoded.file
            )
            PropertyPhoto.objects.filter(pk=photo.pk).update(image=new_name)
        transaction.on_commit(lambda name=old_name: public.delete(name))


class Migration(migrations.Migration):
    dependencies = [
        ("bookings", "0003_payments_merged_into_the_core"),
    ]

    operations = [
        migrations.AlterField(
            model_name="propertyphoto",
            name="image",
            field=models.ImageField(
                upload_to=trustplatform.files.RandomName("bookings/photos"), verbose_name="photo"
            ),
        ),
        migrations.RunPython(photos_reencode, migrations.RunPython.noop),
    ]
