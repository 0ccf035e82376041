import pytest
from PIL import Image

from listings import services
from listings.errors import ListingError
from listings.photos import bands, dhash, hamming
from tests.listings.conftest import photo_file

pytestmark = pytest.mark.django_db


def test_dhash_is_a_signed_64_bit_value_with_16_bit_bands():
    image = Image.open(photo_file(seed=3))
    value = dhash(image)
    assert -(2**63) <= value < 2**63
    assert all(0 <= band < 65536 for band in bands(value))
    assert sum(band << (16 * n) for n, band in enumerate(bands(value))) == value & (2**64 - 1)


def test_a_resized_recompressed_copy_is_a_near_duplicate():
    import io

    original = Image.open(photo_file(seed=5, size=(640, 480)))
    buffer = io.BytesIO()
    original.resize((300, 225)).save(buffer, format="JPEG", quality=40)
    copy = Image.open(buffer)
    other = Image.open(photo_file(seed=6))
    assert hamming(dhash(original), dhash(copy)) <= 3
    assert hamming(dhash(original), dhash(other)) > 10


def test_photo_is_stored_with_hash_and_exif_dropped(listing, broker):
    photo = services.photo_add(listing=listing, actor=broker, upload=photo_file(seed=1))
    assert photo.partner_id == listing.partner_id
    assert (photo.band0, photo.band1, photo.band2, photo.band3) == bands(photo.dhash)
    assert photo.image.name.endswith(".jpg")


def test_oversized_and_non_image_uploads_are_refused(listing, broker, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    with pytest.raises(ListingError) as refused:
        services.photo_add(listing=listing, actor=broker, upload=SimpleUploadedFile("x.jpg", b"not an image"))
    assert refused.value.code == "photo_unreadable"
    settings.LISTINGS_PHOTO_MAX_BYTES = 100
    with pytest.raises(ListingError) as refused:
        services.photo_add(listing=listing, actor=broker, upload=photo_file(seed=1))
    assert refused.value.code == "photo_too_large"


def test_listing_fields_are_checked_together(brokerage, broker):
    from tests.listings.conftest import listing_data

    with pytest.raises(ListingError) as refused:
        services.listing_create(
            partner=brokerage,
            actor=broker,
            data=listing_data(deal_type="sale", price_krw=0, dong_code="11440"),
        )
    assert set(refused.value.fields) >= {"price_krw", "dong_code"}
    sale = services.listing_create(
        partner=brokerage, actor=broker, data=listing_data(deal_type="sale", price_krw=900_000_000)
    )
    sale.refresh_from_db()
    assert (sale.deposit_krw, sale.monthly_rent_krw, sale.headline_krw) == (0, 0, 900_000_000)
    assert (sale.sido_code, sale.sigungu_code) == ("11", "11440")
