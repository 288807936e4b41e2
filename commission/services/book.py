"""The box-opening journal: append-only and hash-chained like the registration journal.

Each book (a school's school year) is locked (SELECT … FOR UPDATE; SQLite transactions are
IMMEDIATE), one entry is appended with the hash of the previous one, and the head moves.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_record
from commission.models import (
    Book,
    Entry,
    Opening,
)
from ishenim.chain import GENESIS, link
from schools.models import School


def book_for(school: School, on: dt.date) -> Book:
    year = school.school_year(on)
    try:
        with transaction.atomic():
            book, _created = Book.objects.get_or_create(school=school, year=year)
    except IntegrityError:
        book = Book.objects.get(school=school, year=year)
    return book


@transaction.atomic
def entry_append(
    *, school: School, on: dt.date, kind: str, fields: dict, actor, opening: Opening | None = None, meeting=None
) -> Entry:
    book = Book.objects.select_for_update().get(pk=book_for(school, on).pk)
    entry = Entry(
        book=book,
        seq=book.last_seq + 1,
        kind=kind,
        opening=opening,
        meeting=meeting,
        at=timezone.now(),
        fields=fields,
        actor=actor,
        prev_hash=book.head_hash,
    )
    entry.hash = link(entry.prev_hash, entry.chained_fields())
    entry.save()
    book.last_seq, book.head_hash = entry.seq, entry.hash
    book.save(update_fields=["last_seq", "head_hash"])
    audit_record(
        action="ishenim.openings.entry_written",
        scope=school.vault_scope,
        actor=actor,
        obj=entry,
        detail={"kind": kind, "seq": entry.seq},
    )
    return entry


@dataclass
class BookCheck:
    book: Book
    entries: int
    ok: bool
    problem: str = ""
    bad_seq: int | None = None


def openings_verify(book: Book) -> BookCheck:
    """Walk one book's chain; an edited entry breaks its hash, a removed or inserted one
    breaks the sequence or the next link, a removed tail no longer reaches the head."""
    prev, expected = GENESIS, 1
    for entry in book.entries.order_by("seq").iterator(chunk_size=2000):
        if entry.seq != expected:
            return BookCheck(book, expected - 1, False, _("an entry is missing or was inserted"), expected)
        if entry.prev_hash != prev:
            return BookCheck(book, expected - 1, False, _("an entry does not follow the previous one"), entry.seq)
        if link(prev, entry.chained_fields()) != entry.hash:
            return BookCheck(book, expected - 1, False, _("an entry was edited"), entry.seq)
        prev, expected = entry.hash, expected + 1
    count = expected - 1
    if count != book.last_seq or prev != book.head_hash:
        return BookCheck(book, count, False, _("entries after the last one found were removed"), count + 1)
    return BookCheck(book, count, True)
