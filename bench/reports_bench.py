"""The reports' benchmark: quarterly figures over 1,000,000 appeals in 500 schools of one district.

The data set goes in with PostgreSQL's COPY (the `Copier` of `bench.dataset`):
one district, 500 schools, a million appeals received over the past twelve
months with varied categories, channels, authors, grades, statuses and
deadlines, and writers' "was it solved?" answers for a fifth of them. The
figures read clear columns only, so the sealed text is a placeholder here.
Built once per scale and schema in its own database (`<bench>_reports`) and
reused by later runs.

It times what the pages ask: the quarterly report's figures for one school
(this quarter, the previous one, a year before, subjects) and the district
dashboard's figures (the same for the whole district, plus the per-school
table), each against the target of one second, and the district's compliance
check of all 500 schools for information. It also renders one school's
quarterly report PDF.

    python -m bench.reports_bench [--scale 0.1]      # or BENCH_REPORTS_SCALE=0.1
    python -m bench.reports_bench --sqlite           # the same on SQLite (bench/out/reports-1.sqlite3)
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import time

from bench import harness
from bench.harness import Figure, log

NAME = "reports"
TARGET_SECONDS = 1.0
GENERATOR = 2  # bump when the data set changes shape
CATEGORIES = [
    "bullying",
    "child_rights",
    "corruption",
    "smoking",
    "discipline",
    "suggestion",
    "request",
    "wish",
    "other",
]
WEIGHTS = [18, 12, 5, 10, 15, 15, 12, 8, 5]
# The facts staff record on a case (for the analysis): places, people involved, measures by kind.
PLACES = ["classroom", "corridor", "toilets", "canteen", "yard", "gym", "way", "online", "home", "other", ""]
PLACE_WEIGHTS = [20, 12, 8, 6, 14, 4, 5, 8, 4, 4, 15]
WHO = ["classmates", "older", "teacher", "staff", "family", "outsider"]
WHO_WEIGHTS = [40, 20, 15, 5, 12, 8]
KINDS = ["talk_student", "talk_parents", "psychologist", "organisation", "discipline", "juvenile", "social", "health"]
KIND_WEIGHTS = [30, 25, 15, 10, 10, 4, 3, 3]


def _sizes(scale: float) -> tuple[int, int]:
    return max(5_000, round(1_000_000 * scale)), max(5, round(500 * scale))


def _database(settings: harness.Settings, scale: float) -> tuple[str, bool]:
    """The data set's database URL, and whether it already holds this scale's data."""
    import psycopg

    url = settings.database("reports")
    if harness.database_exists(url):
        with psycopg.connect(url) as conn:
            try:
                row = conn.execute("SELECT scale, generator, schema FROM reports_bench").fetchone()
            except psycopg.Error:
                row = None
        if row == (scale, GENERATOR, harness.schema_fingerprint()):
            return url, True
    return harness.fresh_database(settings, "reports"), False


def _build(scale: float) -> float:
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction
    from django.utils import timezone

    from appeals.models import Appeal, FollowUp, Involvement, Measure
    from bench.dataset import Copier
    from ishenim.workdays import add_working_days
    from schools.models import District, School

    total, n_schools = _sizes(scale)
    log(f"building {total:,} appeals in {n_schools} schools of one district …")
    started = time.perf_counter()
    rng = random.Random(2026)
    tz = timezone.get_current_timezone()
    now = timezone.now()
    start = now - dt.timedelta(days=365)
    district = District.objects.create(slug="bench-reports", name_ky="Бенчмарк району")
    School.objects.bulk_create(
        School(district=district, slug=f"bench-r{n:03d}", name_ky=f"Бенчмарк мектеби №{n}") for n in range(n_schools)
    )
    school_ids = list(School.objects.filter(district=district).order_by("pk").values_list("pk", flat=True))
    due_cache: dict[dt.date, dt.date] = {}
    open_statuses = [Appeal.Status.REGISTERED, Appeal.Status.CONSIDERING, Appeal.Status.MEASURES]

    def appeals(first_id: int):
        numbers = dict.fromkeys(school_ids, 0)
        span = (now - start).total_seconds()
        for n in range(total):
            school = school_ids[n % len(school_ids)]
            numbers[school] += 1
            received = start + dt.timedelta(seconds=span * n / total + rng.random() * 60)
            registered = received + dt.timedelta(hours=rng.random() * (30 if rng.random() < 0.95 else 90))
            day = registered.astimezone(tz).date()
            due = due_cache.get(day) or due_cache.setdefault(day, add_working_days(day, 14))
            age = (now - received).days
            closed = None
            if age > 25 or rng.random() < 0.3:
                status = rng.choices(["closed", "dismissed", "forwarded"], weights=[88, 6, 6])[0]
                if status != "forwarded":
                    closed = registered + dt.timedelta(days=rng.random() * (25 if rng.random() < 0.9 else 40))
            else:
                status = rng.choice(open_statuses)
            kind = rng.choices(["student", "parent", "citizen"], weights=[55, 35, 10])[0]
            grade = rng.randint(1, 11) if kind != "citizen" and rng.random() < 0.8 else None
            yield {
                "id": first_id + n,
                "school_id": school,
                "district_id": None,
                "channel": "online" if rng.random() < 0.6 else "paper",
                "author_kind": kind,
                "anonymous": rng.random() < 0.65,
                "category": rng.choices(CATEGORIES, weights=WEIGHTS)[0],
                "grade": grade,
                "place": rng.choices(PLACES, weights=PLACE_WEIGHTS)[0],
                "grade_band": Appeal.band_for_grade(grade),
                "status": status,
                "urgent": rng.random() < 0.04,
                "received_at": received,
                "registered_at": registered,
                "due_on": due,
                "closed_at": closed,
                "journal_number": numbers[school],
                "text_sealed": b"bench",
            }

    def followups(first_appeal: int, first_id: int):
        for n in range(0, total, 5):
            yield {
                "id": first_id + n // 5,
                "appeal_id": first_appeal + n,
                "writer_key_id": "00000000-0000-0000-0000-000000000000",
                "writer_public_key": b"k" * 32,
                "solved": rng.choices(["yes", "partly", "no", ""], weights=[5, 2, 2, 3])[0],
            }

    staff = get_user_model().objects.create_user("bench-reports-staff", "staff@bench.example")

    def involved(first_appeal: int, first_id: int):
        n = first_id
        for index in range(0, total, 2):  # every other case records who is involved: one or two roles
            for who in set(rng.choices(WHO, weights=WHO_WEIGHTS, k=rng.choice((1, 1, 2)))):
                yield {"id": n, "appeal_id": first_appeal + index, "who": who}
                n += 1

    def measures(first_appeal: int, first_id: int):
        n = first_id
        for index in range(total):
            if rng.random() < 0.35:
                continue
            received = start + dt.timedelta(seconds=(now - start).total_seconds() * index / total)
            for kind in set(rng.choices(KINDS, weights=KIND_WEIGHTS, k=rng.choice((1, 1, 2)))):
                yield {"id": n, "appeal_id": first_appeal + index, "kind": kind, "by_id": staff.pk,
                       "taken_on": (received + dt.timedelta(days=3)).date(), "created_at": received}  # fmt: skip
                n += 1

    with transaction.atomic(), connection.cursor() as cursor:
        copier = Copier(Appeal, list(next(appeals(0)).keys()))
        first = copier.reserve_ids(cursor, total)
        copier.copy(cursor, appeals(first))
        copier.reset_sequence(cursor)
        answers = Copier(FollowUp, ["id", "appeal_id", "writer_key_id", "writer_public_key", "solved"])
        answers.copy(cursor, followups(first, answers.reserve_ids(cursor, total // 5 + 1)))
        answers.reset_sequence(cursor)
        for model, rows, fields in (
            (Involvement, involved, ["id", "appeal_id", "who"]),
            (Measure, measures, ["id", "appeal_id", "kind", "by_id", "taken_on", "created_at"]),
        ):
            facts = Copier(model, fields)
            facts.copy(cursor, rows(first, facts.reserve_ids(cursor, 2 * total)))
            facts.reset_sequence(cursor)
        cursor.execute(
            "CREATE TABLE reports_bench (scale double precision, generator int, schema text, seconds double precision)"
        )
        cursor.execute(
            "INSERT INTO reports_bench VALUES (%s, %s, %s, %s)",
            [scale, GENERATOR, harness.schema_fingerprint(), time.perf_counter() - started],
        )
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    seconds = time.perf_counter() - started
    log(f"built in {seconds:.0f} s")
    return seconds


def _timed(work, repeat: int = 3) -> tuple[float, object]:
    """The median of `repeat` runs after one warm-up, in seconds, and the last result."""
    result = work()
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        result = work()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def _measure() -> list[Figure]:
    from django.db import connection
    from django.utils import timezone

    from ishenim.document_registry import DOCUMENTS
    from reports.analysis import district_analysis, school_analysis
    from reports.compliance import compliance
    from reports.periods import last_complete_quarter, quarter_in
    from reports.selectors import per_school, quarter_figures, subjects_in
    from reports.services import quarterly_report_draft
    from schools.models import District, School

    district = District.objects.get(slug="bench-reports")
    school = School.objects.filter(district=district).order_by("pk").first()
    schools = list(district.schools.all())
    period = last_complete_quarter(school)
    calendar = quarter_in(School.QuarterMode.CALENDAR, period.start)

    def one_school():
        return quarter_figures(school, period), subjects_in(school, period)

    def whole_district():
        return quarter_figures(district, calendar, compare=False), per_school(district, calendar)

    school_s, (school_q, _subjects) = _timed(one_school)
    analysis_s, analysis = _timed(lambda: school_analysis(school, period))
    started = time.perf_counter()
    district_analysis(district, calendar, max_age=dt.timedelta(0))  # every school's quarter facts recomputed
    refresh_s = time.perf_counter() - started
    district_analysis_s, spread = _timed(lambda: district_analysis(district, calendar))
    district_s, (district_q, rows) = _timed(whole_district)
    compliance_s, checks = _timed(lambda: compliance(schools), repeat=1)
    report = quarterly_report_draft(school=school, period=period)
    pdf_s, pdf = _timed(lambda: DOCUMENTS["quarterly_report"].render(report, language="ky", fmt="pdf"), repeat=1)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM appeals_appeal")
        appeals = cursor.fetchone()[0]
    broken = sum(1 for result in checks.values() if any(c.status == "broken" for c in result))
    target = f"under {TARGET_SECONDS:.0f} s"
    return [
        Figure(NAME, "appeals in the data set", f"{appeals:,}", note=f"{len(schools)} schools in one district"),
        Figure(
            NAME,
            "one school's quarterly figures",
            school_s,
            "s",
            target,
            school_s < TARGET_SECONDS,
            f"{period.short_label}: {school_q['current']['total']:,} appeals, with the previous quarter and a year before",
        ),
        Figure(
            NAME,
            "the district's quarterly figures",
            district_s,
            "s",
            target,
            district_s < TARGET_SECONDS,
            f"{calendar.short_label}: {district_q['current']['total']:,} appeals, and a table of {len(rows)} schools",
        ),
        Figure(
            NAME,
            "one school's analysis (hotspots, what worked, actions)",
            analysis_s,
            "s",
            target,
            analysis_s < TARGET_SECONDS,
            f"{analysis.total:,} appeals this quarter, {len(analysis.measures)} kinds of measure",
        ),
        Figure(
            NAME,
            "the district's analysis",
            district_analysis_s,
            "s",
            target,
            district_analysis_s < TARGET_SECONDS,
            f"{spread.total:,} appeals this quarter; {len(spread.schools)} school problems rising beyond chance; "
            "read from the schools' quarter facts",
        ),
        Figure(
            NAME,
            "the district's quarter facts, all recomputed",
            refresh_s,
            "s",
            note=f"{len(schools)} schools × 5 quarters; done each night by the tick, kept a day",
        ),
        Figure(
            NAME,
            "the district's compliance check",
            compliance_s,
            "s",
            note=f"23 requirements × {len(schools)} schools; {broken} schools with a broken rule",
        ),
        Figure(NAME, "quarterly report PDF", pdf_s, "s", note=f"{len(pdf) // 1024} KiB, one school, with charts"),
        Figure(
            NAME,
            "machine load during the run",
            f"{os.getloadavg()[0]:.1f}",
            note=f"1-minute load average on {os.cpu_count()} cores; {connection.vendor}, "
            + timezone.now().strftime("%Y-%m-%d %H:%M"),
        ),
    ]


def _sqlite(scale: float) -> bool:
    """The same data set in a SQLite file of its own (kept like the PostgreSQL one): ready already?"""
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    with connection.cursor() as cursor:
        try:
            cursor.execute("SELECT scale, generator, schema FROM reports_bench")
            row = cursor.fetchone()
        except Exception:  # noqa: BLE001 - no marker table: a fresh file
            return False
    return row == (scale, GENERATOR, harness.schema_fingerprint())


def run(scale: float, sqlite: bool = False) -> list[Figure]:
    if sqlite:
        path = harness.OUT / f"reports-{scale:g}.sqlite3"
        path.parent.mkdir(parents=True, exist_ok=True)
        harness.django_setup(f"sqlite:///{path}", VAULT_ARGON2_TIME="1", VAULT_ARGON2_MEMORY_KIB="64")
        ready = _sqlite(scale)
        if not ready:
            from django.db import connection

            connection.close()
            path.unlink(missing_ok=True)
            _sqlite(scale)
    else:
        url, ready = _database(harness.Settings(), scale)
        harness.django_setup(url, VAULT_ARGON2_TIME="1", VAULT_ARGON2_MEMORY_KIB="64")
    if not ready:
        _build(scale)
    else:
        log("reusing the reports data set")
    return _measure()


def main(argv: list[str] | None = None) -> list[Figure]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=float(os.environ.get("BENCH_REPORTS_SCALE", "1")))
    parser.add_argument("--sqlite", action="store_true", help="on SQLite (a file under bench/out) instead")
    options = parser.parse_args(argv if argv is not None else [])
    figures = run(options.scale, options.sqlite)
    for f in figures:
        verdict = "" if f.met is None else ("  met" if f.met else "  NOT MET")
        target = f" (target {f.target})" if f.target else ""
        print(f"{f.name:<36} {f.shown():>14}{target}{verdict}  {f.note}")
    return figures


if __name__ == "__main__":
    import sys

    main(sys.argv[1:])
