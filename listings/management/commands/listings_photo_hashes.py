"""Give listing photos stored before the crop hashes their PhotoHash rows, one per kind in CROP_KINDS.

Reads each stored image through the storage API, in batches by id; a photo that already has a kind is
left alone, so the command may run again (or during uploads) at no harm. Rows of kinds no longer in
CROP_KINDS are removed, so the scorer never matches a level that new photos do not get.
"""

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Count, Q
from PIL import Image

from listings.models import ListingPhoto, PhotoHash
from listings.photos import CROP_KINDS, crop_hashes, crop_rows


def stored_image(photo: ListingPhoto) -> Image.Image | None:
    """The photo as stored, or None when the file is missing or unreadable."""
    try:
        with photo.image.storage.open(photo.image.name, "rb") as handle:
            image = Image.open(handle)
            image.load()
    except (OSError, ValueError, Image.DecompressionBombError):
        return None
    return image.convert("RGB")


class Command(BaseCommand):
    help = "Store the crop hashes (one per kind in CROP_KINDS) that listing photos lack."

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=200)

    def handle(self, *args, batch_size: int, **options):
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        removed, _by_model = PhotoHash.objects.exclude(kind__in=CROP_KINDS).delete()
        stored = photos = unreadable = 0
        last_pk = 0
        while True:
            batch = list(
                ListingPhoto.objects.filter(pk__gt=last_pk)
                .annotate(kinds=Count("crop_hashes", filter=Q(crop_hashes__kind__in=CROP_KINDS)))
                .filter(kinds__lt=len(CROP_KINDS))
                .order_by("pk")
                .only("pk", "listing_id", "partner_id", "image")[:batch_size]
            )
            if not batch:
                break
            last_pk = batch[-1].pk
            have: dict[int, set[int]] = {}
            for photo_id, kind in PhotoHash.objects.filter(photo__in=batch).values_list("photo_id", "kind"):
                have.setdefault(photo_id, set()).add(kind)
            rows = []
            for photo in batch:
                image = stored_image(photo)
                if image is None:
                    unreadable += 1
                    continue
                photos += 1
                rows += [
                    PhotoHash(photo=photo, listing_id=photo.listing_id, partner_id=photo.partner_id, **fields)
                    for fields in crop_rows(crop_hashes(image))
                    if fields["kind"] not in have.get(photo.pk, set())
                ]
            # A photo uploaded or filled meanwhile already has its rows: the unique (photo, kind) keeps them.
            PhotoHash.objects.bulk_create(rows, ignore_conflicts=True)
            stored += len(rows)
        self.stdout.write(f"{stored} crop hashes stored for {photos} photos.")
        if unreadable:
            self.stderr.write(f"{unreadable} photos could not be read from storage and were skipped.")
        if removed:
            self.stdout.write(f"{removed} crop hashes of kinds no longer used were removed.")
