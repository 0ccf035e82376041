"""Uploaded files, for every app: what may be kept, where, under which name, and how it is answered.

Private files (escrow and appeal evidence, inspection photos) live in their own storage outside
MEDIA_ROOT, which has no URL at all: only a view scoped to who may see a file answers it, as an
attachment with the allow-listed content type and `nosniff`. Every stored file gets a random name
that keeps only an allow-listed extension. An upload is checked on the whole file, never on its name
or first bytes alone: a PDF must have a PDF's header, cross-reference offset and `%%EOF` trailer and
no HTML; an image must decode with Pillow, after its pixel count (read from the header) is checked
so that a decompression bomb is refused before any pixel is decoded. Public photos are re-encoded.
On object storage (STORAGE_S3_*) private files sit in a private bucket and the scoped view redirects
the reader to a short-lived signed link instead (trustplatform/object_storage.py).
"""

import io
import os
import re
import secrets
from dataclasses import dataclass
from pathlib import PurePath

from django.conf import settings
from django.core import checks
from django.core.files.base import ContentFile, File
from django.core.files.storage import FileSystemStorage, storages
from django.core.signals import setting_changed
from django.db import transaction
from django.dispatch import receiver
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.utils import timezone
from django.utils.deconstruct import deconstructible
from django.utils.functional import LazyObject, empty
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from .errors import DomainError


class UploadRefused(DomainError):
    """An uploaded file we will not keep: too large, not an allowed kind, or not what its name says."""

    code = "file_type"


@dataclass(frozen=True)
class FileKind:
    """One allowed kind of file: its stored extension, the names it may arrive with, its content type."""

    label: str
    extension: str
    suffixes: tuple[str, ...]
    content_type: str
    pillow_formats: tuple[str, ...] = ()  # empty: not an image

    @property
    def is_image(self) -> bool:
        return bool(self.pillow_formats)


PDF = FileKind("PDF", ".pdf", (".pdf",), "application/pdf")
# Phones save photos with a depth map as MPO, which is a JPEG with extra frames.
JPEG = FileKind("JPEG", ".jpg", (".jpg", ".jpeg"), "image/jpeg", ("JPEG", "MPO"))
PNG = FileKind("PNG", ".png", (".png",), "image/png", ("PNG",))
WEBP = FileKind("WebP", ".webp", (".webp",), "image/webp", ("WEBP",))
KINDS = (PDF, JPEG, PNG, WEBP)
IMAGE_KINDS = (JPEG, PNG, WEBP)


def kind_of_name(name: str, kinds=KINDS) -> FileKind | None:
    """The allowed kind a file name says it is (by its extension), or None."""
    suffix = PurePath(name or "").suffix.lower()
    return next((kind for kind in kinds if suffix in kind.suffixes), None)


def kinds_label(kinds) -> str:
    return ", ".join(kind.label for kind in kinds)


def accept_attribute(kinds) -> str:
    """The file input's `accept` attribute for these kinds."""
    return ",".join(suffix for kind in kinds for suffix in kind.suffixes)


# --- storage and names -----------------------------------------------------------------------


class PrivateStorage(FileSystemStorage):
    """Files only a scoped view may answer: kept under PRIVATE_MEDIA_ROOT, never under a URL."""

    def __init__(self, **kwargs):
        kwargs.setdefault("file_permissions_mode", 0o640)
        kwargs.setdefault("directory_permissions_mode", 0o750)
        super().__init__(**kwargs)

    # Read on every use (not cached) so a changed setting, as in tests, moves the storage too.
    @property
    def base_location(self):
        return self._value_or_setting(self._location, settings.PRIVATE_MEDIA_ROOT)

    @property
    def location(self):
        return os.path.abspath(self.base_location)

    def url(self, name):
        raise ValueError("A private file has no URL: answer it through a view scoped to who may see it.")


class PrivateFiles(LazyObject):
    """STORAGES["private"], looked up when first used and again after STORAGES changes, as Django does
    for default_storage: model fields hold this, not the backend of the moment."""

    def _setup(self):
        self._wrapped = storages["private"]


private_files = PrivateFiles()


@receiver(setting_changed)
def _private_files_reset(*, setting, **kwargs):
    if setting == "STORAGES":
        private_files._wrapped = empty


def private_storage() -> PrivateFiles:
    """The storage of private files (a callable, so migrations name it instead of copying it)."""
    return private_files


@checks.register(checks.Tags.security, deploy=True)
def object_storage_check(app_configs, **kwargs) -> list[checks.CheckMessage]:
    """Production keeps no upload on a machine's disk: another web or worker machine would not see it."""
    if settings.STORAGE_S3:
        return []
    return [checks.Warning(
        "Uploaded files are kept on this machine's disk (MEDIA_ROOT, PRIVATE_MEDIA_ROOT).",
        hint="Set STORAGE_S3_PUBLIC_BUCKET, STORAGE_S3_PRIVATE_BUCKET and STORAGE_S3_ENDPOINT_URL "
        "(README: Running on many machines).",
        id="files.W001",
    )]


def random_name(folder: str, extension: str) -> str:
    return f"{folder}/{timezone.now():%Y/%m}/{secrets.token_urlsafe(18)}{extension}"


@deconstructible
class RandomName:
    """`upload_to` that stores `<folder>/<yyyy>/<mm>/<random><extension>`: the uploaded name never
    reaches the disk, and the extension is the allow-listed one of the kind the name was checked as."""

    def __init__(self, folder: str):
        self.folder = folder

    def __call__(self, instance, filename: str) -> str:
        kind = kind_of_name(filename)
        if kind is None:  # upload_check lets no other name through: this is a bug, not bad input
            raise ValueError(f"{filename!r} was not checked as an allowed kind of file")
        return random_name(self.folder, kind.extension)

    def __eq__(self, other) -> bool:
        return isinstance(other, RandomName) and other.folder == self.folder

    def __hash__(self) -> int:
        return hash(self.folder)


# --- checks ----------------------------------------------------------------------------------

PDF_HEADER = re.compile(rb"%PDF-[12]\.[0-9]")
# The last cross-reference offset and the end-of-file marker; only blank bytes may follow it.
PDF_TRAILER = re.compile(rb"startxref\s+(\d{1,10})\s+%%EOF[\s\x00]*\Z")
PDF_XREF = re.compile(rb"\s*(?:xref|\d{1,10}\s+\d{1,5}\s+obj)")
# Markup a browser would render as a page; none of it belongs in a document we keep.
HTML_MARKUP = re.compile(
    rb"<(?:!doctype|html|head|body|script|iframe|frameset|object|embed|meta|style|form)[\s/>]", re.I
)


def pdf_is_sound(content: bytes) -> bool:
    """A PDF's header, a `startxref` offset pointing at a cross-reference inside the file, and the
    `%%EOF` trailer; and no HTML anywhere."""
    if not PDF_HEADER.match(content):
        return False
    trailer = PDF_TRAILER.search(content[-1024:])
    if trailer is None:
        return False
    offset = int(trailer.group(1))
    if not 0 < offset < len(content) or not PDF_XREF.match(content, offset):
        return False
    return HTML_MARKUP.search(content) is None


def _refused(message: str, *, code: str, field: str, reason: str) -> UploadRefused:
    return UploadRefused(message, code=code, fields={field: [reason]})


def image_open(source, *, kinds=IMAGE_KINDS, field: str = "file") -> tuple[Image.Image, FileKind]:
    """Decode an uploaded image of one of `kinds`, after refusing one of more pixels than
    UPLOAD_IMAGE_MAX_PIXELS from its header alone (no pixel is decoded before that check)."""
    unreadable = _refused(
        _("This file is not a photo we can read."),
        code="image_unreadable",
        field=field,
        reason=_("Not a readable image."),
    )
    try:
        source.seek(0)
        image = Image.open(source)  # reads the header only
    except Image.DecompressionBombError as exc:  # past Pillow's own hard limit
        raise _image_too_large(field) from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise unreadable from exc
    kind = next((kind for kind in kinds if image.format in kind.pillow_formats), None)
    if kind is None:
        raise _refused(
            _("Upload a %(kinds)s image.") % {"kinds": kinds_label(kinds)},
            code="file_type",
            field=field,
            reason=_("Unsupported format."),
        )
    width, height = image.size
    if width * height > settings.UPLOAD_IMAGE_MAX_PIXELS:
        raise _image_too_large(field)
    try:
        image.load()
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        raise unreadable from exc
    return image, kind


def _image_too_large(field: str) -> UploadRefused:
    return _refused(
        _("The image has too many pixels (at most %(megapixels)s million).")
        % {"megapixels": settings.UPLOAD_IMAGE_MAX_PIXELS // 1_000_000},
        code="image_too_large",
        field=field,
        reason=_("Too many pixels."),
    )


def _size_check(upload, *, max_bytes: int, field: str) -> None:
    if upload.size is None or upload.size > max_bytes:
        raise _refused(
            _("The file is too large (at most %(mb)s MB).") % {"mb": max(max_bytes // 1048576, 1)},
            code="file_too_large",
            field=field,
            reason=_("Too large."),
        )


def upload_check(upload, *, kinds, max_bytes: int, field: str = "file") -> FileKind:
    """The kind of an upload, checked on the whole file: its name's extension and its content must
    both be one of `kinds` and agree. Refuses anything else with UploadRefused."""
    _size_check(upload, max_bytes=max_bytes, field=field)
    wrong_kind = _refused(
        _("Upload a %(kinds)s file; this file is not one.") % {"kinds": kinds_label(kinds)},
        code="file_type",
        field=field,
        reason=_("This kind of file is not accepted."),
    )
    kind = kind_of_name(upload.name, kinds)
    if kind is None:
        raise wrong_kind
    if kind.is_image:
        _image, found = image_open(upload, kinds=kinds, field=field)
        upload.seek(0)
        if found is not kind:
            raise wrong_kind
        return kind
    upload.seek(0)
    content = upload.read(max_bytes + 1)
    upload.seek(0)
    if not pdf_is_sound(content):
        raise wrong_kind
    return kind


# --- public photos ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Reencoded:
    """A photo decoded and saved anew as a JPEG: no metadata (EXIF, GPS) and no foreign bytes survive."""

    file: ContentFile
    image: Image.Image
    size_bytes: int


def image_reencode(upload, *, max_bytes: int, max_side: int = 2048, field: str = "image") -> Reencoded:
    """Check an uploaded photo (size, kind, pixel count), turn it upright, shrink it to `max_side`
    and save it as a fresh JPEG."""
    _size_check(upload, max_bytes=max_bytes, field=field)
    image, _kind = image_open(upload, field=field)
    image = ImageOps.exif_transpose(image).convert("RGB")
    image.thumbnail((max_side, max_side))
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=85)
    return Reencoded(
        file=ContentFile(buffer.getvalue(), name=f"photo{JPEG.extension}"),
        image=image,
        size_bytes=buffer.tell(),
    )


# --- answering a private file ----------------------------------------------------------------


def attachment_response(stored, *, filename: str) -> FileResponse | HttpResponseRedirect:
    """A stored file as a download: always an attachment with the allow-listed content type (an
    unknown kind is opaque bytes), `nosniff`, and nothing a browser would run or cache. From object
    storage: a redirect to a short-lived link that makes the storage answer it so."""
    kind = kind_of_name(stored.name)
    # The name shown keeps only the stored kind's extension: "x.html" never comes back as HTML.
    shown = f"{PurePath(filename or '').stem or 'file'}{kind.extension if kind else '.bin'}"
    content_type = kind.content_type if kind else "application/octet-stream"
    signed_url = getattr(stored.storage, "signed_url", None)
    if signed_url is not None:
        if not stored.name:
            raise Http404
        response = HttpResponseRedirect(signed_url(stored.name, filename=shown, content_type=content_type))
        response["Cache-Control"] = "private, no-store"
        response["Referrer-Policy"] = "no-referrer"
        return response
    try:
        handle = stored.open("rb")
    except (FileNotFoundError, ValueError) as exc:
        raise Http404 from exc
    response = FileResponse(handle, as_attachment=True, filename=shown, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


# --- files stored before this module -----------------------------------------------------------


def private_file_adopt(*, name: str, folder: str) -> str | None:
    """Move a file kept under the public MEDIA_ROOT into private storage under a random name (for
    data migrations). Returns the new name, or None when there is no such public file. The public
    copy is deleted once the transaction that records the new name commits."""
    public = storages["default"]
    if not name or not public.exists(name):
        return None
    kind = kind_of_name(name)
    target = random_name(folder, kind.extension if kind else ".bin")
    with public.open(name, "rb") as handle:
        new_name = private_storage().save(target, File(handle))
    transaction.on_commit(lambda: public.delete(name))
    return new_name
