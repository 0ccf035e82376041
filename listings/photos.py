"""Photo intake: size cap, re-encoding (drops EXIF such as GPS), and the 64-bit difference hash."""

import io

from django.conf import settings
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from .errors import ListingError

MAX_SIDE = 2048
ALLOWED_FORMATS = {"JPEG", "PNG", "WEBP"}
Image.MAX_IMAGE_PIXELS = 40_000_000  # refuse decompression bombs


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


def photo_prepare(upload) -> dict:
    """Check and re-encode an upload; returns the file, its hash, bands and dimensions."""
    if upload.size > settings.LISTINGS_PHOTO_MAX_BYTES:
        raise ListingError(
            _("The photo is too large (at most %(mb)s MB).")
            % {"mb": settings.LISTINGS_PHOTO_MAX_BYTES // 1048576 or 1},
            code="photo_too_large",
            fields={"image": [_("Too large.")]},
        )
    try:
        upload.seek(0)
        image = Image.open(upload)
        if image.format not in ALLOWED_FORMATS:
            raise ListingError(
                _("Upload a JPEG, PNG or WebP photo."),
                code="photo_format",
                fields={"image": [_("Unsupported format.")]},
            )
        image.load()
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as exc:
        raise ListingError(
            _("This file is not a photo we can read."),
            code="photo_unreadable",
            fields={"image": [_("Not a readable image.")]},
        ) from exc
    image = ImageOps.exif_transpose(image).convert("RGB")
    image.thumbnail((MAX_SIDE, MAX_SIDE))
    value = dhash(image)
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=85)
    return {
        "file": ContentFile(buffer.getvalue(), name="photo.jpg"),
        "dhash": value,
        "bands": bands(value),
        "width": image.width,
        "height": image.height,
        "size_bytes": buffer.tell(),
    }
