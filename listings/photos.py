"""Photo intake: size cap, re-encoding (drops EXIF such as GPS), and the 64-bit difference hash.

A crop defeats the full hash, so each listing photo also keeps the hashes of centred crops at
CROP_KINDS (percent of the width and height kept); a cropped copy's full hash lands near one of them.
Levels measured with scripts/photo_crop_levels.py: 30 demo photos, 8,640 copies keeping 60-95 %
(1 % steps), centred or shifted up to 5 % of a side, resized, JPEG quality 75; % caught within 3 bits
by the full hash or a crop hash at 65, 70 or 90:

    kept %   centred  shift 1 %  shift 2 %  shift 3 %  shift 5 %   all
    60-64      44.7      17.0       0.7        0.0        0.0      10.0
    65-69      74.7      39.0       0.3        0.0        0.0      19.2
    70-74      54.7      25.3       0.3        0.0        0.0      13.2
    75-79       2.0       1.3       0.3        0.0        0.0       0.7
    80-84       8.7       5.3       1.3        0.0        0.0       2.8
    85-89      55.3      32.3       9.7        0.7        0.3      17.6
    90-95      79.4      61.4      11.1        3.9        6.7      30.2

One level, centred copy keeping the level -5…+5 %:
    11.0  22.1  40.6  66.2  86.0  99.6  88.2  66.7  44.5  27.8  16.9
One level, copy keeping the level shifted 0 / 1 / 2 / 3 / 5 %:  99.7  53.3  4.4  0.4  1.0
Full hash alone: kept 90-95 % centred 20.6, 85-89 % 2.0, less 0.0.
Other photos within 3 bits (of 251,430 photo-or-copy pairs): full 0, 60-70 0, 75 3, 80 5, 85 1,
90-95 0; closest full 4, 65 7, 70 6, 90 4 bits.
"""

from django.conf import settings
from PIL import Image

from trustplatform import files

from .errors import ListingError

MAX_SIDE = 2048
# Chosen by measurement (above): the set that catches most with no match between different photos
# (at 75-85 two look-alike rooms matched).
CROP_KINDS = (65, 70, 90)


def dhash(image: Image.Image) -> int:
    """The 64-bit difference hash as a signed integer (fits a PostgreSQL bigint).

    Grey 9×8 thumbnail; each bit says whether a pixel is brighter than its right-hand neighbour.
    Re-encoding, resizing and small edits change few bits, so near-copies are a few bits apart.
    """
    small = image.convert("L").resize((9, 8), Image.Resampling.LANCZOS)
    pixels = small.tobytes()
    value = 0
    for row in range(8):
        for col in range(8):
            left, right = pixels[row * 9 + col], pixels[row * 9 + col + 1]
            value = (value << 1) | (1 if left > right else 0)
    return value - (1 << 64) if value >= (1 << 63) else value


def crop_centred(image: Image.Image, kind: int) -> Image.Image:
    """The centred part of the image that keeps `kind` percent of its width and of its height."""
    width, height = image.size
    kept_width, kept_height = max(1, round(width * kind / 100)), max(1, round(height * kind / 100))
    left, top = (width - kept_width) // 2, (height - kept_height) // 2
    return image.crop((left, top, left + kept_width, top + kept_height))


def crop_hashes(image: Image.Image) -> dict[int, tuple[int, tuple[int, int, int, int]]]:
    """{kind: (hash, bands)} of the centred crops at each of CROP_KINDS."""
    hashes = {}
    for kind in CROP_KINDS:
        value = dhash(crop_centred(image, kind))
        hashes[kind] = (value, bands(value))
    return hashes


def crop_rows(crops: dict[int, tuple[int, tuple[int, int, int, int]]]) -> list[dict]:
    """The PhotoHash fields (kind, dhash, band0…band3) of each crop hash from crop_hashes()."""
    return [
        {"kind": kind, "dhash": value, **{f"band{n}": band for n, band in enumerate(value_bands)}}
        for kind, (value, value_bands) in crops.items()
    ]


def bands(signed_hash: int) -> tuple[int, int, int, int]:
    """The four 16-bit bands of the hash (low band first)."""
    unsigned = signed_hash & 0xFFFF_FFFF_FFFF_FFFF
    return tuple((unsigned >> (16 * n)) & 0xFFFF for n in range(4))


def hamming(a: int, b: int) -> int:
    return ((a ^ b) & 0xFFFF_FFFF_FFFF_FFFF).bit_count()


# The core's refusals under the codes this app's clients already know.
PHOTO_CODES = {
    "file_too_large": "photo_too_large",
    "file_type": "photo_format",
    "image_unreadable": "photo_unreadable",
}


def photo_prepare(upload) -> dict:
    """Check and re-encode an upload (trustplatform.files); returns the file, its hash and bands, the
    crop hashes and the dimensions."""
    try:
        photo = files.image_reencode(upload, max_bytes=settings.LISTINGS_PHOTO_MAX_BYTES, max_side=MAX_SIDE)
    except files.UploadRefused as exc:
        raise ListingError(exc.detail, code=PHOTO_CODES.get(exc.code, exc.code), fields=exc.fields) from exc
    value = dhash(photo.image)
    return {
        "file": photo.file,
        "dhash": value,
        "bands": bands(value),
        "crops": crop_hashes(photo.image),
        "width": photo.image.width,
        "height": photo.image.height,
        "size_bytes": photo.size_bytes,
    }
