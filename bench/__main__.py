"""`make bench` / `python -m bench`: run every benchmark and print one table.

    python -m bench                  # everything at full scale (1,000,000 appeals)
    python -m bench --quick          # everything at 2 % scale, short load runs: a smoke test
    python -m bench --only verify,phone
    python -m bench --only triage    # the triage evaluation alone (no database needed)
    python -m bench --record         # also write the table into bench/RESULTS.md

Needs PostgreSQL (BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/ishenim_bench;
the benchmark creates and drops its own databases named after it) and Redis (BENCH_REDIS_URL,
default redis://127.0.0.1:6379/0; keys under a prefix of their own, removed afterwards).
The large data sets are built once and reused while the schema stays the same.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
import time

from bench import harness
from bench.harness import Figure
from bench.table import summary, table

BENCHMARKS = {
    "submission": "1. submitting an appeal under load",
    "pages": "2. staff inbox and journal pages with 1,000,000 appeals",
    "verify": "3. journal verification of a 1,000,000-entry chain",
    "phone": "4. public pages on a phone over slow 3G",
    "documents": "5. documents: the journal volume and the quarterly report",
    "triage": "6. urgent triage: recall and false alarms on the evaluation set",
    "alerts": "7. urgent alerts: from the child's POST to a phone (fake Telegram), and escalation",
    "attacks": "8. the most expensive anonymous requests: CPU seconds and peak memory",
    "growth": "9. growth: one school's staff pages at 1,000, 10,000 and 100,000 appeals",
}
NEEDS_NO_DATABASE = {"triage", "attacks"}
RESULTS = harness.ROOT / "bench" / "RESULTS.md"


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="2 %% scale and short runs (a smoke test)")
    parser.add_argument("--scale", type=float, help="data set scale, 1.0 = one million appeals")
    parser.add_argument("--only", help=f"comma-separated subset of: {', '.join(BENCHMARKS)}")
    parser.add_argument("--record", action="store_true", help=f"write the results into {RESULTS.name}")
    options = parser.parse_args()
    scale = options.scale if options.scale is not None else (0.02 if options.quick else 1.0)
    chosen = [name.strip() for name in options.only.split(",")] if options.only else list(BENCHMARKS)
    unknown = [name for name in chosen if name not in BENCHMARKS]
    if unknown:
        parser.error(f"unknown benchmark {', '.join(unknown)}; choose from {', '.join(BENCHMARKS)}")

    settings = harness.Settings()
    problem = harness.postgres_ready(settings.database_url) if set(chosen) - NEEDS_NO_DATABASE else ""
    if problem:
        print(f"The benchmarks need PostgreSQL at {settings.database_url}: {problem}", file=sys.stderr)
        print("Set BENCH_DATABASE_URL to a server where this user may create databases.", file=sys.stderr)
        return 2
    harness.OUT.mkdir(parents=True, exist_ok=True)
    print(f"Ishenim benchmarks, scale {scale:g}, on {harness.machine()}", flush=True)
    started = time.perf_counter()
    load_before = os.getloadavg()[0]
    figures: list[Figure] = []
    for name in chosen:
        print(f"\n{BENCHMARKS[name]} …", flush=True)
        t0 = time.perf_counter()
        figures += _run(name, scale)
        print(f"  ({time.perf_counter() - t0:.0f} s)", flush=True)
    total = time.perf_counter() - started
    figures.append(Figure("all", "time for these benchmarks", total / 60, "min", "< 20 min", total < 20 * 60))
    figures.append(
        Figure("all", "machine load (1-minute average) at start / end", f"{load_before:.1f} / {os.getloadavg()[0]:.1f}",
               note=f"on {os.cpu_count()} cores: above {os.cpu_count()} the benchmarks waited for the CPU")
    )  # fmt: skip
    print("\n" + table(figures) + "\n\n" + summary(figures))
    report = _report(figures, scale, total)
    (harness.OUT / "results.md").write_text(report)
    if options.record:
        _record(report)
        print(f"\nwritten to {RESULTS.relative_to(harness.ROOT)}")
    return 0


def _run(name: str, scale: float) -> list[Figure]:
    """One benchmark in a process of its own; a failure becomes a figure, not the end of the run."""
    out = harness.OUT / f"{name}.json"
    out.unlink(missing_ok=True)
    result = subprocess.run(
        [harness.PYTHON, "-m", f"bench.{name}", "--scale", str(scale), "--json", str(out)],
        cwd=harness.ROOT,
        check=False,
        stderr=subprocess.PIPE,
        text=True,
    )
    for line in result.stderr.splitlines():
        if line.startswith("  · "):
            print(line, flush=True)
    if result.returncode != 0 or not out.exists():
        (harness.OUT / f"{name}.log").write_text(result.stderr)
        last = (result.stderr.strip().splitlines() or ["no output"])[-1]
        return [
            Figure(
                name, "benchmark failed", "error", target="runs", met=False, note=f"{last} (see bench/out/{name}.log)"
            )
        ]
    return [Figure(**item) for item in json.loads(out.read_text())]


def _record(report: str) -> None:
    """Put the figures between the markers of RESULTS.md, keeping what is written around them."""
    start, end = "<!-- results -->", "<!-- /results -->"
    text = RESULTS.read_text() if RESULTS.exists() else f"{start}\n{end}\n"
    if start not in text or end not in text:
        text = f"{start}\n{end}\n\n{text}"
    before, rest = text.split(start, 1)
    after = rest.split(end, 1)[1]
    RESULTS.write_text(f"{before}{start}\n{report}\n{end}{after}")


def _report(figures: list[Figure], scale: float, total: float) -> str:
    when = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=harness.ROOT, capture_output=True, text=True, check=False
    ).stdout.strip()
    lines = [
        "# Benchmark results",
        "",
        f"- **date**: {when} (commit {commit or 'unknown'})",
        f"- **machine**: {harness.machine()}",
        f"- **scale**: {scale:g} (1 = 1,000,000 appeals in 500 schools); total time {total / 60:.1f} min",
        "- **how**: `make bench` (`python -m bench --record` writes this file); see `bench/__main__.py`",
        "",
        "| benchmark | figure | value | target | |",
        "|---|---|---|---|---|",
    ]
    for f in figures:
        verdict = "" if f.met is None else ("met" if f.met else "**not met**")
        lines.append(f"| {f.benchmark} | {f.name} | {f.shown()} | {f.target} | {verdict} |")
    notes = [f"- {f.benchmark} · {f.name}: {f.note}" for f in figures if f.note]
    lines += ["", summary(figures), ""]
    if notes:
        lines += ["Notes:", "", *notes, ""]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
