"""The figures: counts over the clear columns of appeals, never their content.

Each figure set is one aggregate query (conditional counts over one index
range scan), so a school's quarter and a whole district's quarter cost the same
number of queries; per-school tables are one GROUP BY.
"""

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import (
    Count,
    DateTimeField,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Sum,
)
from django.db.models.functions import Cast, Coalesce, TruncDate
from django.db.models.lookups import GreaterThan, GreaterThanOrEqual, LessThan
from django.utils import timezone

from appeals.models import Appeal, FollowUp
from commission.models import Meeting
from journal.models import Volume
from openings.models import Opening
from reports.models import FigureCount, OpenDueCount, QuarterlyReport, Subject, SubjectTag
from reports.periods import Period
from schools.models import District, School

GRADES = range(1, 12)  # Kyrgyz schools have grades 1 to 11
SOLVED = tuple(f"solved_{value}" for value in FollowUp.Solved.values)
COUNTED = ("category", "channel", "author_kind", "status", "grade")  # the figures count appeals by these


def small_count() -> int:
    return settings.ISHENIM["SMALL_COUNT"]


def school_appeals(school: School) -> QuerySet[Appeal]:
    """The appeals a school's staff work on: not those its writers sent to the district."""
    return Appeal.objects.filter(school=school, district__isnull=True)


def in_period(appeals: QuerySet[Appeal], period: Period) -> QuerySet[Appeal]:
    return appeals.filter(received_at__gte=period.start_at, received_at__lt=period.end_at)


def due_expr() -> Coalesce:
    """The date the answer is due, after any extension."""
    return Coalesce(F("extended_due_on"), F("due_on"))


def overdue_q(today: dt.date) -> Q:
    """Still open after the answer was due, or closed (in local time) after the day it was due."""
    return Q(LessThan(due_expr(), today), status__in=Appeal.OPEN_STATUSES) | closed_late_q()


def closed_late_q() -> Q:
    """Closed (in local time) after the day the answer was due."""
    return Q(_closed_after_due(), closed_at__isnull=False)


def _closed_after_due():
    if connection.vendor != "postgresql":
        return GreaterThan(TruncDate("closed_at"), due_expr())
    # Shifting by the zone's offset and comparing with the day after the due date
    # gives the same answer as converting each row to local time, at a third of
    # the cost on a district's quarter (Kyrgyzstan keeps one offset all year).
    offset = timezone.localtime().utcoffset() or dt.timedelta()
    return GreaterThanOrEqual(
        ExpressionWrapper(F("closed_at") + offset, output_field=DateTimeField()),
        Cast(due_expr(), DateTimeField()) + dt.timedelta(days=1),
    )


def _days(delta: dt.timedelta | None) -> float | None:
    return None if delta is None else round(delta.total_seconds() / 86400, 1)


DIMENSIONS = {
    "category": Appeal.Category.values,
    "channel": Appeal.Channel.values,
    "author_kind": Appeal.AuthorKind.values,
    "status": Appeal.Status.values,
}


def figures(appeals: QuerySet[Appeal], *, today: dt.date | None = None, detail: bool = True) -> dict:
    """Every figure of the reports for any set of appeals (a week, a filter), counted from the rows
    in one grouped query. A whole quarter reads the kept counts instead (`period_figures`)."""
    today = today or timezone.localdate()
    groups = appeals.values(*COUNTED).annotate(**appeal_sums(), overdue=Count("pk", filter=overdue_q(today))).order_by()
    # Each group of appeals sharing all their dimensions counts once under each dimension's value.
    rows = (group | {"dimension": name, "value": str(group[name] or 0)} for group in groups for name in COUNTED)
    return _summed(rows, detail=detail)


def appeal_sums() -> dict:
    """What the figures add up over a group of appeals (the rows' and the kept counts' alike):
    how many, anonymous, urgent, registered, answered, timed, the time to register and to
    answer summed, and the writers' answers to "was it solved?" (one follow-up an appeal: the
    join doubles no row)."""
    to_register = ExpressionWrapper(F("registered_at") - F("received_at"), output_field=DurationField())
    to_answer = ExpressionWrapper(F("closed_at") - F("registered_at"), output_field=DurationField())
    timed = Q(closed_at__isnull=False, registered_at__isnull=False)
    return {
        "n": Count("pk"),
        "anonymous": Count("pk", filter=Q(anonymous=True)),
        "urgent": Count("pk", filter=Q(urgent=True)),
        "registered": Count("pk", filter=Q(registered_at__isnull=False)),
        "answered": Count("pk", filter=Q(closed_at__isnull=False)),
        "timed": Count("pk", filter=timed),
        "register": Sum(to_register, filter=Q(registered_at__isnull=False)),
        "answer": Sum(to_answer, filter=timed),
        **{name: Count("pk", filter=Q(followup__solved=name.removeprefix("solved_"))) for name in SOLVED},
    }


def period_figures(scope: School | District, period: Period, *, today: dt.date | None = None, detail: bool = True):
    """The figures of a school (its own appeals) or a district (every appeal of its schools) for
    whole months, read from the counts kept per month and value (`reports.counts`): two small
    queries whatever the number of appeals, the same numbers as `figures` over the rows."""
    if period.start.day != 1 or period.end.day != 1:
        raise ValueError(f"{period} is not whole months")
    today = today or timezone.localdate()
    months = {"month__gte": period.start, "month__lt": period.end}
    sums = {name: Sum(name) for name in ("n", "anonymous", "urgent", "answered", "registered", "timed", *SOLVED)}
    rows = (
        counted(FigureCount, scope)
        .filter(**months)
        .values("dimension", "value")
        .annotate(**sums, overdue=Sum("late"), register_us=Sum("register_us"), answer_us=Sum("answer_us"))
        .order_by()
    )
    micros = dt.timedelta(microseconds=1)
    result = _summed(
        (row | {"register": row["register_us"] * micros, "answer": row["answer_us"] * micros} for row in rows),
        detail=detail,
    )
    if detail:
        late_open = counted(OpenDueCount, scope).filter(**months, due__lt=today).aggregate(n=Sum("n", default=0))
        result["overdue"] += late_open["n"]
    return result


def counted(model: type[FigureCount] | type[OpenDueCount], scope: School | District) -> QuerySet:
    """The kept counts of a school's own appeals (not those sent to the district) or of a district's."""
    if isinstance(scope, District):
        return model.objects.filter(school__district=scope)
    return model.objects.filter(school=scope, to_district=False)


def _summed(rows, *, detail: bool) -> dict:
    """The figures from rows that count appeals by the value of one dimension (category, channel,
    author kind, status, grade) with their counts: every appeal is in one row per dimension, so the
    totals are those of the status rows. `detail` keeps what only the period itself shows (overdue,
    timings, writers' answers); comparison periods leave it out. Returns plain data (frozen as JSON
    in final reports)."""
    result: dict[str, Any] = {field: dict.fromkeys(values, 0) for field, values in DIMENSIONS.items()}
    result["grade"] = {str(grade): 0 for grade in GRADES} | {"none": 0}
    names = ("anonymous", "urgent", "overdue", "answered", "registered", "timed", *SOLVED)
    totals = dict.fromkeys(("total", "open", *names), 0)
    waits = {"register": dt.timedelta(), "answer": dt.timedelta()}
    for row in rows:
        n, dimension, value = row["n"], row["dimension"], row["value"]
        if dimension == "grade":
            value = value if value in result["grade"] else "none"
        result[dimension][value] = result[dimension].get(value, 0) + n
        if dimension != "status":
            continue
        totals["total"] += n
        totals["open"] += n if value in Appeal.OPEN_STATUSES else 0
        for name in names:
            totals[name] += row[name]
        for name in waits:
            waits[name] += row[name] or dt.timedelta()
    result |= {name: totals[name] for name in ("total", "open", "anonymous", "urgent")}
    result["closed"] = totals["total"] - totals["open"]
    if not detail:
        return result | dict.fromkeys(("overdue", "answered", "days_to_register", "days_to_answer", "feedback"))
    result["overdue"], result["answered"] = totals["overdue"], totals["answered"]
    result["days_to_register"] = _days(waits["register"] / totals["registered"]) if totals["registered"] else None
    result["days_to_answer"] = _days(waits["answer"] / totals["timed"]) if totals["timed"] else None
    result["feedback"] = {name.removeprefix("solved_"): totals[name] for name in SOLVED}
    return result


def share(part: int, whole: int) -> int | None:
    """A percentage, rounded; None when there is nothing to divide."""
    return round(100 * part / whole) if whole and part is not None else None


def trend(current: int, before: int) -> int | None:
    """Change in percent against an earlier period; None when it had none."""
    return round(100 * (current - before) / before) if before else None


def quarter_figures(scope: School | District, period: Period, *, compare: bool = True) -> dict:
    """The quarter's figures of a school or a district with (unless `compare` is off) the counts
    of the previous quarter and of the same quarter a year before."""
    return {
        "period": {"start": period.start.isoformat(), "end": period.end.isoformat(), "label": period.short_label},
        "current": period_figures(scope, period),
        "previous": period_figures(scope, period.shifted(-1), detail=False) if compare else None,
        "year_before": period_figures(scope, period.shifted(-4), detail=False) if compare else None,
    }


def per_school(district: District, period: Period, *, today: dt.date | None = None) -> list[dict]:
    """One row of counts per school of the district in the period, from the kept counts (two GROUP BYs)."""
    today = today or timezone.localdate()
    months = {"month__gte": period.start, "month__lt": period.end}
    rows: dict[int | None, dict] = {
        row.pop("school_id"): row
        for row in counted(FigureCount, district)
        .filter(**months, dimension="status")
        .values("school_id")
        .annotate(
            total=Sum("n"),
            to_district=Sum("n", filter=Q(to_district=True)),
            urgent=Sum("urgent"),
            open=Sum("n", filter=Q(value__in=Appeal.OPEN_STATUSES)),
            overdue=Sum("late"),
            anonymous=Sum("anonymous"),
        )
        .order_by()
    }
    late_open = counted(OpenDueCount, district).filter(**months, due__lt=today).values("school_id").annotate(n=Sum("n"))
    for row in late_open.order_by():
        if row["school_id"] in rows:
            rows[row["school_id"]]["overdue"] += row["n"]
    empty = {"total": 0, "to_district": 0, "urgent": 0, "open": 0, "overdue": 0, "anonymous": 0}
    return [
        {"school": school, **{k: rows.get(school.pk, empty)[k] or 0 for k in empty}}
        for school in district.schools.order_by("name_ky")
    ]


def open_cases(school: School, *, today: dt.date | None = None, limit: int = 50) -> dict:
    """What needs doing now: open cases by due date, urgent first; no content."""
    today = today or timezone.localdate()
    open_ = school_appeals(school).filter(Appeal.open_condition())
    counts = counted(FigureCount, school).filter(dimension="status", value__in=Appeal.OPEN_STATUSES).aggregate(
        open=Sum("n", default=0), urgent=Sum("urgent", default=0)
    ) | counted(OpenDueCount, school).aggregate(
        overdue=Sum("n", filter=Q(due__lt=today), default=0),
        due_soon=Sum("n", filter=Q(due__gte=today, due__lte=today + dt.timedelta(days=3)), default=0),
    )
    cases = list(
        open_.annotate(due_date=due_expr())
        .order_by("-urgent", F("due_date").asc(nulls_last=True), "received_at")
        .only(
            "pk",
            "journal_number",
            "category",
            "channel",
            "status",
            "urgent",
            "received_at",
            "due_on",
            "extended_due_on",
        )[:limit]
    )
    rows = []
    for case in cases:  # the case, its working days left (None: no deadline) and the days it is late
        left = case.days_left(today)
        rows.append((case, left, -left if left and left < 0 else 0))
    return {**counts, "cases": rows}


def journal_head(school: School, *, on: dt.date | None = None) -> Volume | None:
    on = on or timezone.localdate()
    return Volume.objects.filter(school=school, year=school.school_year(on)).first()


def subjects_in(school: School, period: Period) -> list[dict]:
    """Each subject with its count this quarter and in the two quarters before.

    A subject "came back" when it was raised in this quarter and in an earlier one.
    """
    earliest = period.shifted(-2)
    tags = (
        SubjectTag.objects.filter(
            subject__school=school,
            appeal__received_at__gte=earliest.start_at,
            appeal__received_at__lt=period.end_at,
        )
        .values_list("subject_id", "appeal__received_at")
        .order_by()
    )
    now: Counter[int] = Counter()
    before: Counter[int] = Counter()
    for subject_id, received_at in tags:
        (now if received_at >= period.start_at else before)[subject_id] += 1
    names = dict(Subject.objects.filter(pk__in=set(now) | set(before)).values_list("pk", "name"))
    rows = [
        {"name": names[pk], "count": now[pk], "before": before[pk], "recurring": now[pk] > 0 and before[pk] > 0}
        for pk in names
        if now[pk]
    ]
    return sorted(rows, key=lambda row: (-row["count"], row["name"]))


def recurring_categories(quarter: dict) -> list[str]:
    """Categories raised in this quarter and in the previous one or the year before."""
    earlier = [quarter[key]["category"] for key in ("previous", "year_before") if quarter.get(key)]
    return [
        code
        for code, count in quarter["current"]["category"].items()
        if count and any(before.get(code) for before in earlier)
    ]


def reports_of(school: School) -> QuerySet[QuarterlyReport]:
    return school.quarterly_reports.select_related("finalised_by")


@dataclass
class OpeningsCheck:
    planned: list[dt.datetime]
    held: list[dt.datetime]
    missed: list[dt.datetime]


def openings_check(school: School, start: dt.datetime, end: dt.datetime) -> OpeningsCheck:
    """Planned openings in [start, end), which were held (recorded on that day) and which were missed."""
    planned = school.planned_openings(start, end)
    held = list(
        Opening.objects.filter(
            school=school, status=Opening.Status.DONE, opened_at__gte=start - dt.timedelta(days=1), opened_at__lt=end
        ).values_list("opened_at", flat=True)
    )
    held_days = {timezone.localtime(at).date() for at in held}
    now = timezone.now()
    missed = [when for when in planned if timezone.localtime(when).date() not in held_days and when < now]
    return OpeningsCheck(planned=planned, held=[at for at in held if at >= start], missed=missed)


def meetings_for_agenda(school: School) -> list[Meeting]:
    """The school's coming meetings whose agenda can still take an item."""
    return list(
        Meeting.objects.filter(
            commission__school=school, status=Meeting.Status.DRAFT, held_on__gte=timezone.localdate()
        ).order_by("held_on")
    )


def district_workload(district: District, *, today: dt.date | None = None) -> list[dict]:
    """What each school of the district must act on now: open, overdue, urgent and unanswered cases.

    Exact counts, never masked: this is workload the district officer must follow up,
    not a figure about children shown to the public or exported (those are masked).
    Two GROUP BYs; no content.
    """
    from appeals.models import Answer

    today = today or timezone.localdate()
    answered = Answer.objects.filter(appeal=OuterRef("pk"))
    open_now = Appeal.objects.filter(school__district=district, status__in=Appeal.OPEN_STATUSES)
    counted = (
        open_now.values("school_id")
        .annotate(  # names of their own: an annotation called `urgent` would shadow the field in the filters
            n_open=Count("pk"),
            n_overdue=Count("pk", filter=Q(LessThan(due_expr(), today))),
            n_urgent=Count("pk", filter=Q(urgent=True)),
            n_unacknowledged=Count("pk", filter=Q(urgent=True, acknowledged_at__isnull=True)),
        )
        .order_by()
    )
    rows = {
        row["school_id"]: {key.removeprefix("n_"): value for key, value in row.items() if key != "school_id"}
        for row in counted
    }
    unanswered = dict(
        open_now.exclude(Exists(answered)).values("school_id").annotate(n=Count("pk")).values_list("school_id", "n")
    )
    for school_id, row in rows.items():
        row["unanswered"] = unanswered.get(school_id, 0)
    empty = {"open": 0, "overdue": 0, "urgent": 0, "unacknowledged": 0, "unanswered": 0}
    return [
        {"school": school, **{key: rows.get(school.pk, empty)[key] for key in empty}}
        for school in district.schools.order_by("name_ky")
    ]
