"""The one upload cleaner: every file a writer or a staff member sends goes through it.

Photos are decoded and re-encoded, so nothing of the original file survives but
the pixels: no EXIF, no GPS position, no camera serial number, no thumbnail of
the uncropped picture. PDF documents are kept as sent (the form says so: their
properties may name the author). A file is accepted only if its content is what
its name says and it is small enough.

The work an anonymous request can cause is bounded before anything is decoded:
the size is checked first, then the header alone (Pillow reads no pixels when it
opens a file) gives the format and the pixel count, which must be under the
format's limit. Only then is the picture decoded, in a child process that caps
its own memory (RLIMIT_AS) and CPU time (RLIMIT_CPU) before reading a byte
(`appeals/attachments_decode.py`); JPEG photos are reduced on load (decoded at
1/2, 1/4 or 1/8 of their size), so a 50-megapixel photo costs what a 12-megapixel
one does.
"""

import io
import json
import subprocess
import sys
import warnings
from dataclasses import dataclass
from pathlib import Path, PurePath

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

MAX_FILES = 3
MAX_BYTES = 8 * 1024 * 1024
STAFF_MAX_BYTES = 12 * 1024 * 1024  # scans of paper letters, taken by staff
MAX_PIXELS = 50_000_000  # JPEG: reduced on load, so this costs about 12 MP of memory
MAX_PIXELS_LOSSLESS = 12_000_000  # PNG, WEBP, GIF decode at full size: 48 MB at most (a screenshot is 3 MP)
MAX_SIDE = 2560  # longer side after re-encoding; plenty to read a note or see a bruise
DECODE_MEMORY = 768 * 1024 * 1024  # address space of the decoding process
DECODE_CPU_SECONDS = 5
DECODER = Path(__file__).with_name("attachments_decode.py")

IMAGE_FORMATS = {"JPEG": (".jpg", ".jpeg", ".jfif"), "PNG": (".png",), "WEBP": (".webp",), "GIF": (".gif",)}
DOCUMENT_SUFFIXES = (".pdf",)
ACCEPT = "image/jpeg,image/png,image/webp,image/gif,application/pdf,.jpg,.jpeg,.png,.webp,.gif,.pdf"


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """The one field for several files (the online box, the letters of an opening)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ACCEPT}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(item, initial) for item in data if item]
        return [super().clean(data, initial)] if data else []


@dataclass(frozen=True)
class CleanFile:
    kind: str  # Attachment.Kind
    name: str
    content_type: str
    content: bytes


def limits_text() -> str:
    return _("Up to %(count)s files, %(size)s each: photos (JPG, PNG, WEBP, GIF) or PDF documents.") % {
        "count": MAX_FILES,
        "size": filesizeformat(MAX_BYTES),
    }


def attachment_clean(upload: UploadedFile, *, max_bytes: int = MAX_BYTES) -> CleanFile:
    """The file ready to be sealed, or a ValidationError that names the file and the reason."""
    name = PurePath(upload.name or "file").name[-120:]
    suffix = PurePath(name).suffix.lower()
    assert upload.size is not None  # Django's upload handlers always set the size
    if upload.size > max_bytes:
        raise ValidationError(
            _("«%(name)s» is too large (%(size)s). The limit is %(limit)s per file."),
            code="too_large",
            params={"name": name, "size": filesizeformat(upload.size), "limit": filesizeformat(max_bytes)},
        )
    upload.seek(0)
    content = upload.read(max_bytes + 1)
    if suffix in DOCUMENT_SUFFIXES:
        return _document(name, content)
    if any(suffix in suffixes for suffixes in IMAGE_FORMATS.values()):
        return _image(name, suffix, content)
    raise ValidationError(
        _("«%(name)s» is not a kind of file the box accepts. Send photos (JPG, PNG, WEBP, GIF) or PDF documents."),
        code="type",
        params={"name": name},
    )


def _document(name: str, content: bytes) -> CleanFile:
    if not content.startswith(b"%PDF-"):
        raise ValidationError(
            _("«%(name)s» is named like a PDF document but is not one."), code="mismatch", params={"name": name}
        )
    return CleanFile("document", name, "application/pdf", content)


def _broken(name: str) -> ValidationError:
    return ValidationError(
        _("«%(name)s» could not be read as a picture. It may be damaged; try another photo."),
        code="broken",
        params={"name": name},
    )


def _too_big(name: str) -> ValidationError:
    return ValidationError(
        _("«%(name)s» has too many pixels to be a photo."), code="too_many_pixels", params={"name": name}
    )


def image_header(name: str, suffix: str, content: bytes) -> str:
    """The picture's format, from its header alone; its pixel count and name checked. No pixel is decoded."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(content)) as image:
                fmt, pixels = image.format or "", image.width * image.height
    except (Image.DecompressionBombWarning, Image.DecompressionBombError):
        raise _too_big(name) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise _broken(name) from None
    if suffix not in IMAGE_FORMATS.get(fmt, ()):
        raise ValidationError(
            _("«%(name)s» is not the kind of picture its name says."), code="mismatch", params={"name": name}
        )
    if pixels > (MAX_PIXELS if fmt == "JPEG" else MAX_PIXELS_LOSSLESS):
        raise _too_big(name)
    return fmt


def _image(name: str, suffix: str, content: bytes) -> CleanFile:
    fmt = image_header(name, suffix, content)
    order = {
        "format": fmt,
        "max_side": MAX_SIDE,
        "max_pixels": MAX_PIXELS,
        "memory": DECODE_MEMORY,
        "cpu": DECODE_CPU_SECONDS,
    }
    try:
        done = subprocess.run(  # noqa: S603 - our own script, with our own interpreter
            [sys.executable, "-I", str(DECODER)],
            input=json.dumps(order).encode() + b"\n" + content,
            capture_output=True,
            timeout=DECODE_CPU_SECONDS * 3,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise _too_big(name) from None
    head, _sep, clean = done.stdout.partition(b"\n")
    try:
        result = json.loads(head) if done.returncode == 0 else {"ok": False, "error": "too_many_pixels"}
    except ValueError:
        result = {"ok": False, "error": "broken"}
    if not result.get("ok"):
        raise _too_big(name) if result.get("error") == "too_many_pixels" else _broken(name)
    content_type = "image/png" if result["type"] == "image/png" else "image/jpeg"
    stem = PurePath(name).stem or "photo"
    return CleanFile("image", f"{stem}.{'png' if content_type == 'image/png' else 'jpg'}", content_type, clean)
