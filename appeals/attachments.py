"""Checking and cleaning the files a writer sends with an appeal.

Photos are decoded and re-encoded by Pillow, so nothing of the original file
survives but the pixels: no EXIF, no GPS position, no camera serial number, no
thumbnail of the uncropped picture. PDF documents are kept as sent (the form
says so: their properties may name the author). A file is accepted only if
its content is what its name says, it is small enough, and a picture is not
a decompression bomb.
"""

import io
import warnings
from dataclasses import dataclass
from pathlib import PurePath

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_FILES = 3
MAX_BYTES = 8 * 1024 * 1024
MAX_PIXELS = 40_000_000  # a 40 MP photo decodes to ~120 MB: already more than enough
MAX_SIDE = 2560  # longer side after re-encoding; plenty to read a note or see a bruise

IMAGE_FORMATS = {"JPEG": (".jpg", ".jpeg", ".jfif"), "PNG": (".png",), "WEBP": (".webp",), "GIF": (".gif",)}
DOCUMENT_SUFFIXES = (".pdf",)
ACCEPT = "image/jpeg,image/png,image/webp,image/gif,application/pdf,.jpg,.jpeg,.png,.webp,.gif,.pdf"


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


def attachment_clean(upload: UploadedFile) -> CleanFile:
    """The file ready to be sealed, or a ValidationError that names the file and the reason."""
    name = PurePath(upload.name or "file").name[-120:]
    suffix = PurePath(name).suffix.lower()
    if upload.size > MAX_BYTES:
        raise ValidationError(
            _("«%(name)s» is too large (%(size)s). The limit is %(limit)s per file."),
            code="too_large",
            params={"name": name, "size": filesizeformat(upload.size), "limit": filesizeformat(MAX_BYTES)},
        )
    content = upload.read(MAX_BYTES + 1)
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


def _image(name: str, suffix: str, content: bytes) -> CleanFile:
    broken = ValidationError(
        _("«%(name)s» could not be read as a picture. It may be damaged; try another photo."),
        code="broken",
        params={"name": name},
    )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(content))
            if image.width * image.height > MAX_PIXELS:
                raise _too_big(name)
            if suffix not in IMAGE_FORMATS.get(image.format or "", ()):
                raise ValidationError(
                    _("«%(name)s» is not the kind of picture its name says."), code="mismatch", params={"name": name}
                )
            image.seek(0)  # an animated GIF keeps only its first frame
            image.load()
    except (Image.DecompressionBombWarning, Image.DecompressionBombError):
        raise _too_big(name) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise broken from None
    return _reencode(name, image)


def _too_big(name: str) -> ValidationError:
    return ValidationError(
        _("«%(name)s» has too many pixels to be a photo."), code="too_many_pixels", params={"name": name}
    )


def _reencode(name: str, image: Image.Image) -> CleanFile:
    """Only the pixels go on: EXIF, GPS, XMP, ICC profile and comments stay behind."""
    image = ImageOps.exif_transpose(image)  # keep the photo upright once its orientation tag is gone
    has_alpha = image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info)
    image = image.convert("RGBA" if has_alpha else "RGB")
    image.thumbnail((MAX_SIDE, MAX_SIDE))
    clean = Image.new(image.mode, image.size)
    clean.paste(image)
    out = io.BytesIO()
    stem = PurePath(name).stem or "photo"
    if has_alpha:
        clean.save(out, "PNG", optimize=True)
        return CleanFile("image", f"{stem}.png", "image/png", out.getvalue())
    clean.save(out, "JPEG", quality=85, optimize=True)
    return CleanFile("image", f"{stem}.jpg", "image/jpeg", out.getvalue())
