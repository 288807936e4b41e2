"""The opening book: append-only and hash-chained like the registration journal.

Each book (a school's school year) is locked (SELECT … FOR UPDATE; SQLite transactions are
IMMEDIATE), one entry is appended with the hash of the previous one, and the head moves.
"""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction

from audit.services import audit_record
from ishenim.chain import ChainCheck, chain_append, chain_verify, head_locked
from openings.models import (
    Book,
    Entry,
    Opening,
)
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
    book = head_locked(Book, school=school, year=school.school_year(on))
    entry = chain_append(
        book, Entry(book=book, kind=kind, opening=opening, meeting=meeting, fields=fields, actor=actor)
    )
    audit_record(
        action="ishenim.openings.entry_written",
        scope=school.vault_scope,
        actor=actor,
        obj=entry,
        detail={"kind": kind, "seq": entry.seq},
    )
    return entry


def openings_verify(book: Book) -> ChainCheck:
    """Walk one book's chain (`ishenim.chain.chain_verify`)."""
    return chain_verify(book)
