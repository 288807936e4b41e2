"""The table `python -m bench` prints: every figure, its target, and met / not met."""

from __future__ import annotations

from bench.harness import Figure


def table(figures: list[Figure]) -> str:
    rows = [("benchmark", "figure", "value", "target", "")]
    for f in figures:
        verdict = "" if f.met is None else ("met" if f.met else "NOT MET")
        rows.append((f.benchmark, f.name, f.shown(), f.target, verdict))
    widths = [max(len(r[i]) for r in rows) for i in range(5)]
    lines = []
    for n, row in enumerate(rows):
        lines.append("  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    notes = [f"  {f.benchmark} · {f.name}: {f.note}" for f in figures if f.note]
    if notes:
        lines += ["", "notes:", *notes]
    return "\n".join(lines)


def summary(figures: list[Figure]) -> str:
    judged = [f for f in figures if f.met is not None]
    missed = [f for f in judged if not f.met]
    line = f"{len(judged) - len(missed)} of {len(judged)} targets met"
    if missed:
        line += "; not met: " + "; ".join(f"{f.benchmark} · {f.name} ({f.shown()}, target {f.target})" for f in missed)
    return line
