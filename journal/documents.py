"""The journal on paper: the volume as a bound journal (PDF), and as a spreadsheet (XLSX).

The closing certification states how many pages the journal has; only the
layout knows that, so the statement is drawn in a page margin, where CSS can
use the page count (`counter(pages)`), and the PDF is laid out once.
"""

import re
from dataclasses import dataclass
from typing import Any

from django.utils import timezone, translation
from django.utils.translation import gettext as _

from ishenim.documents import document_date, school_zone
from ishenim.exporters import Exporter
from journal.models import Volume
from journal.selectors import JournalRow
from schools.models import Membership, Role
from schools.offices import Office

TEMPLATE = "journal/documents/journal.html"


def page_counter_css(pattern: str) -> str:
    """A translated "page {page} of {pages}" as the CSS `content` of a page margin."""
    parts = []
    for part in re.split(r"(\{page\}|\{pages\})", pattern):
        if part == "{page}":
            parts.append("counter(page)")
        elif part == "{pages}":
            parts.append("counter(pages)")
        elif part:
            parts.append('"' + part.replace("\\", "\\\\").replace('"', '\\"') + '"')
    return " ".join(parts)


def _signers(office: Office) -> list[tuple[str, str]]:
    if office.district is not None:
        people = Membership.objects.filter(district=office.district, role=Role.DISTRICT_OFFICER, active=True)
        return [
            (_("District education department specialist"), m.user.get_full_name())
            for m in people.select_related("user")[:2]
        ]
    found = {
        m.role: m.user.get_full_name()
        for m in Membership.objects.filter(
            school=office.school, role__in=[Role.DIRECTOR, Role.RESPONSIBLE], active=True
        )
        .select_related("user")
        .order_by("-pk")
    }
    return [
        (_("Director"), found.get(Role.DIRECTOR, "")),
        (_("Responsible person (child-rights officer)"), found.get(Role.RESPONSIBLE, "")),
    ]


def title_lines(title: str) -> list[tuple[str, bool]]:
    """A document title given to translators as one string, line by line; the line in capitals is the heading.

    The head noun comes last in Kyrgyz and Uzbek («…кайрылууларды / КАТТОО ЖУРНАЛЫ») and first
    in Russian and English, so the translation, not the template, orders the lines.
    """
    return [(line.strip(), line.strip().isupper()) for line in title.split("\n") if line.strip()]


def journal_context(office: Office, volume: Volume, rows: list[JournalRow], *, language: str, printed_by) -> dict:
    with translation.override(language):
        first, last = (rows[0].taken_on, rows[-1].taken_on) if rows else (None, None)
        now = timezone.localtime(timezone=school_zone(office.school))
        return {
            "office_name": office.name_in(language),
            "title_lines": title_lines(
                _(
                    "REGISTRATION JOURNAL\n"
                    "of appeals received through the Trust Box (the physical box and the online box)"
                )
            ),
            "district_name": office.school.district.name_in(language) if office.school else "",
            "volume": volume,
            "school_year": f"{volume.year}–{volume.year + 1}",
            "rows": rows,
            "started": document_date(first, language) if first else "—",
            "finished": document_date(last, language) if last else "—",
            "printed": document_date(now, language),
            "printed_at": now,
            "printed_by": printed_by.get_full_name() or printed_by.get_username(),
            "signers": _signers(office),
            "page_counter": page_counter_css(_("page {page} of {pages}")),
            "statement": page_counter_css(
                _("This journal holds {entries} entries on {pages} pages, numbered and bound.").replace(
                    "{entries}", str(volume.last_number)
                )
            ),
            "columns": column_titles(),
        }


@dataclass
class BoundVolume:
    """A volume to print: whose journal, which volume, its rows (opened or "sealed"), who prints it."""

    office: Office
    volume: Volume
    rows: list[JournalRow]
    printed_by: Any

    @property
    def audit_object(self) -> Volume:
        return self.volume


def volume_context(bound: BoundVolume, language: str, request=None) -> dict:
    """The journal volume's context for the document registry (its DOCX, and its PDF made in-process)."""
    return journal_context(bound.office, bound.volume, bound.rows, language=language, printed_by=bound.printed_by)


class JournalExporter(Exporter):
    """One row per entry, the regulation's columns a–f, then channel, category and status."""

    def __init__(self, office: Office, volume: Volume, rows: list[JournalRow], *, language: str):
        self.office, self.volume, self.entries, self.language = office, volume, rows, language
        slug = office.slug
        self.filename = f"journal-{slug}-{volume.year}-{language}"
        with translation.override(language):
            self.sheet_title = _("Journal %(year)s") % {"year": f"{volume.year}–{volume.year + 1}"}

    def headers(self):
        with translation.override(self.language):
            return [str(h) for h in column_titles()]

    def rows(self):
        with translation.override(self.language):
            for row in self.entries:
                yield [
                    row.number,
                    row.taken_on,
                    row.author_display,
                    row.class_phone_display,
                    row.summary_display,
                    row.measures_display,
                    row.channel_display,
                    row.category_display,
                    row.status_display,
                ]


def column_titles() -> list[str]:
    return [
        _("a) No."),
        _("b) Date taken from the box or received online"),
        _("c) Author's full name and address, or “anonymous”"),
        _("d) Class, telephone"),
        _("e) Brief summary"),
        _("f) Measures taken"),
        _("Channel"),
        _("Category"),
        _("Status"),
    ]
