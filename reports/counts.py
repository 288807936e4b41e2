# ruff: noqa: S608 - the triggers are built from our own column names, never from input
"""The figures' counts, kept per school and month by the database itself, and checked against the rows.

`FigureCount` holds, per school, month of receipt (local time) and value of each clear
dimension the figures count by (category, channel, who wrote, status, grade), how many appeals
there are and the counts and sums the figures add up (an appeal is in one row per dimension);
`OpenDueCount` holds the open ones per due day. Triggers on `appeals_appeal` and
`appeals_followup` keep both in the statement that changes a row: whatever writes an appeal
(a submission, a status change, a bulk load, an erasure) moves its counts in the same
transaction, and a submission sends no statement more. A change takes the row's old values
out of their rows and puts the new ones into theirs.

`counts_verify` recounts both tables from the rows with the ORM's own expressions (not the
triggers' SQL) and lists every group that differs; `counts_rebuild` writes them from the rows
(after a migration, or after a load that went around the triggers).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction
from django.db.models import BooleanField, Count, DateField, ExpressionWrapper, Q
from django.db.models.functions import TruncMonth

from appeals.models import Appeal, FollowUp
from reports.models import FigureCount, OpenDueCount
from reports.selectors import COUNTED, SOLVED, appeal_sums, closed_late_q, due_expr

KEY = ("school_id", "to_district", "month", "dimension", "value")
SUMS = (
    "n",
    "anonymous",
    "urgent",
    "registered",
    "answered",
    "timed",
    "late",
    "register_us",
    "answer_us",
    *SOLVED,
)
OPEN = ", ".join(f"'{status}'" for status in Appeal.OPEN_STATUSES)
# The appeal's columns the counts depend on: a change of any other column fires nothing.
WATCHED = (
    "school_id",
    "district_id",
    "received_at",
    "category",
    "channel",
    "author_kind",
    "status",
    "grade",
    "anonymous",
    "urgent",
    "registered_at",
    "closed_at",
    "due_on",
    "extended_due_on",
)


@dataclass(frozen=True)
class _Sql:
    """The few expressions that differ between PostgreSQL and SQLite. SQLite's `localtime` is the
    project's time zone: Django sets the process's TZ to TIME_ZONE."""

    postgresql: bool

    def flag(self, condition: str) -> str:
        return f"({condition})::int" if self.postgresql else f"({condition})"

    def day(self, at: str) -> str:
        return f"({at} AT TIME ZONE '{settings.TIME_ZONE}')::date" if self.postgresql else f"date({at}, 'localtime')"

    def month(self, at: str) -> str:
        if self.postgresql:
            return f"date_trunc('month', {at} AT TIME ZONE '{settings.TIME_ZONE}')::date"
        return f"strftime('%Y-%m-01', {at}, 'localtime')"

    def micros(self, start: str, end: str) -> str:
        if self.postgresql:
            return f"(extract(epoch FROM {end} - {start}) * 1000000)::bigint"
        return f"CAST(round((julianday({end}) - julianday({start})) * 86400000000.0) AS INTEGER)"

    def values(self, r: str) -> str:
        """Appeal `r`'s value of each counted dimension, as rows (dimension, value)."""
        value = {name: f"{r}.{name}" for name in COUNTED} | {"grade": f"CAST(coalesce({r}.grade, 0) AS TEXT)"}
        return " UNION ALL ".join(f"SELECT '{name}' AS dimension, {value[name]} AS value" for name in COUNTED)

    def rows_of(self, r: str, prefix: str = "") -> str:
        """The condition that picks appeal `r`'s rows of `reports_figurecount`."""
        return (
            f"{prefix}school_id = {r}.school_id AND {prefix}to_district = ({r}.district_id IS NOT NULL) "
            f"AND {prefix}month = {self.month(f'{r}.received_at')} "
            f"AND ({prefix}dimension, {prefix}value) IN ({self.values(r)})"
        )

    def sums(self, r: str) -> dict[str, str]:
        """What one appeal `r` adds to each of its rows."""
        due = f"coalesce({r}.extended_due_on, {r}.due_on)"
        solved = f"(SELECT solved FROM appeals_followup WHERE appeal_id = {r}.id)"
        closed_late = f"{self.day(r + '.closed_at')} > {due}"
        return {
            "n": "1",
            "anonymous": self.flag(f"{r}.anonymous"),
            "urgent": self.flag(f"{r}.urgent"),
            "registered": self.flag(f"{r}.registered_at IS NOT NULL"),
            "answered": self.flag(f"{r}.closed_at IS NOT NULL"),
            "timed": self.flag(f"{r}.closed_at IS NOT NULL AND {r}.registered_at IS NOT NULL"),
            "late": f"coalesce({self.flag(closed_late)}, 0)",
            "register_us": f"coalesce({self.micros(f'{r}.received_at', f'{r}.registered_at')}, 0)",
            "answer_us": f"coalesce({self.micros(f'{r}.registered_at', f'{r}.closed_at')}, 0)",
            **{f"solved_{v}": "coalesce(" + self.flag(f"{solved} = '{v}'") + ", 0)" for v in FollowUp.Solved.values},
        }

    def add(self, r: str) -> list[str]:
        """The statements that count appeal `r` in (its rows are made if it is the first)."""
        sums = self.sums(r)
        due = f"coalesce({r}.extended_due_on, {r}.due_on)"
        month = self.month(f"{r}.received_at")
        return [
            f"INSERT INTO reports_figurecount ({', '.join((*KEY, *SUMS))}) "
            f"SELECT {r}.school_id, {r}.district_id IS NOT NULL, {month}, v.dimension, v.value, "
            + ", ".join(f"s.{c}" for c in SUMS)
            + f" FROM ({self.values(r)}) AS v, (SELECT "
            + ", ".join(f"{sums[c]} AS {c}" for c in SUMS)
            + f") AS s WHERE true ON CONFLICT ({', '.join(KEY)}) DO UPDATE SET "
            + ", ".join(f"{c} = reports_figurecount.{c} + excluded.{c}" for c in SUMS),
            "INSERT INTO reports_openduecount (school_id, to_district, month, due, n) "
            f"SELECT {r}.school_id, {r}.district_id IS NOT NULL, {month}, {due}, 1 "
            f"WHERE {r}.status IN ({OPEN}) AND {due} IS NOT NULL "
            "ON CONFLICT (school_id, to_district, month, due) DO UPDATE SET n = reports_openduecount.n + 1",
        ]

    def remove(self, r: str) -> list[str]:
        """The statements that count appeal `r` out of its rows (which exist: it was counted in)."""
        sums = self.sums(r)
        due = f"coalesce({r}.extended_due_on, {r}.due_on)"
        return [
            "UPDATE reports_figurecount SET "
            + ", ".join(f"{c} = {c} - {sums[c]}" for c in SUMS)
            + f" WHERE {self.rows_of(r)}",
            f"UPDATE reports_openduecount SET n = n - 1 WHERE {r}.status IN ({OPEN}) AND school_id = {r}.school_id "
            f"AND to_district = ({r}.district_id IS NOT NULL) AND month = {self.month(f'{r}.received_at')} "
            f"AND due = {due}",
        ]

    def solved(self, f: str, sign: str) -> str:
        """The statement that moves follow-up `f`'s answer into (sign +) or out of (-) its appeal's rows."""
        return (
            "UPDATE reports_figurecount SET "
            + ", ".join(
                f"solved_{v} = solved_{v} {sign} " + self.flag(f"{f}.solved = '{v}'") for v in FollowUp.Solved.values
            )
            + f" FROM appeals_appeal a WHERE a.id = {f}.appeal_id AND {self.rows_of('a', 'reports_figurecount.')}"
        )

    # PostgreSQL counts a whole statement's rows at once (its triggers see them as a table): a row
    # trigger there would update the same few count rows once per appeal of a bulk load, each
    # update walking the versions the earlier ones left in the same transaction.

    def grouped(self, rows: str) -> str:
        """The count rows that the appeals of FROM-item `rows` make, summed."""
        sums, month = self.sums("r"), self.month("r.received_at")
        return (
            f"SELECT r.school_id, r.district_id IS NOT NULL AS to_district, {month} AS month, v.dimension, v.value, "
            + ", ".join(f"sum({sums[c]}) AS {c}" for c in SUMS)
            + f" FROM {rows} AS r CROSS JOIN LATERAL ({self.values('r')}) AS v GROUP BY 1, 2, 3, 4, 5"
        )

    def dues(self, rows: str) -> str:
        """The open appeals of FROM-item `rows` counted by due day."""
        due, month = "coalesce(r.extended_due_on, r.due_on)", self.month("r.received_at")
        return (
            f"SELECT r.school_id, r.district_id IS NOT NULL AS to_district, {month} AS month, {due} AS due, "
            f"count(*) AS n FROM {rows} AS r WHERE r.status IN ({OPEN}) AND {due} IS NOT NULL GROUP BY 1, 2, 3, 4"
        )

    def add_all(self, rows: str) -> list[str]:
        return [
            f"INSERT INTO reports_figurecount ({', '.join((*KEY, *SUMS))}) {self.grouped(rows)} "
            f"ON CONFLICT ({', '.join(KEY)}) DO UPDATE SET "
            + ", ".join(f"{c} = reports_figurecount.{c} + excluded.{c}" for c in SUMS),
            f"INSERT INTO reports_openduecount (school_id, to_district, month, due, n) {self.dues(rows)} "
            "ON CONFLICT (school_id, to_district, month, due) DO UPDATE SET n = reports_openduecount.n + excluded.n",
        ]

    def remove_all(self, rows: str) -> list[str]:
        due_key = ("school_id", "to_district", "month", "due")
        return [
            "UPDATE reports_figurecount AS c SET "
            + ", ".join(f"{c} = c.{c} - g.{c}" for c in SUMS)
            + f" FROM ({self.grouped(rows)}) AS g WHERE "
            + " AND ".join(f"c.{k} = g.{k}" for k in KEY),
            f"UPDATE reports_openduecount AS c SET n = c.n - g.n FROM ({self.dues(rows)}) AS g WHERE "
            + " AND ".join(f"c.{k} = g.{k}" for k in due_key),
        ]

    def solved_all(self, rows: str, sign: str) -> str:
        """Move the answers of the follow-ups in FROM-item `rows` into (+) or out of (-) their appeals' rows."""
        month = self.month("a.received_at")
        return (
            "UPDATE reports_figurecount AS c SET "
            + ", ".join(f"{c} = c.{c} {sign} g.{c}" for c in SOLVED)
            + f" FROM (SELECT a.school_id, a.district_id IS NOT NULL AS to_district, {month} AS month, "
            "v.dimension, v.value, "
            + ", ".join(f"sum((f.solved = '{c.removeprefix('solved_')}')::int) AS {c}" for c in SOLVED)
            + f" FROM {rows} AS f JOIN appeals_appeal AS a ON a.id = f.appeal_id "
            f"CROSS JOIN LATERAL ({self.values('a')}) AS v WHERE f.solved <> '' GROUP BY 1, 2, 3, 4, 5) AS g WHERE "
            + " AND ".join(f"c.{k} = g.{k}" for k in KEY)
        )


def _changed(columns: tuple[str, ...], side: str) -> str:
    """PostgreSQL: the rows of one side of an UPDATE statement whose `columns` changed."""
    return (
        f"(SELECT {side}.* FROM old_rows AS o JOIN new_rows AS n ON n.id = o.id WHERE "
        f"({', '.join(f'o.{c}' for c in columns)}) IS DISTINCT FROM ({', '.join(f'n.{c}' for c in columns)}))"
    )


def triggers_sql(vendor: str) -> list[str]:
    """The statements that create the triggers on this database."""
    sql = _Sql(vendor == "postgresql")
    if sql.postgresql:
        statements = {
            "INSERT": sql.add_all("new_rows"),
            "DELETE": sql.remove_all("old_rows"),
            "UPDATE": sql.remove_all(_changed(WATCHED, "o")) + sql.add_all(_changed(WATCHED, "n")),
        }
        answers = {
            "INSERT": [sql.solved_all("new_rows", "+")],
            "DELETE": [sql.solved_all("old_rows", "-")],
            "UPDATE": [
                sql.solved_all(_changed(("solved", "appeal_id"), "o"), "-"),
                sql.solved_all(_changed(("solved", "appeal_id"), "n"), "+"),
            ],
        }
        made = []
        for table, name, by_event in (
            ("appeals_appeal", "appeals", statements),
            ("appeals_followup", "followups", answers),
        ):
            made.append(
                f"CREATE OR REPLACE FUNCTION reports_count_{name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN\n"
                + "\n".join(
                    f"{'IF' if n == 0 else 'ELSIF'} TG_OP = '{event}' THEN\n" + "\n".join(q + ";" for q in queries)
                    for n, (event, queries) in enumerate(by_event.items())
                )
                + "\nEND IF; RETURN NULL; END $$"
            )
            for event, transition in (
                ("INSERT", "NEW TABLE AS new_rows"),
                ("DELETE", "OLD TABLE AS old_rows"),
                ("UPDATE", "OLD TABLE AS old_rows NEW TABLE AS new_rows"),
            ):
                made.append(
                    f"CREATE TRIGGER reports_count_{name}_{event.lower()} AFTER {event} ON {table} "
                    f"REFERENCING {transition} FOR EACH STATEMENT EXECUTE FUNCTION reports_count_{name}()"
                )
        return made

    watched = ", ".join(WATCHED)
    changed = " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in WATCHED)

    def trigger(name: str, event: str, statements: list[str], when: str = "") -> str:
        return (
            f"CREATE TRIGGER {name} AFTER {event} FOR EACH ROW {when} BEGIN {' '.join(s + ';' for s in statements)} END"
        )

    return [
        trigger("reports_count_appeal_insert", "INSERT ON appeals_appeal", sql.add("NEW")),
        trigger("reports_count_appeal_delete", "DELETE ON appeals_appeal", sql.remove("OLD")),
        trigger(
            "reports_count_appeal_update",
            f"UPDATE OF {watched} ON appeals_appeal",
            sql.remove("OLD") + sql.add("NEW"),
            f"WHEN {changed}",
        ),
        trigger(
            "reports_count_followup_insert",
            "INSERT ON appeals_followup",
            [sql.solved("NEW", "+")],
            "WHEN NEW.solved <> ''",
        ),
        trigger(
            "reports_count_followup_delete",
            "DELETE ON appeals_followup",
            [sql.solved("OLD", "-")],
            "WHEN OLD.solved <> ''",
        ),
        trigger(
            "reports_count_followup_update",
            "UPDATE OF solved, appeal_id ON appeals_followup",
            [sql.solved("OLD", "-"), sql.solved("NEW", "+")],
            "WHEN OLD.solved IS NOT NEW.solved OR OLD.appeal_id IS NOT NEW.appeal_id",
        ),
    ]


DROP = {
    "postgresql": [
        *(
            f"DROP TRIGGER IF EXISTS reports_count_{name}_{event} ON appeals_{name.rstrip('s')}"
            for name in ("appeals", "followups")
            for event in ("insert", "delete", "update")
        ),
        "DROP FUNCTION IF EXISTS reports_count_appeals()",
        "DROP FUNCTION IF EXISTS reports_count_followups()",
    ],
    "sqlite": [
        f"DROP TRIGGER IF EXISTS {name}"
        for name in (
            "reports_count_appeal_insert",
            "reports_count_appeal_delete",
            "reports_count_appeal_update",
            "reports_count_followup_insert",
            "reports_count_followup_delete",
            "reports_count_followup_update",
        )
    ],
}


# --- the same counts from the rows, with the ORM's expressions ------------------------------


def _from_rows() -> tuple[dict[tuple, dict], dict[tuple, int]]:
    """Both tables as the rows give them: {(school, to_district, month, dimension, value): sums},
    {(school, to_district, month, due): n}."""
    month = TruncMonth("received_at", output_field=DateField())
    to_district = ExpressionWrapper(Q(district__isnull=False), output_field=BooleanField())
    groups = (
        Appeal.objects.annotate(month=month, to_district=to_district)
        .values("school_id", "to_district", "month", *COUNTED)
        .annotate(**appeal_sums(), late=Count("pk", filter=closed_late_q()))
        .order_by()
    )
    counts: dict[tuple, dict] = {}
    for g in groups:
        sums = {c: g[c] for c in SUMS if not c.endswith("_us")}
        sums |= {"register_us": _micros(g["register"]), "answer_us": _micros(g["answer"])}
        for name in COUNTED:
            value = str(g["grade"] or 0) if name == "grade" else g[name]
            row = counts.setdefault(
                (g["school_id"], bool(g["to_district"]), g["month"], name, value), dict.fromkeys(SUMS, 0)
            )
            for c in SUMS:
                row[c] += sums[c]
    open_by_due = (
        Appeal.objects.filter(status__in=Appeal.OPEN_STATUSES)
        .annotate(month=month, to_district=to_district, due_day=due_expr())
        .filter(due_day__isnull=False)
        .values("school_id", "to_district", "month", "due_day")
        .annotate(n=Count("pk"))
        .order_by()
    )
    dues = {(d["school_id"], bool(d["to_district"]), d["month"], d["due_day"]): d["n"] for d in open_by_due}
    return counts, dues


def _micros(delta: dt.timedelta | None) -> int:
    return 0 if delta is None else delta // dt.timedelta(microseconds=1)


def _kept() -> tuple[dict[tuple, dict], dict[tuple, int]]:
    counts = {
        tuple(row[c] for c in KEY): {c: row[c] for c in SUMS}
        for row in FigureCount.objects.values(*KEY, *SUMS)
        if row["n"]
    }
    dues = {
        (row["school_id"], row["to_district"], row["month"], row["due"]): row["n"]
        for row in OpenDueCount.objects.values("school_id", "to_district", "month", "due", "n")
        if row["n"]
    }
    return counts, dues


# SQLite's julianday keeps about a millisecond over these spans: sums may differ by that per appeal.
MICROS_PER_ROW = 1000


def counts_verify() -> list[str]:
    """Every group whose kept counts differ from the rows' (empty: they agree)."""
    with transaction.atomic():  # one snapshot on PostgreSQL
        (counts, dues), (kept, kept_dues) = _from_rows(), _kept()
    problems = []
    for key in sorted(set(counts) | set(kept), key=str):
        want, have = counts.get(key), kept.get(key)
        if want is None or have is None:
            problems.append(f"{key}: rows {want}, kept {have}")
            continue
        for c in SUMS:
            slack = MICROS_PER_ROW * want["n"] if c.endswith("_us") else 0
            if abs(want[c] - have[c]) > slack:
                problems.append(f"{key}: {c} is {want[c]} in the rows, {have[c]} kept")
    for key in sorted(set(dues) | set(kept_dues), key=str):
        if dues.get(key, 0) != kept_dues.get(key, 0):
            problems.append(f"open, due {key}: {dues.get(key, 0)} in the rows, {kept_dues.get(key, 0)} kept")
    return problems


def counts_rebuild() -> int:
    """Write both tables from the rows (the appeals locked against writes meanwhile); returns the groups."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("LOCK TABLE appeals_appeal, appeals_followup IN SHARE MODE")
        counts, dues = _from_rows()
        FigureCount.objects.all().delete()
        OpenDueCount.objects.all().delete()
        FigureCount.objects.bulk_create(
            [FigureCount(**dict(zip(KEY, key, strict=True)), **row) for key, row in counts.items()], batch_size=2000
        )
        OpenDueCount.objects.bulk_create(
            [OpenDueCount(school_id=s, to_district=d, month=m, due=due, n=n) for (s, d, m, due), n in dues.items()],
            batch_size=2000,
        )
    return len(counts)
