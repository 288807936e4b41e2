"""CSV and XLSX exports of the statistics and the journal: these only yield rows."""

from collections.abc import Iterable, Sequence

from django.utils import timezone
from django.utils.translation import gettext as _

from appeals.models import Appeal
from ishenim.exporters import Exporter
from journal.models import Record, Volume
from reports.presentation import headline, masked, sections
from schools.models import District, School


class QuarterStatistics(Exporter):
    """A quarter's figures for a school (or a district's total): one row per figure, three periods."""

    sheet_title = "statistics"

    def __init__(self, quarter: dict, *, filename: str, mask_all: bool = False):
        self.quarter, self.filename, self.mask_all = quarter, filename, mask_all

    def headers(self) -> Sequence[str]:
        return [_("section"), _("figure"), _("this quarter"), _("previous quarter"), _("a year before")]

    def _value(self, count: int | None):
        if count is None:
            return ""
        return masked(count) if self.mask_all else count

    def rows(self) -> Iterable[Sequence]:
        current = headline(self.quarter["current"])
        earlier = [
            [r.count for r in headline(self.quarter[k])] if self.quarter.get(k) else [None] * len(current)
            for k in ("previous", "year_before")
        ]
        for row, prev, old in zip(current, *earlier, strict=True):
            yield [_("Key figures"), row.label, self._value(row.count), self._value(prev), self._value(old)]
        for section in sections(self.quarter, mask_all=self.mask_all, with_charts=False):
            for row in section.rows:
                if section.key == "grade" or self.mask_all:
                    yield [section.title, row.label, row.shown, "", ""]
                else:
                    yield [section.title, row.label, row.count, row.previous, row.year_before]
        for label, key in (
            (_("Average days to registration"), "days_to_register"),
            (_("Average days to answer"), "days_to_answer"),
        ):
            yield [
                _("Timings"),
                label,
                *((self.quarter.get(k) or {}).get(key) for k in ("current", "previous", "year_before")),
            ]


class DistrictSchools(Exporter):
    """A district's schools side by side; small counts suppressed."""

    sheet_title = "schools"

    def __init__(self, district: District, rows: list[dict], *, filename: str):
        self.district, self.table, self.filename = district, rows, filename

    def headers(self) -> Sequence[str]:
        return [
            _("school"),
            _("appeals"),
            _("sent to the district"),
            _("urgent"),
            _("open"),
            _("overdue"),
            _("anonymous"),
            _("rules broken"),
        ]

    def rows(self) -> Iterable[Sequence]:
        for row in self.table:
            yield [
                row["school"].name,
                *(masked(row[k]) for k in ("total", "to_district", "urgent", "open", "overdue", "anonymous")),
                row.get("broken", ""),
            ]


class JournalClear(Exporter):
    """The registration journal's clear columns: numbers, dates, channel, category, signed or anonymous, grade, status.

    The sensitive columns (author, summary, measures) stay sealed: this file can be
    handed on without exposing anyone. The journal's own print has the full columns.
    """

    sheet_title = "journal"

    def __init__(self, volume: Volume, *, filename: str):
        self.volume, self.filename = volume, filename

    def headers(self) -> Sequence[str]:
        return [
            _("serial number"),
            _("date taken from the box"),
            _("registered"),
            _("channel"),
            _("category"),
            _("author"),
            _("grade"),
            _("status now"),
            _("answer due"),
            _("closed"),
        ]

    def rows(self) -> Iterable[Sequence]:
        channels, categories, statuses = (dict(c.choices) for c in (Appeal.Channel, Appeal.Category, Appeal.Status))
        records = (
            Record.objects.filter(volume=self.volume, kind=Record.Kind.ENTRY)
            .select_related("appeal")
            .only(
                "number",
                "taken_on",
                "at",
                "appeal__channel",
                "appeal__category",
                "appeal__anonymous",
                "appeal__grade",
                "appeal__status",
                "appeal__due_on",
                "appeal__extended_due_on",
                "appeal__closed_at",
            )
            .order_by("number")
        )
        for record in records.iterator(chunk_size=2000):
            appeal = record.appeal
            assert appeal is not None  # an entry record registers an appeal
            yield [
                record.number,
                record.taken_on,
                timezone.localtime(record.at).strftime("%Y-%m-%d %H:%M"),
                str(channels.get(appeal.channel, appeal.channel)),
                str(categories.get(appeal.category, appeal.category)),
                _("anonymous") if appeal.anonymous else _("signed"),
                appeal.grade or "",
                str(statuses.get(appeal.status, appeal.status)),
                appeal.due() or "",
                timezone.localtime(appeal.closed_at).strftime("%Y-%m-%d") if appeal.closed_at else "",
            ]


def statistics_filename(school: School | District, label: str) -> str:
    return f"ishenim-{school.slug}-{label}"
