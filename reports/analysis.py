"""Analysis that finds causes (R20): where, who, what worked, and whether last quarter's measures were done.

Everything here reads the clear facts staff record on a case (category, place,
grade band, who is involved, the kinds of measure, the writer's "solved?") and
never its content. Each table is one grouped query over the quarters it compares,
labelled by a CASE on the day received:

- hotspots: category × place × grade band (and category × who) this quarter, the
  previous one and the same quarter a year before; a rise is flagged only when it
  is beyond chance (`reports.analysis_stats.rate_ratio`, its 95 % interval shown);
- what worked: for each kind of measure, the cases, how many closed on time, how
  many writers said "solved", and how many came back: an appeal of the same
  category and place (or one sharing a subject tag) in either of the two quarters
  after the case's own;
- measures followed up: the school's actions decided since the previous quarter,
  done or not, on time or not, and the problem's count in the quarter of the
  decision and the one after.

A school's figures stay exact (they do not leave the school); the district's are
masked below SMALL_COUNT where they are shown (`reports.presentation.masked`).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When
from django.utils import timezone

from appeals.models import Appeal, Involvement, Measure
from reports.analysis_stats import RateRatio, false_discoveries, rate_ratio
from reports.models import Action, QuarterFacts, SubjectTag
from reports.periods import Period, quarter_in
from reports.selectors import overdue_q, school_appeals
from schools.models import District, School

NOW, PREVIOUS, YEAR_BEFORE = 0, -1, -4
HOTSPOT_QUARTERS = (NOW, PREVIOUS, YEAR_BEFORE)
MEASURE_QUARTERS = (-3, -2, -1, NOW)  # the cases whose measures are counted
OBSERVED = (-3, -2)  # their two following quarters are over: "came back" is known
ALL = ""  # a margin: any place, any band


# --- quarters as buckets of one query ------------------------------------------


def _quarters(period: Period, offsets) -> dict[int, Period]:
    return {offset: period.shifted(offset) for offset in offsets}


def _bucket(quarters: dict[int, Period], prefix: str = "") -> Case:
    """Which of the quarters an appeal was received in (NULL: none)."""
    name = f"{prefix}received_at"
    return Case(
        *[
            When(**{f"{name}__gte": q.start_at, f"{name}__lt": q.end_at}, then=Value(offset))
            for offset, q in quarters.items()
        ],
        default=None,
        output_field=IntegerField(),
    )


def _within(quarters: dict[int, Period], prefix: str = "") -> Q:
    """Received in one of the quarters: contiguous quarters become one range."""
    name = f"{prefix}received_at"
    spans: list[list[dt.datetime]] = []
    for q in sorted(quarters.values(), key=lambda q: q.start):
        if spans and spans[-1][1] == q.start_at:
            spans[-1][1] = q.end_at
        else:
            spans.append([q.start_at, q.end_at])
    condition = Q(pk__in=[])
    for start, end in spans:
        condition |= Q(**{f"{name}__gte": start, f"{name}__lt": end})
    return condition


# --- the compared counts of one cell ---------------------------------------------


@dataclass(frozen=True)
class Cell:
    """A cell of a cross-table (a category, maybe with a place, band or who) in the compared quarters."""

    category: str
    place: str = ALL
    band: str = ALL
    who: str = ALL
    school_id: int | None = None
    now: int = 0
    previous: int = 0
    year_before: int = 0

    @property
    def vs_previous(self) -> RateRatio:
        return rate_ratio(self.now, self.previous)

    @property
    def rising(self) -> bool:
        return self.vs_previous.rise


def _cells(counts: dict[tuple[str, str, str, str, int | None], Counter]) -> dict[tuple, Cell]:
    """Counts per key per quarter offset → cells (key: category, place, band, who, school_id)."""
    return {key: Cell(*key, now=c[NOW], previous=c[PREVIOUS], year_before=c[YEAR_BEFORE]) for key, c in counts.items()}


# --- the school's analysis ------------------------------------------------------


@dataclass
class MeasureRow:
    """What one kind of measure did: counts of cases (each case once per kind)."""

    kind: str
    cases: int = 0
    closed: int = 0
    on_time: int = 0
    answered: int = 0
    solved: int = 0
    observed: int = 0
    came_back: int = 0


@dataclass
class ActionRow:
    """An action decided by the school, followed up."""

    action: Action
    on_time: bool | None  # None while not done and not yet due
    before: int | None  # the problem's appeals in the quarter of the decision
    after: int | None  # … in the quarter after (None until it is over)

    @property
    def fell(self) -> bool | None:
        return None if self.before is None or self.after is None else self.after < self.before


@dataclass
class Analysis:
    """The analysis of one quarter, for a school or a district."""

    period: Period
    categories: list[Cell]  # one per category with appeals in the compared quarters
    places: dict[str, list[Cell]]  # category → its cells by place (this quarter's order)
    bands: dict[str, list[Cell]]
    who: dict[str, list[Cell]]
    combos: dict[str, list[Cell]]  # category → cells by place and band together
    feedback: dict[str, tuple[int, int]]  # category → (said solved, answered), this quarter
    measures: list[MeasureRow]
    actions: list[ActionRow] = field(default_factory=list)
    schools: list[Cell] = field(default_factory=list)  # the district: (school, category) cells

    @property
    def total(self) -> int:
        return sum(cell.now for cell in self.categories)

    @property
    def year_known(self) -> bool:
        """Appeals were recorded in the same quarter a year before (else it was before the box began)."""
        return any(cell.year_before for cell in self.categories)

    def rising(self) -> list[Cell]:
        """Cells whose rise is beyond chance: categories, then their places, bands and people."""
        found = [c for c in self.categories if c.rising]
        for table in (self.places, self.bands, self.who, self.combos):
            found += [c for cells in table.values() for c in cells if c.rising]
        return found


def _cross(appeals: QuerySet[Appeal], period: Period) -> dict[tuple, Counter]:
    """category × place × band × quarter: one grouped query."""
    quarters = _quarters(period, HOTSPOT_QUARTERS)
    rows = (
        appeals.filter(_within(quarters))
        .annotate(quarter=_bucket(quarters))
        .values("category", "place", "grade_band", "quarter")
        .annotate(n=Count("pk"))
        .order_by()
    )
    counts: dict[tuple, Counter] = defaultdict(Counter)
    for row in rows:
        counts[(row["category"], row["place"], row["grade_band"], ALL, None)][row["quarter"]] += row["n"]
    return counts


def _involved(appeals: QuerySet[Appeal], period: Period) -> dict[tuple, Counter]:
    """category × who × quarter: one grouped query (an appeal counts once for each role involved)."""
    quarters = _quarters(period, HOTSPOT_QUARTERS)
    rows = (
        Involvement.objects.filter(appeal__in=appeals.filter(_within(quarters)).values("pk"))
        .annotate(quarter=_bucket(quarters, "appeal__"))
        .values("appeal__category", "who", "quarter")
        .annotate(n=Count("pk"))
        .order_by()
    )
    counts: dict[tuple, Counter] = defaultdict(Counter)
    for row in rows:
        counts[(row["appeal__category"], ALL, ALL, row["who"], None)][row["quarter"]] += row["n"]
    return counts


def _margin(counts: dict[tuple, Counter], keep) -> dict[tuple, Counter]:
    """Sum the counts over the parts of the key `keep` blanks out."""
    result: dict[tuple, Counter] = defaultdict(Counter)
    for key, counter in counts.items():
        result[keep(key)].update(counter)
    return result


def _by_category(cells: dict[tuple, Cell], *, skip_blank: int | None = None) -> dict[str, list[Cell]]:
    """Cells grouped by category, the biggest this quarter first; blank places/bands left out."""
    grouped: dict[str, list[Cell]] = defaultdict(list)
    for key, cell in cells.items():
        if skip_blank is not None and not key[skip_blank]:
            continue
        grouped[cell.category].append(cell)
    for cells_ in grouped.values():
        cells_.sort(key=lambda c: (-c.now, -c.previous, c.place, c.band, c.who))
    return dict(grouped)


def _feedback(appeals: QuerySet[Appeal], period: Period) -> dict[str, tuple[int, int]]:
    """Per category, this quarter: writers who said "solved", of those who answered."""
    rows = (
        appeals.filter(_within({NOW: period}), followup__solved__gt="")
        .values("category")
        .annotate(answered=Count("pk"), solved=Count("pk", filter=Q(followup__solved="yes")))
        .order_by()
    )
    return {row["category"]: (row["solved"], row["answered"]) for row in rows}


MEASURE_COUNTS = ("cases", "closed", "on_time", "answered", "solved")
MEASURE_FIELDS = ("kind", *MEASURE_COUNTS, "observed", "came_back")


def _measure_counts(today: dt.date) -> dict:
    closed = Q(closed_at__isnull=False)
    return {
        "cases": Count("pk", distinct=True),
        "closed": Count("pk", distinct=True, filter=closed),
        "on_time": Count("pk", distinct=True, filter=closed & ~overdue_q(today)),
        "answered": Count("pk", distinct=True, filter=Q(followup__solved__gt="")),
        "solved": Count("pk", distinct=True, filter=Q(followup__solved="yes")),
    }


def _measures(
    appeals: QuerySet[Appeal], period: Period, *, today: dt.date, offsets=MEASURE_QUARTERS
) -> list[MeasureRow]:
    """What each kind of measure did, over the school's cases of the last four quarters.

    Grouped by (kind, category, place, quarter); a case came back when the school had
    an appeal of the same category and place (place recorded) in one of the two
    quarters after its own, or when one of its subject tags was put on such an appeal.
    Tagged cases are few (tags are put by hand), so they are read one by one.
    """
    quarters = _quarters(period, offsets)
    window = appeals.filter(_within(quarters))
    keys = ("measure_kinds__kind", "school_id", "category", "place", "quarter")
    measured = window.filter(measure_kinds__isnull=False).annotate(quarter=_bucket(quarters))
    tagged: dict[int, set[int]] = defaultdict(set)
    for appeal_id, subject_id in SubjectTag.objects.filter(appeal__in=window.values("pk")).values_list(
        "appeal_id", "subject_id"
    ):
        tagged[appeal_id].add(subject_id)
    later = _quarters(period, (-2, -1, NOW))
    subject_quarters = {
        (row["subject_id"], row["quarter"])
        for row in SubjectTag.objects.filter(subject_id__in={s for ids in tagged.values() for s in ids})
        .filter(_within(later, "appeal__"))
        .annotate(quarter=_bucket(later, "appeal__"))
        .values("subject_id", "quarter")
        .distinct()
    }
    counts = _measure_counts(today)
    rows = list(measured.exclude(pk__in=list(tagged)).values(*keys).annotate(**counts).order_by())
    rows += list(measured.filter(pk__in=list(tagged)).values("pk", *keys).annotate(**counts).order_by())
    seen = {
        (row["school_id"], row["category"], row["place"], row["quarter"])
        for row in appeals.filter(_within(later))
        .exclude(place="")
        .annotate(quarter=_bucket(later))
        .values("school_id", "category", "place", "quarter")
        .distinct()
        .order_by()
    }
    return _outcomes(rows, seen, tagged, subject_quarters)


def _outcomes(rows, seen, tagged, subject_quarters) -> list[MeasureRow]:
    """Sum grouped measure rows by kind; `seen`: (school, category, place, quarter) with appeals."""
    result = {kind: MeasureRow(kind) for kind in Measure.Kind.values}
    for row in rows:
        target = result[row["measure_kinds__kind"]]
        for name in MEASURE_COUNTS:
            setattr(target, name, getattr(target, name) + row[name])
        quarter = row["quarter"]
        if quarter not in OBSERVED:
            continue
        target.observed += row["cases"]
        following = (quarter + 1, quarter + 2)
        back = row["place"] and any((row["school_id"], row["category"], row["place"], q) in seen for q in following)
        back = back or any((s, q) in subject_quarters for s in tagged.get(row.get("pk"), ()) for q in following)
        target.came_back += row["cases"] if back else 0
    return sorted((r for r in result.values() if r.cases), key=lambda r: (-r.cases, r.kind))


def _actions(school: School, period: Period, cells: dict[tuple, Counter], *, until: dt.date) -> list[ActionRow]:
    """The school's actions decided from the previous quarter on (or still open), followed up."""
    since = period.shifted(PREVIOUS).start
    actions = Action.objects.filter(school=school, decided_on__lte=until).filter(
        Q(decided_on__gte=since) | Q(done_on__isnull=True) | Q(done_on__gte=period.start)
    )
    rows = []
    for action in actions.select_related("report").order_by("decided_on", "pk"):
        on_time: bool | None
        if action.done_on is not None:
            on_time = action.done_on <= action.due_on
        else:
            on_time = False if action.due_on < until else None
        before = after = None
        # The problem before the measure: the quarter of the report that decided it, else of the decision.
        decided = _offset_of(period, action.report.period_start if action.report else action.decided_on)
        if action.category and decided is not None:

            def count(offset: int, action=action) -> int | None:
                if offset not in HOTSPOT_QUARTERS:
                    return None
                return sum(
                    c[offset]
                    for key, c in cells.items()
                    if key[0] == action.category and (not action.place or key[1] == action.place)
                )

            before, after = count(decided), count(decided + 1)
        rows.append(ActionRow(action, on_time, before, after))
    return rows


def _offset_of(period: Period, day: dt.date) -> int | None:
    """How many quarters before the report's quarter `day` falls (0: in it); None when after it."""
    for offset in range(0, -9, -1):
        if period.shifted(offset).start <= day:
            return offset if day < period.shifted(offset).end else None
    return None


def school_analysis(school: School, period: Period, *, today: dt.date | None = None) -> Analysis:
    """The analysis of one school's quarter: exact figures (they stay in the school)."""
    today = today or timezone.localdate()
    appeals = school_appeals(school)
    cross = _cross(appeals, period)
    involved = _involved(appeals, period)
    return _assemble(
        period,
        cross,
        involved,
        feedback=_feedback(appeals, period),
        measures=_measures(appeals, period, today=today),
        actions=_actions(school, period, cross, until=min(today, period.shifted(1).end)),
    )


def _assemble(period, cross, involved, *, feedback, measures, actions=(), schools=(), bands=None) -> Analysis:
    """The analysis from its counts: `cross` keyed (category, place, band, who, school); `bands`, when
    given, holds the category × band counts that `cross` then leaves blank (a district's facts)."""
    categories = _cells(_margin(cross, lambda k: (k[0], ALL, ALL, ALL, None)))
    places = _cells(_margin(cross, lambda k: (k[0], k[1], ALL, ALL, None)))
    by_band = _cells(bands if bands is not None else _margin(cross, lambda k: (k[0], ALL, k[2], ALL, None)))
    combos = {} if bands is not None else _cells(_margin(cross, lambda k: (k[0], k[1], k[2], ALL, None)))
    # The strongest rise first (the smallest chance of it), then the biggest.
    ordered = sorted(categories.values(), key=lambda c: (c.vs_previous.p_rise, -c.now, c.category))
    return Analysis(
        period=period,
        categories=ordered,
        places=_by_category(places, skip_blank=1),
        bands=_by_category(by_band, skip_blank=2),
        who=_by_category(_cells(involved)),
        combos={cat: [c for c in cells if c.place and c.band] for cat, cells in _by_category(combos).items()},
        feedback=feedback,
        measures=measures,
        actions=list(actions),
        schools=list(schools),
    )


# --- a district: from each school's quarter facts --------------------------------

FACTS_MAX_AGE = dt.timedelta(days=1)
FACTS_VERSION = 2  # bump when `quarter_facts` changes shape: older rows are recomputed
FACTS_QUARTERS = tuple(sorted({*HOTSPOT_QUARTERS, *OBSERVED, -1, NOW}))  # what a district's analysis reads


def quarter_facts(school: School, period: Period, *, today: dt.date) -> dict:
    """One school's counts in one quarter, as plain lists (the rows of `QuarterFacts.counts`).

    Small on purpose (a district reads thousands): appeals by category and place, by category
    and band, by category and who; the writers' answers; and what each kind of measure did on
    this quarter's cases, "came back" looked up in the school's two quarters after.
    """
    appeals = Appeal.objects.filter(school=school, received_at__gte=period.start_at, received_at__lt=period.end_at)
    measures = _measures(Appeal.objects.filter(school=school), period.shifted(2), today=today, offsets=(-2,))
    return {
        "version": FACTS_VERSION,
        "places": [list(r) for r in appeals.values_list("category", "place").annotate(Count("pk")).order_by()],
        "bands": [list(r) for r in appeals.values_list("category", "grade_band").annotate(Count("pk")).order_by()],
        "who": [
            list(r)
            for r in Involvement.objects.filter(appeal__in=appeals.values("pk"))
            .values_list("appeal__category", "who")
            .annotate(Count("pk"))
            .order_by()
        ],
        "feedback": [
            [r["category"], r["solved"], r["answered"]]
            for r in appeals.filter(followup__solved__gt="")
            .values("category")
            .annotate(answered=Count("pk"), solved=Count("pk", filter=Q(followup__solved="yes")))
            .order_by()
        ],
        "measures": [[getattr(row, name) for name in MEASURE_FIELDS] for row in measures],
    }


def quarter_facts_refresh(schools, periods, *, today: dt.date | None = None, max_age=FACTS_MAX_AGE) -> int:
    """Recompute the facts of each (school, quarter) that are missing, of an older shape or older than
    `max_age` (the running quarter's too: a district reads the day's figures); returns how many."""
    today = today or timezone.localdate()
    now = timezone.now()
    schools = list(schools)
    kept = {
        (school_id, start): (computed_at, version)
        for school_id, start, computed_at, version in QuarterFacts.objects.filter(
            school__in=schools, period_start__in=[p.start for p in periods]
        ).values_list("school_id", "period_start", "computed_at", "counts__version")
    }
    fresh = []
    for period in periods:
        for school in schools:
            computed_at, version = kept.get((school.pk, period.start), (None, None))
            if version == FACTS_VERSION and computed_at is not None and now - computed_at < max_age:
                continue
            counts = quarter_facts(school, period, today=today)
            fresh.append(QuarterFacts(school=school, period_start=period.start, counts=counts, computed_at=now))
    if fresh:
        QuarterFacts.objects.bulk_create(
            fresh,
            update_conflicts=True,
            unique_fields=["school", "period_start"],
            update_fields=["counts", "computed_at"],
        )
    return len(fresh)


def _facts(district: District, quarters: dict[int, Period], parts: tuple[str, ...]):
    """(school id, quarter offset, the parts asked for) of the district's facts: only those parts are read."""
    offsets = {q.start: offset for offset, q in quarters.items()}
    rows = QuarterFacts.objects.filter(school__district=district, period_start__in=list(offsets)).values_list(
        "school_id", "period_start", *(f"counts__{part}" for part in parts)
    )
    for school_id, start, *values in rows:
        yield school_id, offsets[start], dict(zip(parts, values, strict=True))


def district_facts_refresh(district: District, today: dt.date) -> int:
    """The night's work (`ishenim tick`): the quarter facts the district's page reads for the running
    quarter and the last complete one, recomputed where older than half a day, so no officer waits
    for them. Returns how many."""
    running = quarter_in(School.QuarterMode.CALENDAR, today)
    quarters = list(_quarters(running, range(min(FACTS_QUARTERS) - 1, 1)).values())
    return quarter_facts_refresh(district.schools.all(), quarters, today=today, max_age=dt.timedelta(hours=12))


def rising_beyond_chance(cells: list[Cell], q: float = 0.05) -> list[Cell]:
    """The cells whose rise against the previous quarter holds among many: Benjamini–Hochberg over all of them.

    A cell whose count did not go up far (z ≤ 1) has a p-value far above any threshold,
    so it counts among the tests without being computed: a district has tens of thousands.
    """

    def p_value(cell: Cell) -> float:
        gap = cell.now - cell.previous
        return cell.vs_previous.p_rise if gap > 0 and gap * gap > cell.now + cell.previous else 1.0

    flags = false_discoveries([p_value(c) for c in cells], q)
    return [cell for cell, flagged in zip(cells, flags, strict=True) if flagged]


def district_analysis(
    district: District, period: Period, *, today: dt.date | None = None, max_age=FACTS_MAX_AGE
) -> Analysis:
    """The same analysis over a district's schools, read from their quarter facts.

    `schools` ranks the (school, category) and (school, category, place) cells that rise
    beyond chance among all of them (false discovery rate 5 %). What worked counts the
    cases of the two quarters whose following quarters are over.
    """
    today = today or timezone.localdate()
    quarters = _quarters(period, FACTS_QUARTERS)
    quarter_facts_refresh(district.schools.all(), list(quarters.values()), today=today, max_age=max_age)
    slot = {offset: n for n, offset in enumerate(HOTSPOT_QUARTERS)}
    # [this quarter, the previous one, a year before] per key: plain lists, thousands of schools' cells.
    places: dict[tuple, list[int]] = {}
    bands: dict[tuple, list[int]] = {}
    involved: dict[tuple, list[int]] = {}
    feedback: Counter = Counter()
    answered: Counter = Counter()
    measures = {kind: MeasureRow(kind) for kind in Measure.Kind.values}

    def add(table: dict, key: tuple, at: int, n: int) -> None:
        counts = table.get(key)
        if counts is None:
            counts = table[key] = [0, 0, 0]
        counts[at] += n

    hotspots = _facts(district, _quarters(period, HOTSPOT_QUARTERS), ("places", "bands", "who", "feedback"))
    for school_id, offset, counts in hotspots:
        at = slot[offset]
        for category, place, n in counts["places"]:
            add(places, (category, place, school_id), at, n)
        for category, band, n in counts["bands"]:
            add(bands, (category, band), at, n)
        for category, who, n in counts["who"]:
            add(involved, (category, who), at, n)
        if offset == NOW:
            for category, solved, asked in counts["feedback"]:
                feedback[category] += solved
                answered[category] += asked
    for _school_id, _offset, counts in _facts(district, _quarters(period, OBSERVED), ("measures",)):
        for kind, *values in counts["measures"]:
            row = measures[kind]
            for name, value in zip(MEASURE_FIELDS[1:], values, strict=True):
                setattr(row, name, getattr(row, name) + value)
    school_categories: dict[tuple, list[int]] = {}
    district_places: dict[tuple, list[int]] = {}
    for (category, place, school_id), counts in places.items():
        for table, key in (((school_categories, (category, school_id))), (district_places, (category, place))):
            total = table.setdefault(key, [0, 0, 0])
            for at in range(3):
                total[at] += counts[at]

    def cell(counts, **key) -> Cell:
        return Cell(**key, now=counts[0], previous=counts[1], year_before=counts[2])

    per_school = [cell(c, category=k[0], place=k[1], school_id=k[2]) for k, c in places.items()]
    per_school += [cell(c, category=k[0], school_id=k[1]) for k, c in school_categories.items()]
    rising = sorted(
        rising_beyond_chance(per_school),
        key=lambda c: (c.vs_previous.p_rise, -c.now, c.school_id, c.category, c.place),
    )
    as_counters = {NOW: 0, PREVIOUS: 1, YEAR_BEFORE: 2}

    def counters(table: dict, make_key) -> dict[tuple, Counter]:
        return {make_key(k): Counter({o: c[at] for o, at in as_counters.items()}) for k, c in table.items()}

    return _assemble(
        period,
        counters(district_places, lambda k: (k[0], k[1], ALL, ALL, None)),
        counters(involved, lambda k: (k[0], ALL, ALL, k[1], None)),
        bands=counters(bands, lambda k: (k[0], ALL, k[1], ALL, None)),
        feedback={category: (feedback[category], answered[category]) for category in answered},
        measures=sorted((r for r in measures.values() if r.cases), key=lambda r: (-r.cases, r.kind)),
        schools=rising,
    )
