"""Opening the box: who is present, the seals, the letters registered as paper appeals (R04, B 4.3, 4.5)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from appeals.attachments import attachment_clean
from appeals.models import Appeal, Attachment
from appeals.receipts import receipt_normalise
from appeals.services import appeal_submit
from audit.services import audit_record
from openings.models import (
    Book,
    Entry,
    Letter,
    Opening,
    Page,
)
from openings.services.book import book_for, entry_append
from openings.services.stubs import stub_find
from schools.models import Role, School
from vault.services import seal, seal_text

MAX_PAGE_BYTES = 12 * 1024 * 1024
MAX_IMAGE_SIDE = 2400


@transaction.atomic
def opening_start(*, school: School, actor, planned_for: dt.datetime | None = None) -> Opening:
    opening = Opening.objects.create(
        school=school,
        planned_for=planned_for,
        opened_at=timezone.now(),
        place=school.box_location or "",
        created_by=actor,
    )
    audit_record(action="ishenim.openings.started", scope=school.vault_scope, actor=actor, obj=opening)
    return opening


def _require_open(opening: Opening) -> None:
    if opening.status != Opening.Status.DRAFT:
        raise ValidationError(_("This opening is already recorded in the journal."))


@transaction.atomic
def opening_set_present(*, opening: Opening, opened_at: dt.datetime, place: str, present, actor) -> Opening:
    _require_open(opening)
    if not present:
        raise ValidationError(_("Mark the commission members present at the box."))
    if opening.letters.exists() and timezone.localdate(opened_at) != timezone.localdate(opening.opened_at):
        raise ValidationError(
            _("Letters are already registered with the date %(day)s taken from the box; the date cannot change.")
            % {"day": timezone.localdate(opening.opened_at)}
        )
    opening.opened_at, opening.place = opened_at, place
    opening.step = max(opening.step, Opening.Step.SEAL, key=STEPS.index)
    opening.save(update_fields=["opened_at", "place", "step"])
    opening.present.set(present)
    return opening


STEPS = [s.value for s in Opening.Step]


@transaction.atomic
def opening_set_seal(
    *, opening: Opening, number: str, state: str, note: str, actor, expected: str | None = None
) -> Opening:
    """The seal found on the box. A broken or missing seal, or one that is not the seal put on
    the box last time (`expected`, from the opening book), is an incident: recorded, and reported to
    the director by email once the transaction commits."""
    _require_open(opening)
    was_broken = opening.seal_broken
    opening.seal_found_number, opening.seal_found_state, opening.incident_note = number, state, note
    opening.seal_expected_number = last_seal_number(opening.school) if expected is None else expected
    opening.step = max(opening.step, Opening.Step.COUNT, key=STEPS.index)
    opening.save(
        update_fields=["seal_found_number", "seal_found_state", "seal_expected_number", "incident_note", "step"]
    )
    if opening.seal_broken:
        audit_record(
            action="ishenim.openings.seal_incident",
            scope=opening.school.vault_scope,
            actor=actor,
            obj=opening,
            detail={"state": state},
        )
        if not was_broken:
            _report_incident(opening)
    return opening


def last_seal_number(school: School) -> str:
    """The seal put on the box at the school's last recorded opening."""
    last = (
        Opening.objects.filter(school=school, status=Opening.Status.DONE)
        .order_by("-sealed_at", "-opened_at")
        .values_list("new_seal_number", flat=True)
        .first()
    )
    return last or ""


def _report_incident(opening: Opening) -> None:
    """Tell the directors (and the school's address) that the seal was not intact; inside the transaction."""
    from notify.models import Kind
    from notify.services import channels_of, notify_send, recipients

    school = opening.school
    directors = list(recipients(school, Role.DIRECTOR))
    params = {
        "expected": opening.seal_expected_number or "—",
        "when": timezone.localtime(opening.opened_at),
        "state": opening.get_seal_found_state_display(),
        "number_found": opening.seal_found_number or "—",
        "place": opening.place,
        "note": opening.incident_note or "—",
        "link": settings.SITE_URL + reverse("openings:opening", args=[school.slug, opening.pk]),
    }
    reachable = any(channels_of(user) for user in directors)
    notify_send(users=directors, kind=Kind.SEAL_INCIDENT, office=school, params=params, office_address=not reachable)


@transaction.atomic
def opening_set_count(*, opening: Opening, letters_found: int, actor) -> Opening:
    _require_open(opening)
    registered = opening.letters.count()
    if letters_found < registered:
        raise ValidationError(
            ngettext(
                "%(count)d letter is already registered; the number found cannot be smaller.",
                "%(count)d letters are already registered; the number found cannot be smaller.",
                registered,
            )
            % {"count": registered}
        )
    opening.letters_found = letters_found
    opening.step = Opening.Step.LETTERS if letters_found > registered else Opening.Step.CLOSE
    opening.save(update_fields=["letters_found", "step"])
    return opening


IMAGE_TYPES = {"image/jpeg", "image/png", "image/webp", "image/gif", "image/bmp", "image/tiff"}


def page_clean(upload) -> tuple[bytes, str]:
    """A page through the one upload cleaner (`appeals.attachments`): a photo re-encoded without its
    metadata (EXIF carries the phone, the place and the time), turned upright and scaled down, decoded
    in a capped process; a PDF scan kept as it is."""
    clean = attachment_clean(upload, max_bytes=MAX_PAGE_BYTES)
    return clean.content, clean.content_type


@transaction.atomic
def opening_add_pages(*, opening: Opening, files, actor) -> list[Page]:
    """Keep the pages of the letter being entered, sealed, even if the rest of its form is not valid yet."""
    _require_open(opening)
    pages = []
    for upload in files:
        content, content_type = page_clean(upload)
        pages.append(
            Page.objects.create(
                opening=opening,
                sealed=seal(opening.school.vault_scope, content),
                content_type=content_type,
                size=len(content),
                uploaded_by=actor,
            )
        )
    return pages


def pending_pages(opening: Opening):
    return opening.pages.all()


@transaction.atomic
def opening_letter_register(
    *,
    opening: Opening,
    actor,
    category: str,
    author_kind: str,
    summary: str,
    text: str = "",
    author: dict | None = None,
    grade: int | None = None,
    language: str = "ky",
    urgent: bool = False,
    form_number: str = "",
) -> Letter:
    """Register one letter of the opening as a paper appeal: the next journal number, with the
    opening's date as the date taken from the box; its pending pages go with it. With the form
    number printed on the letter, the writer follows it with the code on the stub they kept
    (the stub's code hash and writer key were stored at printing: nobody here sees the code)."""
    opening = Opening.objects.select_for_update().get(pk=opening.pk)
    _require_open(opening)
    stub = stub_find(opening.school, form_number) if form_number.strip() else None
    pages = list(pending_pages(opening))
    # A stub of a numbered form carries its writer key: the code itself is not known here.
    writer_key = stub.writer_public_key if stub is not None and stub.position is not None else None
    assert writer_key is not None or stub is None or stub.position is None
    appeal = appeal_submit(
        school=opening.school,
        channel=Appeal.Channel.PAPER,
        received_at=opening.opened_at,
        summary=summary,
        text=text or summary,
        category=category,
        author_kind=author_kind,
        author=author,
        grade=grade,
        language=language,
        urgent=urgent,
        receipt_code=receipt_normalise(form_number) if stub and stub.position is None else None,
        receipt_hash=stub.code_hash if stub else None,
        writer_key=bytes(writer_key) if writer_key is not None else None,
        actor=actor,
    )
    position = opening.letters.count() + 1
    letter = Letter.objects.create(
        opening=opening, position=position, appeal=appeal, pages=len(pages), with_stub=stub is not None
    )
    _pages_to_attachments(appeal, pages, position)
    if stub is not None:
        stub.used_at, stub.appeal = timezone.now(), appeal
        stub.save(update_fields=["used_at", "appeal"])
    if opening.letters_found is None or position > opening.letters_found:
        opening.letters_found = position
    opening.step = Opening.Step.LETTERS if position < opening.letters_found else Opening.Step.CLOSE
    opening.save(update_fields=["letters_found", "step"])
    audit_record(
        action="ishenim.openings.letter_registered",
        scope=opening.school.vault_scope,
        actor=actor,
        obj=appeal,
        detail={"opening": opening.pk, "pages": len(pages), "stub": stub is not None},
    )
    return letter


def _pages_to_attachments(appeal: Appeal, pages: list[Page], position: int) -> None:
    """The staged pages become the appeal's attachments: already sealed to the same key, so moved as they are."""
    scope = appeal.vault_scope
    Attachment.objects.bulk_create(
        Attachment(
            appeal=appeal,
            kind=Attachment.Kind.DOCUMENT if page.content_type == "application/pdf" else Attachment.Kind.IMAGE,
            content_type=page.content_type,
            size=page.size,
            name_sealed=seal_text(
                scope, f"letter-{position}-page-{n}.{'pdf' if page.content_type == 'application/pdf' else 'jpg'}"
            ),
            content_sealed=bytes(page.sealed),
        )
        for n, page in enumerate(pages, 1)
    )
    Page.objects.filter(pk__in=[p.pk for p in pages]).delete()


@transaction.atomic
def opening_close(*, opening: Opening, new_seal_number: str, sealed_at: dt.datetime, actor) -> Opening:
    """Seal the box again and write the opening in the opening book (R16); an opening that
    found letters gets the next act number of its school year (R15)."""
    opening = Opening.objects.select_for_update().get(pk=opening.pk)
    _require_open(opening)
    letters = list(opening.letters.select_related("appeal").order_by("position"))
    if opening.letters_found is None:
        raise ValidationError(_("Say how many letters were found first."))
    if len(letters) < opening.letters_found:
        raise ValidationError(
            _("%(found)d letters were found but %(registered)d are registered; enter the rest first.")
            % {"found": opening.letters_found, "registered": len(letters)}
        )
    if not opening.present.exists():
        raise ValidationError(_("Mark the commission members present at the box."))
    if not new_seal_number.strip():
        raise ValidationError(_("Write the number of the new seal put on the box."))
    opened_on = timezone.localdate(opening.opened_at)
    book = Book.objects.select_for_update().get(pk=book_for(opening.school, opened_on).pk)
    if letters:
        last = (
            Opening.objects.filter(school=opening.school, act_number__isnull=False, entry__book=book)
            .order_by("-act_number")
            .values_list("act_number", flat=True)
            .first()
        )
        opening.act_number = (last or 0) + 1
    opening.new_seal_number = new_seal_number.strip()
    opening.sealed_at = sealed_at
    opening.status = Opening.Status.DONE
    opening.save(update_fields=["act_number", "new_seal_number", "sealed_at", "status"])
    entry_append(
        school=opening.school,
        on=opened_on,
        kind=Entry.Kind.OPENING,
        opening=opening,
        fields={
            "opened_at": timezone.localtime(opening.opened_at).isoformat(timespec="minutes"),
            "planned_for": timezone.localtime(opening.planned_for).isoformat(timespec="minutes")
            if opening.planned_for
            else None,
            "place": opening.place,
            "present": [{"name": m.full_name, "position": m.position_label} for m in opening.present.all()],
            "seal_found": {
                "number": opening.seal_found_number,
                "state": opening.seal_found_state,
                "expected": opening.seal_expected_number,
            },
            "incident": opening.incident_note if opening.seal_broken else "",
            "letters_found": opening.letters_found,
            "journal_numbers": [letter.appeal.journal_number for letter in letters],
            "act_number": opening.act_number,
            "new_seal": opening.new_seal_number,
            "sealed_at": timezone.localtime(sealed_at).isoformat(timespec="minutes"),
        },
        actor=actor,
    )
    audit_record(
        action="ishenim.openings.recorded",
        scope=opening.school.vault_scope,
        actor=actor,
        obj=opening,
        detail={"letters": len(letters), "act": opening.act_number},
    )
    return opening


@transaction.atomic
def opening_discard(*, opening: Opening, actor) -> None:
    """Drop a draft opening begun by mistake, as long as no letter was registered from it."""
    _require_open(opening)
    if opening.letters.exists():
        raise ValidationError(_("Letters of this opening are registered in the journal; finish it instead."))
    audit_record(action="ishenim.openings.discarded", scope=opening.school.vault_scope, actor=actor, obj=opening)
    opening.pages.all().delete()
    opening.present.clear()
    opening.delete()
