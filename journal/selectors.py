"""Reads of the registration journal: the volume as the paper journal shows it."""

import datetime as dt
import json
from dataclasses import dataclass, field

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from appeals.authors import author_read
from appeals.models import Appeal
from ishenim.documents import local_day
from journal.models import Record, Volume
from schools.offices import Office
from vault.crypto import VaultError


def volumes(office: Office) -> QuerySet[Volume]:
    """The office's journal volumes, newest first."""
    return Volume.objects.filter(**{office.kind: office.owner}).order_by("-year")


@dataclass
class Measure:
    on: dt.date
    text: str


@dataclass
class JournalRow:
    """One numbered line of the journal, with what its amendments changed."""

    entry: Record
    number: int
    taken_on: dt.date
    channel: str
    category: str
    status: str
    anonymous: bool
    grade: int | None
    author: dict | None = None
    summary: str = ""
    measures: list[Measure] = field(default_factory=list)
    forwarded_to: list[str] = field(default_factory=list)
    corrected: bool = False
    sealed_state: str = "open"  # open | locked (no key in this session) | erased (retention)

    @property
    def channel_display(self) -> str:
        return str(Appeal.Channel(self.channel).label) if self.channel in Appeal.Channel.values else self.channel

    @property
    def category_display(self) -> str:
        return str(Appeal.Category(self.category).label) if self.category in Appeal.Category.values else self.category

    @property
    def status_display(self) -> str:
        return str(Appeal.Status(self.status).label) if self.status in Appeal.Status.values else self.status

    @property
    def author_display(self) -> str:
        """Column c: full name and address, or "anonymous"."""
        if self.anonymous:
            return _("anonymous")
        if self.sealed_state != "open" or not self.author:
            return self._hidden()
        return ", ".join(p for p in (self.author.get("full_name", ""), self.author.get("address", "")) if p)

    @property
    def class_phone_display(self) -> str:
        """Column d: class and telephone."""
        grade = self.author.get("school_class", "") if self.author else ""
        grade = grade or (str(self.grade) if self.grade else "")
        phone = self.author.get("phone", "") if self.author else ""
        if not self.anonymous and self.sealed_state != "open":
            return (grade + " " if grade else "") + self._hidden()
        return ", ".join(p for p in (grade, phone) if p) or "—"

    @property
    def summary_display(self) -> str:
        return self.summary if self.sealed_state == "open" else self._hidden()

    @property
    def measures_display(self) -> str:
        if self.sealed_state == "locked":
            return self._hidden()
        lines = [f"{m.on:%d.%m.%Y}: {m.text}" for m in self.measures]
        lines += [_("Forwarded to %(body)s") % {"body": body} for body in self.forwarded_to]
        return "\n".join(lines)

    def _hidden(self) -> str:
        return _("erased under retention") if self.sealed_state == "erased" else _("sealed")


def _open(ring, record: Record) -> tuple[dict, str]:
    if record.sealed is None:
        return {}, "erased" if record.sealed_digest else "open"
    if ring is None or not ring.can_open(record.sealed):
        return {}, "locked"
    try:
        return json.loads(ring.open_text(record.sealed)), "open"
    except (VaultError, ValueError):
        return {}, "locked"


def journal_rows(volume: Volume, ring=None, *, numbers: range | None = None) -> list[JournalRow]:
    """Every entry of the volume (or those numbered in `numbers`), amendments applied, in two queries.

    With a keyring the sealed columns (author, summary, measures) are opened;
    without one they read "sealed". The caller audits the read.
    """
    query = volume.records.filter(kind=Record.Kind.ENTRY).order_by("number")
    if numbers is not None:
        query = query.filter(number__gte=numbers.start, number__lt=numbers.stop)
    entries = list(query)
    if ring is not None:
        ring.preload(entry.sealed for entry in entries)  # each appeal has its own key: open them in one go
    rows: dict[int, JournalRow] = {}
    for entry in entries:
        sealed, state = _open(ring, entry)
        fields = entry.fields
        assert entry.number is not None and entry.taken_on is not None  # journal_register gives an entry both
        rows[entry.pk] = JournalRow(
            entry=entry,
            number=entry.number,
            taken_on=entry.taken_on,
            channel=fields.get("channel", ""),
            category=fields.get("category", ""),
            status=fields.get("status", Appeal.Status.REGISTERED),
            anonymous=bool(fields.get("anonymous", True)),
            grade=fields.get("grade"),
            author=author_read(sealed.get("author")),
            summary=sealed.get("summary", ""),
            sealed_state=state,
        )
    amendments = list(volume.records.filter(kind=Record.Kind.AMENDMENT, entry_id__in=list(rows)).order_by("seq"))
    if ring is not None:
        ring.preload(amendment.sealed for amendment in amendments)
    for amendment in amendments:
        assert amendment.entry_id is not None  # filtered on entry_id__in
        row = rows[amendment.entry_id]
        fields = amendment.fields
        row.status = fields.get("status", row.status)
        event = fields.get("event")
        if event == "correction" and "category" in fields:
            row.category, row.corrected = fields["category"], True
        if amendment.sealed is None and not amendment.sealed_digest:
            if event == "forwarded":
                row.forwarded_to.append(fields.get("addressee") or fields.get("body", ""))
            continue
        sealed, state = _open(ring, amendment)
        if state != "open":
            row.sealed_state = row.sealed_state if row.sealed_state == "erased" else state
            continue
        if event == "measures" and sealed.get("measures"):
            row.measures.append(
                Measure(
                    dt.date.fromisoformat(fields["on"][:10]) if fields.get("on") else local_day(amendment.at),
                    sealed["measures"],
                )
            )
        elif event == "forwarded":
            row.forwarded_to.append(fields.get("addressee") or fields.get("body", ""))
        elif event == "correction":
            if "summary" in sealed:
                row.summary, row.corrected = sealed["summary"], True
            if "author" in sealed:
                row.author, row.corrected = author_read(sealed["author"]), True
    return list(rows.values())


def journal_history(appeal: Appeal, ring=None) -> list[tuple[Record, dict]]:
    """The appeal's records in order (entry first), each with its opened sealed part."""
    records = Record.objects.filter(appeal=appeal).select_related("actor").order_by("volume_id", "seq")
    return [(record, _open(ring, record)[0]) for record in records]
