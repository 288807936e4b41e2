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


def legacy_appeal(school, *, marker: str) -> tuple[Appeal, dict]:
    """A signed online appeal as stored before per-case keys: every blob sealed
    straight to the school's key (what real schools have from earlier versions)."""
    import json
    import uuid

    from django.utils import timezone

    from appeals.followup import seal_for_writer, writer_public_key
    from appeals.models import Attachment, FollowUp, Message
    from appeals.receipts import receipt_hash
    from journal.services import journal_register
    from vault.services import seal, seal_text

    scope = school.vault_scope
    text = f"{marker} text: the guard shouts at the small ones"
    author = {"name": f"{marker} Nurlan Toktogulov", "address": "Osh", "phone": "+996 555 000 222", "class": "5A"}
    message = f"{marker} message: again today"
    file_name = f"{marker}-photo.png"
    code = receipt_code_new()
    appeal = Appeal.objects.create(
        school=school,
        channel=Appeal.Channel.ONLINE,
        author_kind=Appeal.AuthorKind.STUDENT,
        anonymous=False,
        category=Appeal.Category.BULLYING,
        received_at=timezone.now(),
        registered_at=timezone.now(),
        due_on=timezone.localdate(),
        receipt_hash=receipt_hash(code),
        text_sealed=seal_text(scope, text),
        author_sealed=seal_text(scope, json.dumps(author, ensure_ascii=False)),
    )
    entry = journal_register(
        appeal=appeal,
        taken_on=timezone.localdate(),
        fields={"channel": "online", "category": appeal.category, "author_kind": "student", "anonymous": False},
        sealed=seal_text(scope, json.dumps({"author": author, "summary": text}, ensure_ascii=False)),
    )
    appeal.journal_number = entry.number
    appeal.save(update_fields=["journal_number"])
    followup = FollowUp.objects.create(
        appeal=appeal, writer_key_id=uuid.uuid4(), writer_public_key=writer_public_key(code)
    )
    followup.text_for_writer = seal_for_writer(followup, text)
    followup.save()
    Message.objects.create(
        appeal=appeal,
        side=Message.Side.WRITER,
        body_sealed=seal_text(scope, message),
        body_for_writer=seal_for_writer(followup, message),
        created_at=timezone.now(),
    )
    Attachment.objects.create(
        appeal=appeal,
        kind="image",
        content_type="image/png",
        size=10,
        name_sealed=seal_text(scope, file_name),
        content_sealed=seal(scope, png()),
    )
    return appeal, {"text": text, "name": author["name"], "message": message, "file": file_name, "code": code}
