import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from appeals import attachments
from appeals.tests.helpers import jpeg_with_gps


def upload(name, content, content_type="application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def test_it_reencodes_a_photo_without_exif_or_gps():
    original = jpeg_with_gps()
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(0x8825)  # the test photo has GPS
    clean = attachments.attachment_clean(upload("IMG_2001.jpg", original, "image/jpeg"))
    image = Image.open(io.BytesIO(clean.content))
    assert clean.kind == "image" and clean.content_type == "image/jpeg" and clean.name == "IMG_2001.jpg"
    assert len(image.getexif()) == 0
    assert b"Exif" not in clean.content and b"PhoneMaker" not in clean.content
    assert image.size == (640, 480)


def test_it_keeps_a_rotated_photo_upright():
    image = Image.new("RGB", (400, 200), "blue")
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° when shown
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes())
    clean = attachments.attachment_clean(upload("a.jpeg", out.getvalue()))
    assert Image.open(io.BytesIO(clean.content)).size == (200, 400)


def test_it_keeps_transparency_as_png_and_shrinks_huge_pictures():
    out = io.BytesIO()
    Image.new("RGBA", (4000, 1000), (0, 0, 0, 0)).save(out, "PNG")
    clean = attachments.attachment_clean(upload("drawing.png", out.getvalue()))
    image = Image.open(io.BytesIO(clean.content))
    assert clean.content_type == "image/png" and image.mode == "RGBA"
    assert max(image.size) == attachments.MAX_SIDE


def test_it_refuses_a_file_whose_content_is_not_what_its_name_says():
    with pytest.raises(ValidationError) as error:
        attachments.attachment_clean(upload("photo.jpg", b"MZ\x90\x00 this is a program"))
    assert error.value.code == "broken"
    png = io.BytesIO()
    Image.new("RGB", (10, 10)).save(png, "PNG")
    with pytest.raises(ValidationError) as error:
        attachments.attachment_clean(upload("photo.jpg", png.getvalue()))
    assert error.value.code == "mismatch"
    with pytest.raises(ValidationError) as error:
        attachments.attachment_clean(upload("letter.pdf", jpeg_with_gps()))
    assert error.value.code == "mismatch"


def test_it_refuses_other_kinds_of_files():
    with pytest.raises(ValidationError) as error:
        attachments.attachment_clean(upload("run.exe", b"MZ"))
    assert error.value.code == "type"
    assert "run.exe" in str(error.value.messages[0])


def test_it_refuses_a_file_over_the_size_limit():
    with pytest.raises(ValidationError) as error:
        attachments.attachment_clean(upload("big.pdf", b"%PDF-1.4" + b"0" * attachments.MAX_BYTES))
    assert error.value.code == "too_large"


def test_it_refuses_a_decompression_bomb():
    # A tiny PNG that claims 20000 × 20000 pixels: refused before it is decoded.
    out = io.BytesIO()
    Image.new("1", (20000, 20000)).save(out, "PNG")
    assert len(out.getvalue()) < 200_000
    with pytest.raises(ValidationError) as error:
        attachments.attachment_clean(upload("bomb.png", out.getvalue()))
    assert error.value.code == "too_many_pixels"


def test_it_keeps_a_pdf_as_it_is():
    content = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF"
    clean = attachments.attachment_clean(upload("Letter.PDF", content))
    assert clean.kind == "document" and clean.content == content and clean.content_type == "application/pdf"
