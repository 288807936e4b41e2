"""Appeals with every kind of sealed content, for the vault's tests."""

import io

from PIL import Image

from appeals.attachments import CleanFile
from appeals.models import Appeal
from appeals.receipts import receipt_code_new
from appeals.services.intake import appeal_submit, message_post


def png(color=(10, 200, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), color).save(out, "PNG")
    return out.getvalue()


def full_appeal(school, *, marker: str, to_district: bool = False) -> tuple[Appeal, dict]:
    """An online, signed appeal with a message and a file; returns it and the plaintexts."""
    text = f"{marker} text: the teacher takes money for grades"
    author = {"name": f"{marker} Asel Bekova", "address": "Osh", "phone": "+996 555 000 111", "class": "7B"}
    message = f"{marker} message: it happened again"
    file_name = f"{marker}-photo.png"
    code = receipt_code_new()
    appeal = appeal_submit(
        school=school,
        text=text,
        category=Appeal.Category.CORRUPTION,
        author_kind=Appeal.AuthorKind.STUDENT,
        author=author,
        grade=7,
        to_district=to_district,
        receipt_code=code,
        attachments=[CleanFile("image", file_name, "image/png", png())],
    )
    message_post(appeal=appeal, side="writer", body=message)
    return appeal, {"text": text, "name": author["name"], "message": message, "file": file_name, "code": code}
