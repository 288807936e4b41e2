"""The first draft of the analysis, written from the figures: one sentence per structured fact.

Each fact holds exactly the figures its sentence prints, taken from the tables of
`reports.analysis`; the sentences are fixed templates through gettext, so the
draft reads the same in each language and a test can check every figure against
the tables. The responsible person edits the draft before the commission meets.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils.text import capfirst
from django.utils.translation import get_language, ngettext, pgettext
from django.utils.translation import gettext as _

from appeals.models import Appeal, Involvement, Measure
from ishenim.documents import MONTHS
from reports.analysis import ActionRow, Analysis, Cell, MeasureRow

MAX_CATEGORIES = 4  # rising categories, then the biggest, up to this many
MAX_MEASURES = 3


def on_day(day: dt.date, language: str | None = None) -> str:
    """A day inside a sentence, as "on" that day: «2026-жылдын 3-октябрында», «3 октября 2026 г.»."""
    language = (language or get_language() or "ky")[:2]
    month = MONTHS.get(language, MONTHS["en"])[day.month - 1]
    if language == "ky":
        ending = "нде" if month[-1] in "иеөү" else "нда"
        return f"{day.year}-жылдын {day.day}-{month}{ending}"
    if language == "ru":
        return f"{day.day} {month} {day.year} г."
    if language == "uz":
        return f"{day.year}-yil {day.day}-{month}da"
    return f"{day.day} {month} {day.year}"


def _appeals(n: int) -> str:
    return ngettext("%(n)s appeal", "%(n)s appeals", n) % {"n": n}


def _label(choices, value: str) -> str:
    return str(dict(choices.choices).get(value, value))


def _name(choices, value: str) -> str:
    """A label that starts a sentence."""
    return capfirst(_label(choices, value))


@dataclass(frozen=True)
class Part:
    """ "label: 8 of 12" — the biggest group of a category by place, band or who is involved."""

    what: str  # "place", "band" or "who"
    value: str
    count: int
    of: int


@dataclass(frozen=True)
class CategoryFact:
    category: str
    now: int
    previous: int
    year_before: int | None  # None: no appeal at all was recorded then
    rise: bool  # beyond chance
    fall: bool  # beyond chance
    parts: tuple[Part, ...]
    solved: int
    answered: int

    def sentence(self) -> str:
        label = _name(Appeal.Category, self.category)
        if self.rise:
            change = _("a rise unlikely to be chance")
        elif self.fall:
            change = _("a fall unlikely to be chance")
        elif self.now > self.previous:
            change = _("the rise may be chance")
        else:
            change = ""
        if self.year_before is None:
            before = _("%(previous)s last quarter") % {"previous": self.previous}
        else:
            before = _("%(previous)s last quarter, %(year_before)s a year before") % {
                "previous": self.previous,
                "year_before": self.year_before,
            }
        text = _("%(category)s: %(appeals)s (%(before)s)") % {
            "category": label,
            "appeals": _appeals(self.now),
            "before": f"{before}; {change}" if change else before,
        }
        heads = {"place": pgettext("analysis", "where"), "who": pgettext("analysis", "involved")}
        labels = {"place": Appeal.Place, "band": Appeal.GradeBand, "who": Involvement.Who}
        for part in self.parts:
            values = {"label": _label(labels[part.what], part.value), "count": part.count, "of": part.of}
            if part.what == "band":  # the band's name says "grades" already
                text += "; " + _("%(label)s: %(count)s of %(of)s") % values
            else:
                text += "; " + _("%(head)s: %(label)s, %(count)s of %(of)s") % {"head": heads[part.what], **values}
        if self.answered:
            text += "; " + _("writers who said “solved”: %(solved)s of %(answered)s") % {
                "solved": self.solved,
                "answered": self.answered,
            }
        return text + "."


@dataclass(frozen=True)
class ActionFact:
    title: str
    decided_on: dt.date
    due_on: dt.date
    done_on: dt.date | None
    on_time: bool | None
    category: str
    place: str
    before: int | None
    after: int | None

    def sentence(self) -> str:
        values = {"title": self.title, "decided": on_day(self.decided_on), "due": on_day(self.due_on)}
        if self.done_on is not None:
            values["done"] = on_day(self.done_on)
            if self.on_time:
                text = _("The measure «%(title)s» decided on %(decided)s was carried out on %(done)s, on time.")
            else:
                text = _(
                    "The measure «%(title)s» decided on %(decided)s was carried out on %(done)s, "
                    "after its due date (%(due)s)."
                )
        elif self.on_time is False:
            text = _("The measure «%(title)s» decided on %(decided)s was due on %(due)s and is not carried out yet.")
        else:
            text = _("The measure «%(title)s» decided on %(decided)s is due on %(due)s.")
        text = text % values
        if self.before is not None and self.after is not None:
            problem = _name(Appeal.Category, self.category)
            if self.place:
                problem = _("%(category)s, %(place)s") % {
                    "category": problem,
                    "place": _label(Appeal.Place, self.place),
                }
            text += " " + _(
                "%(problem)s: %(before)s in the quarter before the measure, %(after)s in the quarter after."
            ) % {"problem": problem, "before": _appeals(self.before), "after": _appeals(self.after)}
        return text


@dataclass(frozen=True)
class MeasureFact:
    kind: str
    cases: int
    on_time: int
    closed: int
    solved: int
    answered: int
    came_back: int
    observed: int

    def sentence(self) -> str:
        parts = [
            _("%(measure)s: %(cases)s")
            % {
                "measure": _name(Measure.Kind, self.kind),
                "cases": ngettext("%(n)s case", "%(n)s cases", self.cases) % {"n": self.cases},
            }
        ]
        if self.closed:
            parts.append(_("closed on time: %(count)s of %(of)s") % {"count": self.on_time, "of": self.closed})
        if self.answered:
            parts.append(
                _("writers who said “solved”: %(solved)s of %(answered)s")
                % {"solved": self.solved, "answered": self.answered}
            )
        if self.observed:
            parts.append(
                _("the problem came back within two quarters: %(count)s of %(of)s")
                % {"count": self.came_back, "of": self.observed}
            )
        return "; ".join(parts) + "."


@dataclass(frozen=True)
class TotalFact:
    now: int
    previous: int
    year_before: int | None
    rising: int  # how many categories rise beyond chance

    def sentence(self) -> str:
        values = {"appeals": _appeals(self.now), "previous": self.previous, "year_before": self.year_before}
        if self.year_before is None:
            text = _("This quarter: %(appeals)s (%(previous)s last quarter).") % values
        else:
            text = _("This quarter: %(appeals)s (%(previous)s last quarter, %(year_before)s a year before).") % values
        if not self.rising and self.now:
            text += " " + _("No category rose beyond chance.")
        return text


def _top(cells: list[Cell], attribute: str, of: int, what: str) -> Part | None:
    """The biggest group this quarter, when it holds at least two appeals."""
    best = max(cells, key=lambda c: (c.now, c.rising), default=None)
    if best is None or best.now < 2:
        return None
    return Part(what, getattr(best, attribute), best.now, of)


def category_fact(analysis: Analysis, cell: Cell) -> CategoryFact:
    code = cell.category
    parts = [
        _top(analysis.places.get(code, []), "place", cell.now, "place"),
        _top(analysis.bands.get(code, []), "band", cell.now, "band"),
        _top(analysis.who.get(code, []), "who", cell.now, "who"),
    ]
    solved, answered = analysis.feedback.get(code, (0, 0))
    test = cell.vs_previous
    return CategoryFact(
        category=code,
        now=cell.now,
        previous=cell.previous,
        year_before=cell.year_before if analysis.year_known else None,
        rise=test.rise,
        fall=test.fall,
        parts=tuple(p for p in parts if p),
        solved=solved,
        answered=answered,
    )


def action_fact(row: ActionRow) -> ActionFact:
    a = row.action
    return ActionFact(
        a.title, a.decided_on, a.due_on, a.done_on, row.on_time, a.category, a.place, row.before, row.after
    )


def measure_fact(row: MeasureRow) -> MeasureFact:
    return MeasureFact(
        row.kind, row.cases, row.on_time, row.closed, row.solved, row.answered, row.came_back, row.observed
    )


def facts(analysis: Analysis) -> list:
    """The facts of the draft, in the order it tells them."""
    shown = [c for c in analysis.categories if c.now][:MAX_CATEGORIES]
    shown += [c for c in analysis.categories if c.rising and c not in shown]
    total = TotalFact(
        now=analysis.total,
        previous=sum(c.previous for c in analysis.categories),
        year_before=sum(c.year_before for c in analysis.categories) if analysis.year_known else None,
        rising=sum(1 for c in analysis.categories if c.rising),
    )
    return [
        total,
        *(category_fact(analysis, cell) for cell in shown),
        *(action_fact(row) for row in analysis.actions),
        *(measure_fact(row) for row in analysis.measures[:MAX_MEASURES]),
    ]


def draft(analysis: Analysis) -> str:
    """The draft in the active language: the figures, then last quarter's measures, then what worked."""
    told = facts(analysis)
    paragraphs = [
        " ".join(f.sentence() for f in told if isinstance(f, TotalFact)),
        "\n".join(f.sentence() for f in told if isinstance(f, CategoryFact)),
        "\n".join(f.sentence() for f in told if isinstance(f, ActionFact)),
    ]
    measures = [f.sentence() for f in told if isinstance(f, MeasureFact)]
    if measures:
        paragraphs.append(_("What the measures did over the last four quarters:") + "\n" + "\n".join(measures))
    return "\n\n".join(p for p in paragraphs if p)
