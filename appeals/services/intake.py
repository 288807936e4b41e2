"""Workflows of an appeal that touch several models."""

import json

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from appeals.models import Appeal
from audit.services import audit_record
from ishenim.workdays import add_working_days
from journal.services import journal_register
from schools.models import School
from vault.services import seal_text

SUMMARY_CHARS = 300


@transaction.atomic
def appeal_submit(
    *,
    school: School,
    text: str,
    category: str,
    author_kind: str,
    channel: str = Appeal.Channel.ONLINE,
    author: dict | None = None,
    grade: int | None = None,
    to_district: bool = False,
    language: str = "ky",
    summary: str = "",
    received_at=None,
    urgent: bool = False,
    receipt_hash: str | None = None,
    actor=None,
) -> Appeal:
    """Store an appeal sealed, give it the next journal number, and audit it.

    `author` (full name, address, class, phone) is None for an anonymous appeal.
    The brief summary for the journal defaults to the beginning of the text.
    """
    now = timezone.now()
    received_at = received_at or now
    appeal = Appeal(
        school=school,
        district=school.district if to_district else None,
        channel=channel,
        author_kind=author_kind,
        anonymous=author is None,
        category=category,
        grade=grade,
        language=language,
        urgent=urgent,
        received_at=received_at,
        registered_at=now,
        receipt_hash=receipt_hash,
    )
    scope = appeal.vault_scope
    appeal.text_sealed = seal_text(scope, text)
    appeal.author_sealed = seal_text(scope, json.dumps(author, ensure_ascii=False)) if author else None
    appeal.due_on = add_working_days(timezone.localdate(now), settings.ISHENIM["CONSIDER_WITHIN_WORKING_DAYS"])
    appeal.save()
    entry = journal_register(
        appeal=appeal,
        taken_on=timezone.localdate(received_at),
        fields={
            "channel": channel,
            "category": category,
            "author_kind": author_kind,
            "anonymous": appeal.anonymous,
            "grade": grade,
            "status": appeal.status,
        },
        sealed=seal_text(
            scope, json.dumps({"author": author, "summary": summary or text[:SUMMARY_CHARS]}, ensure_ascii=False)
        ),
        actor=actor,
    )
    appeal.journal_number = entry.number
    appeal.save(update_fields=["journal_number"])
    audit_record(action="ishenim.appeal.registered", scope=scope, actor=actor, obj=appeal)
    return appeal
