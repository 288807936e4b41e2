"""Benchmark 9: growth — each staff page and figure of one school at 1,000, 10,000 and 100,000 appeals.

One school, its appeals spread over this school year (60 % still open, 3 % urgent), in a
database of its own per size; its director logs in through the real login form and loads
each page through the production server (PostgreSQL, Redis). Inbox pages are reached the way
a person reaches them: the first page, and the last (`at=oldest`, the keyset's other end).
A page whose time grows with the rows is a failed target; the table shows the curve.

    python -m bench.growth             # on PostgreSQL
    python -m bench.growth --sqlite    # the same on SQLite (files under bench/out, removed after)
"""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import time
from dataclasses import asdict
from pathlib import Path

from bench import harness
from bench.dataset import BIG, _appeals, _schools
from bench.harness import Figure, log, percentile
from bench.pages import measure

SIZES = (1_000, 10_000, 100_000)
INBOX = f"/staff/{BIG}/appeals/"
FLOOR = "floor: /healthz (one query, no template)"
PAGES = [
    (FLOOR, "/healthz"),
    ("inbox, open, first page", INBOX),
    ("inbox, open, last page", INBOX + "?at=oldest"),
    ("inbox, all, last page", INBOX + "?show=all&at=oldest"),
    ("inbox, urgent tab", INBOX + "?show=urgent"),
    ("inbox, new messages tab", INBOX + "?show=unread"),
    ("inbox, filtered by category, last page", INBOX + "?show=all&category=corruption&at=oldest"),
    ("inbox, filtered by status, first page", INBOX + "?show=all&status=registered"),
    ("journal, as it opens", f"/staff/{BIG}/journal/"),
    ("journal, page 1", f"/staff/{BIG}/journal/?page=1"),
    ("dashboard (the quarter's figures)", f"/staff/{BIG}/reports/"),
]


def build(url: str, count: int) -> None:
    """In a process of its own (Django is set up once per process, on one database)."""
    harness.django_setup(url, VAULT_ARGON2_TIME="1", VAULT_ARGON2_MEMORY_KIB="64")
    from django.core.management import call_command
    from django.db import connection, transaction

    if connection.vendor == "sqlite":
        call_command("migrate", verbosity=0)
    with transaction.atomic(), connection.cursor() as cursor:
        _appeals(cursor, _schools(1), count, count)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")


def _database(settings: harness.Settings, count: int, sqlite: bool) -> str:
    if not sqlite:
        return harness.fresh_database(settings, f"growth_{count}")
    path = harness.OUT / f"growth-{count}.sqlite3"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)
    return f"sqlite:///{path}"


def run(scale: float, sqlite: bool = False) -> list[Figure]:
    settings = harness.Settings()
    sizes = SIZES if scale >= 0.5 else SIZES[:2]
    repeat = 20 if scale >= 0.5 else 8
    measured: dict[int, list] = {}
    name = "growth (SQLite)" if sqlite else "growth"
    for n, count in enumerate(sizes):
        url = _database(settings, count, sqlite)
        log(f"one school with {count:,} appeals{' on SQLite' if sqlite else ''} …")
        code = f"from bench.growth import build; build({url!r}, {count})"
        subprocess.run([harness.PYTHON, "-c", code], cwd=harness.ROOT, check=True)
        if n == 0:
            harness.collect_static(url)
        with harness.server(url, REDIS_URL=settings.redis_url, CACHE_PREFIX=f"bench-growth-{time.time_ns()}") as base:
            measured[count] = asyncio.run(measure(base, repeat, PAGES))
        if sqlite:
            (harness.OUT / f"growth-{count}.sqlite3").unlink()
        else:
            harness.database_drop(url)
    figures = []
    for index, (label, _url) in enumerate(PAGES):
        p95s = []
        for count in sizes:
            _label, times, note = measured[count][index]
            p95s.append(percentile(times, 95) * 1000 if times else float("nan"))
        shown = " / ".join(f"{p:.0f}" for p in p95s)
        flat = all(p < 100 for p in p95s) and p95s[-1] < 2 * max(p95s[0], 20)
        figures.append(
            Figure(name, f"{label}: p95 at " + " / ".join(f"{n // 1000}k" for n in sizes), shown, "ms",
                   "" if label == FLOOR else "< 100 ms, flat", None if label == FLOOR else flat, note)
        )  # fmt: skip
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--json", type=Path)
    parser.add_argument("--sqlite", action="store_true", help="on SQLite (files under bench/out) instead")
    options = parser.parse_args()
    figures = run(options.scale, options.sqlite)
    if options.json:
        options.json.write_text(json.dumps([asdict(f) for f in figures], ensure_ascii=False))
    else:
        from bench.table import table

        print(table(figures))


if __name__ == "__main__":
    main()
