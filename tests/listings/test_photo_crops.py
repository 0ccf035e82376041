import io
import itertools
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import IntegrityError
from PIL import Image

import listings
from listings import services
from listings.models import ListingPhoto, PhotoHash
from listings.photos import CROP_KINDS, bands, crop_centred, dhash, hamming, photo_prepare

pytestmark = pytest.mark.django_db

LISTING_PHOTOS = sorted((Path(listings.__file__).parent / "demo_photos").glob("*.jpg"))
ALL_DEMO_PHOTOS = sorted(Path(listings.__file__).parent.parent.glob("*/demo_photos/*.jpg"))
NEAR_BITS = 3


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def demo_upload(path: Path) -> SimpleUploadedFile:
    return SimpleUploadedFile(path.name, path.read_bytes(), content_type="image/jpeg")


def cropped_copy(path: Path, kind: int) -> SimpleUploadedFile:
    """What a copier re-posts: the centred `kind` % of the photo, resized and saved at JPEG quality 75."""
    image = crop_centred(Image.open(path).convert("RGB"), kind)
    buffer = io.BytesIO()
    image.resize((640, round(640 * image.height / image.width)), Image.Resampling.LANCZOS).save(
        buffer, format="JPEG", quality=75
    )
    return SimpleUploadedFile("copy.jpg", buffer.getvalue(), content_type="image/jpeg")


def stored_crops(photo: ListingPhoto) -> dict[int, int]:
    return dict(PhotoHash.objects.filter(photo=photo).values_list("kind", "dhash"))


@pytest.mark.parametrize("kind", CROP_KINDS)
def test_a_cropped_copy_escapes_the_full_hash_but_matches_a_stored_crop_hash(listing, broker, kind):
    original = services.photo_add(listing=listing, actor=broker, upload=demo_upload(LISTING_PHOTOS[2]))
    copy = photo_prepare(cropped_copy(LISTING_PHOTOS[2], kind))["dhash"]
    assert hamming(copy, original.dhash) > NEAR_BITS
    assert min(hamming(copy, value) for value in stored_crops(original).values()) <= NEAR_BITS


def test_every_demo_flat_cropped_at_each_kind_is_caught_by_that_kind():
    for path in LISTING_PHOTOS:
        image = Image.open(path).convert("RGB")
        for kind in CROP_KINDS:
            copy = photo_prepare(cropped_copy(path, kind))["dhash"]
            assert hamming(copy, dhash(image)) > NEAR_BITS, (path.name, kind)
            assert hamming(copy, dhash(crop_centred(image, kind))) <= NEAR_BITS, (path.name, kind)


def test_different_demo_photos_match_at_no_level():
    stored = []
    for path in ALL_DEMO_PHOTOS:
        image = Image.open(path).convert("RGB")
        stored.append([dhash(image)] + [dhash(crop_centred(image, kind)) for kind in CROP_KINDS])
    assert len(stored) >= 30
    for mine, other in itertools.permutations(stored, 2):
        assert min(hamming(mine[0], value) for value in other) > NEAR_BITS


def test_photo_add_stores_one_crop_hash_per_kind_with_its_bands(listing, broker):
    photo = services.photo_add(listing=listing, actor=broker, upload=demo_upload(LISTING_PHOTOS[0]))
    image = Image.open(LISTING_PHOTOS[0]).convert("RGB")
    rows = list(PhotoHash.objects.filter(photo=photo).order_by("kind"))
    assert [row.kind for row in rows] == sorted(CROP_KINDS)
    for row in rows:
        assert (row.listing_id, row.partner_id) == (listing.pk, listing.partner_id)
        assert row.dhash == dhash(crop_centred(image, row.kind))
        assert (row.band0, row.band1, row.band2, row.band3) == bands(row.dhash)
        assert row.dhash != photo.dhash


def test_photo_and_crop_hashes_are_stored_together_or_not_at_all(listing, broker, monkeypatch):
    # A crop row the database refuses (kind 0 breaks its check) must take the photo down with it.
    monkeypatch.setattr(
        services.listings,
        "crop_rows",
        lambda crops: [{"kind": 0, "dhash": 1, "band0": 1, "band1": 0, "band2": 0, "band3": 0}],
    )
    with pytest.raises(IntegrityError):
        services.photo_add(listing=listing, actor=broker, upload=demo_upload(LISTING_PHOTOS[1]))
    assert not ListingPhoto.objects.filter(listing=listing).exists()


def run_command() -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("listings_photo_hashes", "--batch-size", "1", stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_the_command_fills_missing_crop_hashes_and_is_idempotent(listing, broker):
    older = services.photo_add(listing=listing, actor=broker, upload=demo_upload(LISTING_PHOTOS[3]))
    partly = services.photo_add(listing=listing, actor=broker, upload=demo_upload(LISTING_PHOTOS[4]))
    complete = services.photo_add(listing=listing, actor=broker, upload=demo_upload(LISTING_PHOTOS[5]))
    at_upload = stored_crops(older)
    kept = PhotoHash.objects.get(photo=partly, kind=CROP_KINDS[0])
    PhotoHash.objects.filter(photo=older).delete()
    PhotoHash.objects.filter(photo=partly).exclude(pk=kept.pk).delete()
    untouched = set(PhotoHash.objects.filter(photo=complete).values_list("pk", flat=True))
    unused = PhotoHash.objects.create(photo=complete, listing=listing, partner=listing.partner, kind=50,
                                      dhash=7, band0=7, band1=0, band2=0, band3=0)

    out, _err = run_command()

    assert f"{2 * len(CROP_KINDS) - 1} crop hashes stored for 2 photos." in out
    assert "1 crop hashes of kinds no longer used were removed." in out
    assert not PhotoHash.objects.filter(pk=unused.pk).exists()
    for photo in (older, partly, complete):
        assert sorted(stored_crops(photo)) == sorted(CROP_KINDS)
    assert set(PhotoHash.objects.filter(photo=complete).values_list("pk", flat=True)) == untouched
    assert PhotoHash.objects.filter(pk=kept.pk).exists()
    # Filled from the stored file, the hashes stay near those computed at upload.
    with older.image.storage.open(older.image.name, "rb") as handle:
        stored_image = Image.open(handle).convert("RGB")
    for row in PhotoHash.objects.filter(photo=older):
        assert row.dhash == dhash(crop_centred(stored_image, row.kind))
        assert (row.band0, row.band1, row.band2, row.band3) == bands(row.dhash)
        assert (row.listing_id, row.partner_id) == (listing.pk, listing.partner_id)
        assert hamming(row.dhash, at_upload[row.kind]) <= NEAR_BITS
    rows = set(PhotoHash.objects.values_list("pk", "photo_id", "kind", "dhash"))

    out, _err = run_command()

    assert "0 crop hashes stored for 0 photos." in out
    assert set(PhotoHash.objects.values_list("pk", "photo_id", "kind", "dhash")) == rows


def test_the_command_skips_a_photo_missing_from_storage(listing, broker):
    lost = services.photo_add(listing=listing, actor=broker, upload=demo_upload(LISTING_PHOTOS[6]))
    older = services.photo_add(listing=listing, actor=broker, upload=demo_upload(LISTING_PHOTOS[7]))
    PhotoHash.objects.all().delete()
    lost.image.storage.delete(lost.image.name)

    out, err = run_command()

    assert f"{len(CROP_KINDS)} crop hashes stored for 1 photos." in out
    assert "1 photos could not be read from storage" in err
    assert not PhotoHash.objects.filter(photo=lost).exists()
    assert sorted(stored_crops(older)) == sorted(CROP_KINDS)
