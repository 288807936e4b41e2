"""The analysis as labelled tables and a chart, the same for the page, the PDF and the DOCX.

A school's tables are exact; `mask` (the district's page and report) writes counts
from 1 to SMALL_COUNT-1 as "fewer than 5" and leaves out shares and ratios of such
small groups, which would give their size away.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from django.utils.text import capfirst
from django.utils.translation import gettext as _

from appeals.models import Appeal, Involvement, Measure
from reports import charts
from reports.analysis import Analysis, Cell
from reports.presentation import masked
from reports.selectors import share, small_count


def _ratio(value: float | None) -> str:
    if value is None:
        return "—"
    return "∞" if math.isinf(value) else f"{value:.2f}"


@dataclass
class HotspotRow:
    label: str
    now: str
    previous: str
    year_before: str
    ratio: str
    interval: str
    p: str
    rising: bool
    school: object = None


def _label(choices, value: str) -> str:
    return str(dict(choices.choices).get(value, value))


def cell_label(cell: Cell) -> str:
    parts = [capfirst(_label(Appeal.Category, cell.category))]
    if cell.place:
        parts.append(_label(Appeal.Place, cell.place))
    if cell.band:
        parts.append(_label(Appeal.GradeBand, cell.band))
    if cell.who:
        parts.append(_label(Involvement.Who, cell.who))
    return " — ".join(parts)


def hotspot_row(cell: Cell, *, mask: bool, school=None) -> HotspotRow:
    test = cell.vs_previous
    small = mask and any(0 < n < small_count() for n in (cell.now, cell.previous))
    count = masked if mask else str
    return HotspotRow(
        label=cell_label(cell),
        now=count(cell.now),
        previous=count(cell.previous),
        year_before=count(cell.year_before),
        ratio="" if small else _ratio(test.ratio),
        interval="" if small or test.low is None else f"{_ratio(test.low)}–{_ratio(test.high)}",
        p="" if small else f"{test.p_rise:.3f}",
        rising=test.rise,
        school=school,
    )


def hotspots(analysis: Analysis, *, mask: bool = False) -> list[HotspotRow]:
    """Each category, then its biggest place, band and people, then every other cell that rises beyond chance."""
    cells: list[Cell] = []
    for category in analysis.categories:
        if not (category.now or category.previous):
            continue
        cells.append(category)
        for table in (analysis.places, analysis.bands, analysis.who, analysis.combos):
            group = table.get(category.category, [])
            cells += [c for c in group[:1] if c.now] + [c for c in group[1:] if c.rising]
    return [hotspot_row(c, mask=mask) for c in cells]


@dataclass
class CrossTable:
    title: str
    columns: list[str]
    rows: list[tuple[str, list[str]]]


def cross_table(analysis: Analysis, attribute: str, *, mask: bool = False) -> CrossTable | None:
    """This quarter's appeals by category (rows) and place, band or who (columns)."""
    table, choices, title = {
        "place": (analysis.places, Appeal.Place, _("Where it happened, by category")),
        "band": (analysis.bands, Appeal.GradeBand, _("Grade bands, by category")),
        "who": (analysis.who, Involvement.Who, _("Who is involved, by category")),
    }[attribute]
    values = [v for v in choices.values if any(getattr(c, attribute) == v and c.now for g in table.values() for c in g)]
    if not values:
        return None
    count = masked if mask else str
    rows = []
    for category in analysis.categories:
        found = {getattr(c, attribute): c.now for c in table.get(category.category, [])}
        if any(found.get(v) for v in values):
            rows.append(
                (capfirst(_label(Appeal.Category, category.category)), [count(found.get(v, 0)) for v in values])
            )
    return CrossTable(str(title), [_label(choices, v) for v in values], rows)


@dataclass
class MeasureLine:
    label: str
    cases: str
    on_time: str
    solved: str
    came_back: str


def _share(part: int, whole: int, *, mask: bool) -> str:
    if not whole or (mask and whole < small_count()):
        return "—"
    return f"{share(part, whole)}% ({part} / {whole})" if not mask else f"{share(part, whole)}%"


def measure_lines(analysis: Analysis, *, mask: bool = False) -> list[MeasureLine]:
    count = masked if mask else str
    return [
        MeasureLine(
            label=capfirst(_label(Measure.Kind, row.kind)),
            cases=count(row.cases),
            on_time=_share(row.on_time, row.closed, mask=mask),
            solved=_share(row.solved, row.answered, mask=mask),
            came_back=_share(row.came_back, row.observed, mask=mask),
        )
        for row in analysis.measures
    ]


def places_chart(analysis: Analysis, *, mask: bool = False) -> str:
    """This quarter's appeals by place (a data: URI), '' when no place was recorded."""
    totals = {v: 0 for v in Appeal.Place.values}
    for cells in analysis.places.values():
        for cell in cells:
            totals[cell.place] += cell.now
    if not any(totals.values()):
        return ""
    labels = [_label(Appeal.Place, v) for v in totals]
    draw = charts.suppressed_bars if mask else charts.bars
    svg = draw(str(_("Where it happened")), labels, list(totals.values()))
    return charts.data_uri(svg) if svg else ""


def analysis_tables(analysis: Analysis, *, mask: bool = False, with_charts: bool = True) -> dict:
    """Everything the analysis section of a page or document shows."""
    return {
        "hotspots": hotspots(analysis, mask=mask),
        "cross_tables": [t for t in (cross_table(analysis, a, mask=mask) for a in ("place", "band", "who")) if t],
        "measure_lines": measure_lines(analysis, mask=mask),
        "actions": analysis.actions,
        "places_chart": places_chart(analysis, mask=mask) if with_charts else "",
    }


def report_analysis_context(report, *, with_charts: bool = True) -> dict:
    """The analysis of a quarterly report: its tables, the generated draft, and the text to print.

    Figures are as of the meeting that discussed the report, or today while it is a draft.
    The text is the responsible person's once written; until then (and never for a final
    report) the draft generated from the figures.
    """
    from django.utils import timezone

    from reports.analysis import school_analysis
    from reports.analysis_text import draft
    from reports.services import report_period

    analysis = school_analysis(report.school, report_period(report), today=report.discussed_on or timezone.localdate())
    generated = draft(analysis)
    return {
        **analysis_tables(analysis, with_charts=with_charts),
        "show_actions": True,
        "generated_analysis": generated,
        "analysis_text": report.analysis or ("" if report.locked else generated),
    }
