"""Intake: an appeal comes in, the writer follows it with the receipt code.

Everything a writer sends is sealed to the appeal's own keys (`vault.casekeys`:
the school's key holders and the case's handlers read it); what
the writer should read back is also sealed to the writer's key (see
`appeals.followup`). Urgent appeals notify staff after the commit.
"""

import json
import logging
from collections.abc import Sequence

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from appeals.attachments import CleanFile
from appeals.followup import followup_new, seal_for_writer, writer_public_key
from appeals.language import detect_language
from appeals.models import Appeal, Attachment, FollowUp, Message, UrgentWords
from appeals.receipts import receipt_hash as receipt_hash_of
from appeals.stored import stored_in_entry
from appeals.triage import urgent_concepts
from audit.services import audit_record
from ishenim.workdays import add_working_days
from journal.services import journal_register, volume_locked
from schools.models import School
from vault.casekeys import CONTENT, IDENTITY, case_keys_new, case_seal_text

SUMMARY_CHARS = 300
log = logging.getLogger(__name__)


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
    receipt_code: str | None = None,
    writer_key: bytes | None = None,
    attachments: Sequence[CleanFile] = (),
    actor=None,
) -> Appeal:
    """Store an appeal sealed, give it the next journal number, triage and audit it.

    `author` (full name, address, class, phone) is None for an anonymous appeal.
    The brief summary for the journal defaults to the beginning of the text.
    With `receipt_code` (online box) the writer can follow the appeal: its hash
    is stored, and the writer's key (`writer_key` alone: the public half, when the code
    itself is not known here, as for a numbered paper form's stub). The appeal is urgent when a person says so
    (`urgent`: the writer's "someone is in danger right now" on the online form,
    staff at a box opening) or the text has danger words; `urgent_reason` keeps
    which, and staff are notified once the transaction commits.
    `language` is the page's (or the paper form's); the text's own language
    replaces it when `appeals.language` recognises it, so staff answer in it.
    """
    from appeals.services.urgent import urgent_alert

    now = timezone.now()
    concepts = urgent_concepts(text, school)  # triage runs once: the concepts say whether the words are urgent
    urgent_reason = urgent_reason_of(declared=urgent, channel=channel, words=bool(concepts))
    urgent = bool(urgent_reason)
    language = detect_language(text, default=language)
    if receipt_code:
        receipt_hash = receipt_hash_of(receipt_code)
        writer_key = writer_public_key(receipt_code)
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
        urgent_reason=urgent_reason,
        urgent_concepts=",".join(code for code, _words in concepts) if urgent else "",
        received_at=received_at,
        registered_at=now,
        receipt_hash=receipt_hash,
    )
    scope = appeal.vault_scope
    keys = case_keys_new(scope=scope, identity=author is not None, school=school)
    appeal.text_sealed = keys.seal_text(text)
    appeal.author_sealed = keys.seal_text(json.dumps(author, ensure_ascii=False), IDENTITY) if author else None
    appeal.due_on = add_working_days(timezone.localdate(now), settings.ISHENIM["CONSIDER_WITHIN_WORKING_DAYS"])
    # The volume is locked first, so the appeal is stored with its journal number in one INSERT.
    taken_on = timezone.localdate(received_at)
    volume = volume_locked(appeal, on=taken_on)
    appeal.journal_number = volume.last_number + 1
    appeal.save()
    keys.save(appeal)
    fields = {
        "channel": channel,
        "category": category,
        "author_kind": author_kind,
        "anonymous": appeal.anonymous,
        "grade": grade,
        "status": appeal.status,
    }
    if writer_key:
        # The writer's key, stored with the appeal: the journal entry vouches for it as stored.
        fields["followup"] = stored_in_entry(followup_new(appeal, writer_key, text))
    journal_register(
        appeal=appeal,
        volume=volume,
        taken_on=taken_on,
        fields=fields,
        # The entry names the writer of a signed appeal: sealed to the identity key.
        sealed=keys.seal_text(
            json.dumps({"author": author, "summary": summary or text[:SUMMARY_CHARS]}, ensure_ascii=False),
            IDENTITY if author else CONTENT,
        ),
        actor=actor,
    )
    # One file at a time, sealed, stored and let go before the next is sealed: three 8 MB files
    # never sit in memory as three sealed copies (nor, on PostgreSQL, as one INSERT of all three).
    for f in attachments:
        Attachment.objects.create(
            appeal=appeal,
            kind=f.kind,
            content_type=f.content_type,
            size=len(f.content),
            name_sealed=keys.seal_text(f.name),
            content_sealed=keys.seal(f.content),
        )
    if actor is not None:
        # Staff entered it (a letter from the box, a visit): their act is audited. A writer's own
        # appeal is recorded once, by its journal entry: the audit log is the log of staff acts.
        audit_record(
            action="ishenim.appeal.registered",
            scope=scope,
            actor=actor,
            obj=appeal,
            detail={"urgent": urgent, "urgent_reason": urgent_reason, "attachments": len(attachments)},
        )
    if urgent:
        urgent_alert(appeal=appeal)  # the alert's outbox rows commit with the appeal
    return appeal


def urgent_reason_of(*, declared: bool, channel: str, words: bool) -> str:
    """Why the appeal is urgent ("" if it is not): a person's word comes before the words found."""
    if declared:
        return Appeal.UrgentReason.WRITER if channel == Appeal.Channel.ONLINE else Appeal.UrgentReason.STAFF
    return Appeal.UrgentReason.WORDS if words else ""


def receipt_find(*, school: School, code: str) -> Appeal | None:
    """The school's online appeal with this receipt code, or None."""
    if not code.strip():
        return None
    return (
        Appeal.objects.select_related("school", "followup")
        .filter(school=school, receipt_hash=receipt_hash_of(code), followup__isnull=False)
        .first()
    )


@transaction.atomic
def message_post(*, appeal: Appeal, side: str, body: str, sender=None) -> Message:
    """One message in the follow-up conversation, or the official answer (side ANSWER).

    Sealed to the school (staff read it) and to the writer's key (the writer
    reads it with the receipt code). Raises ValueError for an appeal that has
    no online follow-up.
    """
    followup = FollowUp.objects.filter(appeal=appeal).first()
    if followup is None:
        raise ValueError("this appeal has no online follow-up")
    message = Message.objects.create(
        appeal=appeal,
        side=side,
        body_sealed=case_seal_text(appeal, body),
        body_for_writer=seal_for_writer(followup, body),
        sender=sender if side != Message.Side.WRITER else None,
        created_at=timezone.now(),
    )
    audit_record(
        action="ishenim.appeal.message_received" if side == Message.Side.WRITER else "ishenim.appeal.message_sent",
        scope=appeal.vault_scope,
        actor=sender,
        obj=appeal,
        detail={"message": message.pk, "side": side},
    )
    return message


def messages_mark_read(*, appeal: Appeal, sides: Sequence[str]) -> int:
    """Staff opened the appeal (sides WRITER) or the writer the follow-up page (STAFF, ANSWER)."""
    return Message.objects.filter(appeal=appeal, side__in=sides, read_at=None).update(read_at=timezone.now())


@transaction.atomic
def followup_solved_record(*, appeal: Appeal, solved: str) -> FollowUp:
    """The writer's "was the problem solved?" after closure; kept for the reports.

    "No" does not end there: the case opens again for the school (see
    `case_reopen_by_writer`), and the writer may write on or send it to the district.
    """
    from appeals.services.cases import case_reopen_by_writer

    followup = FollowUp.objects.select_for_update().get(appeal=appeal)
    followup.solved = FollowUp.Solved(solved)
    followup.solved_at = timezone.now()
    followup.save(update_fields=["solved", "solved_at"])
    audit_record(
        action="ishenim.appeal.feedback", scope=appeal.vault_scope, obj=appeal, detail={"solved": followup.solved}
    )
    if followup.solved == FollowUp.Solved.NO and not appeal.is_open:
        case_reopen_by_writer(appeal=appeal)
    return followup


@transaction.atomic
def urgent_words_save(*, school: School, words: str, actor) -> UrgentWords:
    entry, _ = UrgentWords.objects.update_or_create(school=school, defaults={"words": words.strip()})
    audit_record(action="ishenim.triage.words_changed", scope=school.vault_scope, actor=actor, obj=entry)
    return entry
