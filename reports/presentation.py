"""Figures turned into labelled tables and charts, the same for pages, PDF, DOCX and exports.

Small counts (1 to SMALL_COUNT-1) are written "fewer than 5" wherever a group
could single a child out: the grade table always, and every count on district pages.
"""

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from appeals.models import Appeal
from reports import charts
from reports.selectors import GRADES, share, small_count, trend

if TYPE_CHECKING:
    from django.utils.functional import _StrPromise as StrPromise


def masked(count: int | None) -> str:
    """A count as text, with small groups suppressed."""
    if count is None:
        return "—"
    limit = small_count()
    return _("fewer than %(n)s") % {"n": limit} if 0 < count < limit else str(count)


@dataclass
class Row:
    label: str
    count: int | None
    share: int | None = None
    previous: int | None = None
    year_before: int | None = None
    masked: bool = False

    @property
    def shown(self) -> str:
        if self.count is None:
            return "—"
        return masked(self.count) if self.masked else str(self.count)

    @property
    def trend(self) -> int | None:
        if self.previous is None or self.count is None:
            return None
        return trend(self.count, self.previous or 0)


@dataclass
class Section:
    key: str
    title: str
    rows: list[Row] = field(default_factory=list)
    chart: str = ""  # SVG markup

    @property
    def chart_uri(self) -> str:
        return charts.data_uri(self.chart) if self.chart else ""


DIMENSIONS = [
    ("category", gettext_lazy("By category"), Appeal.Category),
    ("channel", gettext_lazy("By channel"), Appeal.Channel),
    ("author_kind", gettext_lazy("Who wrote"), Appeal.AuthorKind),
    ("status", gettext_lazy("Outcome"), Appeal.Status),
]


def _dimension(
    quarter: dict, key: str, title: "str | StrPromise", choices, *, mask_all: bool, with_chart: bool
) -> Section:
    current = quarter["current"]
    before = quarter.get("previous")
    year_before = quarter.get("year_before")
    rows = [
        Row(
            label=str(label),
            count=current[key][value],
            share=share(current[key][value], current["total"]),
            previous=before[key][value] if before else None,
            year_before=year_before[key][value] if year_before else None,
            masked=mask_all,
        )
        for value, label in choices.choices
    ]
    section = Section(key, str(title), rows)
    if with_chart and current["total"]:
        draw = charts.suppressed_bars if mask_all else charts.bars
        section.chart = draw(str(title), [r.label for r in rows], [r.count or 0 for r in rows])
    return section


def grade_section(quarter: dict, *, with_chart: bool) -> Section:
    current = quarter["current"]
    rows = [Row(_("grade %(n)s") % {"n": grade}, current["grade"][str(grade)], masked=True) for grade in GRADES]
    rows.append(Row(_("grade not given"), current["grade"]["none"], masked=True))
    section = Section("grade", _("By grade"), rows)
    if with_chart and current["total"]:
        section.chart = charts.suppressed_bars(section.title, [r.label for r in rows], [r.count or 0 for r in rows])
    return section


def sections(quarter: dict, *, mask_all: bool = False, with_charts: bool = True) -> list[Section]:
    """The tables (and charts) of a quarter's figures."""
    result = [
        _dimension(quarter, key, title, choices, mask_all=mask_all, with_chart=with_charts)
        for key, title, choices in DIMENSIONS
    ]
    result.insert(3, grade_section(quarter, with_chart=with_charts))
    return result


def headline(figures: dict, *, mask_all: bool = False) -> list[Row]:
    """The key numbers of one period: total, anonymous share, urgent, overdue share, timings, feedback."""
    total = figures["total"]
    rows = [
        Row(_("Appeals received"), total, masked=mask_all),
        Row(
            pgettext("report figure", "Anonymous"),
            figures["anonymous"],
            share(figures["anonymous"], total),
            masked=mask_all,
        ),
        Row(pgettext("report figure", "Urgent"), figures["urgent"], share(figures["urgent"], total), masked=mask_all),
        Row(_("Still open"), figures["open"], share(figures["open"], total), masked=mask_all),
        Row(
            _("Overdue (answered late or still open after the deadline)"),
            figures["overdue"],
            share(figures["overdue"], total),
            masked=mask_all,
        ),
    ]
    answers = figures["feedback"] or {}
    said = sum(answers.values())
    for value, label in (
        ("yes", _("Writers who said the problem was solved")),
        ("partly", _("Writers who said it was partly solved")),
        ("no", _("Writers who said it was not solved")),
    ):
        count = answers.get(value)
        rows.append(Row(label, count, share(count, said) if count is not None else None, masked=mask_all))
    if mask_all:  # a share of a small group would give its size away
        for row in rows:
            if row.count and row.count < small_count():
                row.share = None
    return rows


def timings(figures: dict) -> list[tuple[str, str]]:
    def days(value):
        return "—" if value is None else _("%(days)s days") % {"days": value}

    return [
        (_("Average time from receipt to registration"), days(figures["days_to_register"])),
        (_("Average time from registration to answer"), days(figures["days_to_answer"])),
    ]


def trend_chart(quarter: dict, labels: dict[str, str]) -> str:
    """Appeals by category in this quarter, the previous one and the same quarter a year before (a data: URI)."""
    return charts.data_uri(trend_svg(quarter, labels))


def trend_svg(quarter: dict, labels: dict[str, str]) -> str:
    codes = list(labels)
    series = [
        (labels_period, [quarter[key]["category"][c] for c in codes])
        for key, labels_period in (
            ("year_before", _("a year before")),
            ("previous", _("previous quarter")),
            ("current", _("this quarter")),
        )
    ]
    return charts.compare(_("Trend by category"), [labels[c] for c in codes], series)


def category_labels() -> dict[str, str]:
    return {value: str(label) for value, label in Appeal.Category.choices}
