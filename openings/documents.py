"""The openings' documents: the act of removal of letters from the box, and the opening book.

Each is one context built here, rendered to PDF from a template and to DOCX with
the same words, in the language the reader chose.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from ishenim.documents import document_date, document_moment, head_of, local_time, plain_number
from openings.models import Book, Opening
from openings.selectors import book_entries
from openings.services import openings_verify
from schools.models import School
from schools.selectors import director_name

# --- the act of removal --------------------------------------------------------------------


def act_context(opening: Opening, language: str, request=None) -> dict:
    school = opening.school
    letters = list(opening.letters.select_related("appeal").order_by("position"))
    return {
        "opening": opening,
        "school": school,
        "school_name": school.name_in(language),
        "district_name": school.district.name_in(language),
        "date": document_date(opening.opened_at, language, school=school),
        "time": local_time(opening.opened_at, school),
        "sealed_time": local_time(opening.sealed_at, school),
        "seal_found": plain_number(opening.seal_found_number),
        "new_seal": plain_number(opening.new_seal_number),
        "head": head_of(school.name_in(language), language),
        "present": list(opening.present.order_by("full_name")),
        "letters": letters,
        "director": director_name(school),
    }


# --- the opening book -----------------------------------------------------------------------------


def book_context(book: Book, language: str, request=None) -> dict:
    school = book.school
    return {
        "school": school,
        "school_name": school.name_in(language),
        "book": book,
        "rows": [_book_row(entry, language, school) for entry in book_entries(book)],
        "check": openings_verify(book),
        "printed": document_date(timezone.now(), language, school=school),
    }


def _book_row(entry, language: str, school: School) -> dict:
    """An entry of the opening book with its dates in words and its seal numbers as typed."""
    fields = entry.fields
    if fields.get("opened_at"):
        opened = dt.datetime.fromisoformat(fields["opened_at"])
        when = document_moment(opened, language, school)
    elif fields.get("held_on"):
        when = document_date(dt.date.fromisoformat(fields["held_on"][:10]), language)
    else:
        when = ""
    sealed = dt.datetime.fromisoformat(fields["sealed_at"]) if fields.get("sealed_at") else None
    return {
        "entry": entry,
        "when": when,
        "seal_found": plain_number((fields.get("seal_found") or {}).get("number")),
        "new_seal": plain_number(fields.get("new_seal")),
        "sealed": local_time(sealed, school) if sealed and sealed.tzinfo else (f"{sealed:%H:%M}" if sealed else ""),
    }
