"""Upload checks (appeals.attachments): oversized files, decompression bombs, and files
whose content does not match their name are refused with a clear error, and nothing is kept."""

import io
import struct
import zlib

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from appeals import attachments
from appeals.attachments import attachment_clean
from appeals.models import Appeal, Attachment


def image(fmt: str, size=(32, 32), mode="RGB") -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, "red" if mode != "1" else 0).save(out, fmt)
    return out.getvalue()


def png_bomb(width: int, height: int) -> bytes:
    """A valid PNG of width × height black pixels: a few kilobytes on disk, gigabytes in memory."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    row = b"\x00" + b"\x00" * ((width + 7) // 8)
    compressor = zlib.compressobj(9)
    body = b"".join(compressor.compress(row) for _ in range(min(height, 2000))) + compressor.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)  # 1-bit greyscale
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", body) + chunk(b"IEND", b"")


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def refused(name: str, content: bytes) -> str:
    with pytest.raises(ValidationError) as caught:
        attachment_clean(upload(name, content))
    return caught.value.code


def test_it_accepts_honest_files_and_strips_them():
    assert attachment_clean(upload("photo.jpg", image("JPEG"))).content_type == "image/jpeg"
    assert attachment_clean(upload("scan.png", image("PNG"))).kind == "image"
    assert attachment_clean(upload("letter.pdf", b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n%%EOF")).kind == "document"


def test_it_refuses_an_oversized_file():
    big = SimpleUploadedFile("photo.jpg", b"\xff\xd8" + b"0" * (attachments.MAX_BYTES + 1))
    assert refused("photo.jpg", big.read()) == "too_large"


def test_it_refuses_decompression_bombs():
    assert refused("bomb.png", png_bomb(30_000, 30_000)) == "too_many_pixels"
    assert refused("bomb.png", png_bomb(100_000, 100_000)) == "too_many_pixels"
    wide = io.BytesIO()
    Image.new("1", (60_000, 1000)).save(wide, "GIF")
    assert refused("wide.gif", wide.getvalue()) == "too_many_pixels"


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("photo.jpg", image("PNG")),  # a PNG named .jpg
        ("photo.png", image("JPEG")),
        ("photo.gif", image("WEBP")),
        ("letter.pdf", image("PNG")),  # a picture named .pdf
        ("photo.jpg", b"%PDF-1.4 a document named .jpg"),
        ("photo.jpg", b"<html><script>alert(1)</script></html>"),
        ("page.html", b"<html><script>alert(1)</script></html>"),
        ("icon.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
        ("run.exe", b"MZ\x90\x00"),
        ("photo.jpg.exe", image("JPEG")),
        ("archive.zip", b"PK\x03\x04"),
        ("noextension", image("JPEG")),
    ],
)
def test_it_refuses_a_file_whose_content_does_not_match_its_name(name, content):
    assert refused(name, content) in ("mismatch", "type", "broken")


def test_it_keeps_nothing_of_a_refused_submission(demo):
    before = Appeal.objects.count(), Attachment.objects.count()
    response = Client().post(
        "/s/rakhmanov/write/",
        {
            "author_kind": "student",
            "signed": "anonymous",
            "category": "bullying",
            "text": "Older boys take our phones behind the gym.",
            "files": SimpleUploadedFile("photo.jpg", png_bomb(30_000, 30_000)),
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["files"]
    assert (Appeal.objects.count(), Attachment.objects.count()) == before
