"""Photo intake: size cap, re-encoding (drops EXIF such as GPS), and the 64-bit difference hash."""

from django.conf import settings
from PIL import Image

from trustplatform import files

from .errors import ListingError

MAX_SIDE = 2048


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
    """Check and re-encode an upload (trustplatform.files); returns the file, its hash, bands and
    dimensions."""
    try:
        photo = files.image_reencode(upload, max_bytes=settings.LISTINGS_PHOTO_MAX_BYTES, max_side=MAX_SIDE)
    except files.UploadRefused as exc:
        raise ListingError(exc.detail, code=PHOTO_CODES.get(exc.code, exc.code), fields=exc.fields) from exc
    value = dhash(photo.image)
    return {
        "file": photo.file,
        "dhash": value,
        "bands": bands(value),
        "width": photo.image.width,
        "height": photo.image.height,
        "size_bytes": photo.size_bytes,
    }
