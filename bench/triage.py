"""Benchmark 6: urgent triage on appeals it was not built from — recall, false alarms and time per appeal.

    python -m bench.triage                 # the figures, as `make bench` prints them
    python -m bench.triage --choose        # the operating point (appeals.triage.POINT) the protocol chooses
    python -m bench.triage --misses train  # also list what the training file gets wrong (never a judge batch)
    python -m bench --only triage          # through the common runner

Triage is rules (appeals/data/triage/*.txt) plus a model trained on every labelled appeal of
appeals.triage.training_rows (see appeals.triage). The appeals are one JSON object a line: text, language (ky ru
en uz mix), script (plain, latin, nodiac = Kyrgyz without ө/ү/ң, typos, cyrillic = Uzbek in Cyrillic), urgent
(true/false), concept (a code of appeals.triage.CONCEPTS, null when not urgent), split (its batch), and in most
blind batches style (the voice it is written in). Three sets (docs/triage.md, "The data"):

- the training file, appeals/data/triage/train.jsonl: written to teach the model; figures "seen";
- the blind batches, appeals/data/triage/blind/: written by writers who never saw the project, trained on, and
  read cross-fitted (cross_fit: FOLDS folds, one writer's batches in one fold, each read by the model trained
  without it). The operating point is chosen on these readings (choose);
- the judge batches, bench/data/triage_eval*.jsonl: written blind, never trained on, never used to choose
  anything, read by the shipped model. Their figures are the honest estimate of unseen appeals.

"rules alone" is the same appeals read with an empty model (appeals.triage.RULES_ONLY), the figure before the
model. Recall is the share of urgent appeals flagged, false alarms the share of harmless appeals flagged. No
database is needed. The history of each batch and round is in docs/triage.md.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parent / "data"  # the judge batches: never trained on
RECALL_TARGET = 0.98
FALSE_ALARM_TARGET = 0.08
FOLDS = 8  # the blind batches are scored cross-fitted: by a model trained without their fold
CHOICE_RECALL = 0.985  # the operating point: the fewest cross-fitted false alarms at this recall (see choose)
SAME_WRITER = {"fresh14": "fresh13", "fresh16": "fresh15"}  # batches one writer wrote stay in one fold


def _order(name: str) -> tuple[int, str]:
    """held-out first, then fresh4, fresh5 … in the order they were written."""
    digits = "".join(c for c in name if c.isdigit())
    return (int(digits) if digits else 0, name)


def blind_files() -> list[Path]:
    from appeals.triage import BLIND_DIR

    return sorted(BLIND_DIR.glob("*.jsonl"), key=lambda p: _order(p.stem))


def test_files() -> list[Path]:
    return sorted(DATA.glob("triage_eval*.jsonl"), key=lambda p: _order(p.stem))


def _read(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def load(split: str | None = None, kind: str = "all") -> list[dict]:
    """The appeals of one batch, or of every batch of a kind: "train" (the training file), "blind" (written
    blind, trained on), "test" (the judge batches, never trained on), or "all"."""
    from appeals.triage import TRAIN_FILE

    paths = {"train": [TRAIN_FILE], "blind": blind_files(), "test": test_files()}
    rows = [r for k, files in paths.items() if kind in ("all", k) for path in files for r in _read(path)]
    return [r for r in rows if split is None or r["split"] == split]


def batches(kind: str) -> list[str]:
    return list(dict.fromkeys(r["split"] for r in load(kind=kind)))


def folds() -> list[list[str]]:
    """The blind batches in FOLDS folds: one writer's batches in one fold, dealt in the order they were written."""
    writers = list(dict.fromkeys(SAME_WRITER.get(b, b) for b in batches("blind")))
    return [[b for b in batches("blind") if writers.index(SAME_WRITER.get(b, b)) % FOLDS == k] for k in range(FOLDS)]


def cross_fit() -> list[tuple[Any, list[dict]]]:
    """For every fold: the model trained on the training file and the other folds, and the fold's appeals."""
    from appeals.triage import model_train

    train, blind = load(kind="train"), load(kind="blind")
    return [
        (model_train(train + [r for r in blind if r["split"] not in fold]), [r for r in blind if r["split"] in fold])
        for fold in folds()
    ]


@dataclass
class Score:
    urgent: int = 0
    found: int = 0
    harmless: int = 0
    alarms: int = 0
    misses: list[dict] = field(default_factory=list)
    alarmed: list[tuple[dict, list]] = field(default_factory=list)

    @property
    def recall(self) -> float:
        return self.found / self.urgent if self.urgent else 1.0

    @property
    def false_alarms(self) -> float:
        return self.alarms / self.harmless if self.harmless else 0.0

    def add(self, row: dict, concepts: list) -> None:
        if row["urgent"]:
            self.urgent += 1
            self.found += bool(concepts)
            if not concepts:
                self.misses.append(row)
        else:
            self.harmless += 1
            self.alarms += bool(concepts)
            if concepts:
                self.alarmed.append((row, concepts))

    def shown(self) -> str:
        return (
            f"recall {self.recall:.1%} ({self.found}/{self.urgent}), "
            f"false alarms {self.false_alarms:.1%} ({self.alarms}/{self.harmless})"
        )


def django_ready() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ishenim.settings")
    import django

    django.setup()


def evaluate(rows: list[dict], trained=None, fitted: list[tuple[Any, list[dict]]] | None = None) -> dict[str, Score]:
    """Scores of every group: "all", "language:ky", "concept:suicide", "script:latin", "split:fresh5" …
    `trained`: the model to use (default: the shipped one); `fitted` (from cross_fit): each appeal read by its
    fold's model instead, and `rows` ignored."""
    from appeals.triage import urgent_concepts

    scores: dict[str, Score] = defaultdict(Score)
    for model, fold in fitted or [(trained, rows)]:
        for row in fold:
            concepts = urgent_concepts(row["text"], trained=model)
            groups = ["all", f"language:{row['language']}", f"script:{row['script']}", f"split:{row['split']}"]
            if row["concept"]:
                groups.append(f"concept:{row['concept']}")
            for group in groups:
                scores[group].add(row, concepts)
    return dict(scores)


def choose(fitted: list[tuple[Any, list[dict]]]) -> tuple[Any, Score]:
    """The operating point (appeals.triage.OperatingPoint) with the fewest cross-fitted false alarms at
    CHOICE_RECALL, on a grid of quarter steps (the veto in half steps), and its score. Thresholds chosen on the
    appeals themselves would flatter them; chosen on the other folds' models they transfer to the shipped one."""
    from appeals.triage import OperatingPoint, decide, read

    readings = [(row, read(row["text"], trained=model)) for model, fold in fitted for row in fold]
    urgent = [r for row, r in readings if row["urgent"] and r.words]
    harmless = [r for row, r in readings if not row["urgent"] and r.words]
    n_urgent = sum(row["urgent"] for row, _r in readings)
    best: tuple[Any, Score] | None = None
    steps = [x / 4 for x in range(-12, 13)]
    for point in (OperatingPoint(m, s, v / 2) for m in steps for s in steps for v in range(-10, 3)):
        found = sum(any(decide(r, point)) for r in urgent)
        if found >= CHOICE_RECALL * n_urgent:
            alarms = sum(any(decide(r, point)) for r in harmless)
            if best is None or alarms < best[1].alarms:
                best = (point, Score(n_urgent, found, len(readings) - n_urgent, alarms))
    if best is None:
        raise ValueError(f"no point of the grid reaches {CHOICE_RECALL:.0%} recall")
    return best


def microseconds_per_appeal(rows: list[dict], rounds: int = 20) -> tuple[float, float]:
    """Wall-clock and CPU time of urgent_concepts per appeal: on a busy machine the CPU time is the
    cost, the wall clock what a request waited."""
    from appeals.triage import urgent_concepts

    urgent_concepts("warm up")
    wall, cpu = time.perf_counter(), time.process_time()
    for _ in range(rounds):
        for row in rows:
            urgent_concepts(row["text"])
    n = rounds * len(rows)
    return (time.perf_counter() - wall) / n * 1e6, (time.process_time() - cpu) / n * 1e6


def _figures(name: str, scores: dict[str, Score], before: dict[str, Score], kinds: tuple[str, ...]) -> list:
    """Recall and false alarms of a set, then of each of its groups of `kinds` (split, language …)."""
    from bench.harness import Figure

    whole = scores["all"]
    figures = [
        Figure("triage", f"recall, {name}", whole.recall * 100, "%", "≥ 98 %", whole.recall >= RECALL_TARGET),
        Figure("triage", f"false alarms, {name}", whole.false_alarms * 100, "%", "≤ 8 %",
               whole.false_alarms <= FALSE_ALARM_TARGET, note=f"rules alone: {before['all'].shown()}"),
    ]  # fmt: skip
    for kind in kinds:
        for group in sorted((g for g in scores if g.startswith(kind + ":")), key=_order):
            score = scores[group]
            value = f"recall {score.recall:.1%} ({score.found}/{score.urgent})"
            if kind != "concept":
                value += f", false alarms {score.false_alarms:.1%} ({score.alarms}/{score.harmless})"
            figures.append(Figure("triage", f"{name}, {group.replace(':', ' ')}", value,
                                  note=f"rules alone {before[group].recall:.0%}"))  # fmt: skip
    return figures


def run(scale: float = 1.0) -> list:
    from appeals import triage
    from bench.harness import Figure

    django_ready()
    started = time.process_time()
    triage.model.cache_clear()
    triage.model()
    training = time.process_time() - started
    train, blind, test = load(kind="train"), load(kind="blind"), load(kind="test")
    fitted = cross_fit()
    figures = [
        Figure("triage", "training appeals", f"{len(train)} ({sum(r['urgent'] for r in train)} urgent)",
               note="appeals/data/triage/train.jsonl: " + ", ".join(batches("train"))),
        Figure("triage", "blind appeals (trained on, read cross-fitted)",
               f"{len(blind)} ({sum(r['urgent'] for r in blind)} urgent)",
               note=f"appeals/data/triage/blind/, {FOLDS} folds: " + " | ".join(", ".join(f) for f in folds())),
        Figure("triage", "judge appeals (never trained or tuned on)",
               f"{len(test)} ({sum(r['urgent'] for r in test)} urgent)",
               note=", ".join(f"bench/data/{p.name}" for p in test_files())),
    ]  # fmt: skip
    kinds = ("split", "language", "script", "concept")
    figures += _figures("blind, cross-fitted", evaluate([], fitted=fitted),
                        evaluate(blind, triage.RULES_ONLY), kinds)  # fmt: skip
    figures += _figures("judge", evaluate(test), evaluate(test, triage.RULES_ONLY), kinds)
    figures += [
        Figure("triage", "training and blind appeals, seen", evaluate(train + blind)["all"].shown()),
        Figure("triage", "model training (first use)", training * 1000, "ms CPU", "< 2,000 ms", training < 2,
               note="the model read from var/triage/ (training it: about 20 s)"),
    ]  # fmt: skip
    wall, cpu = microseconds_per_appeal(test + blind)
    figures.append(Figure("triage", "CPU time per appeal (urgent_concepts)", cpu, "µs", "< 5,000 µs", cpu < 5000,
                          note=f"wall clock {wall:,.0f} µs, load average {os.getloadavg()[0]:.1f}"))  # fmt: skip
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.triage", description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="ignored: the set has one size")
    parser.add_argument("--json", type=Path, help="write the figures as JSON (for python -m bench)")
    parser.add_argument("--misses", choices=["train"], help="list the misses and false alarms of the training file")
    parser.add_argument("--choose", action="store_true", help="search the operating point (see choose)")
    options = parser.parse_args()
    if options.choose:
        django_ready()
        point, score = choose(cross_fit())
        print(f"{point}: cross-fitted {score.shown()}")
        return 0
    figures = run(options.scale)
    if options.json:
        options.json.write_text(json.dumps([asdict(f) for f in figures], ensure_ascii=False))
        return 0
    from bench.table import table

    print(table(figures))
    if options.misses:
        score = evaluate(load(kind=options.misses))["all"]
        print(f"\nmissed ({len(score.misses)}):")
        for row in score.misses:
            print(f"  [{row['language']}/{row['concept']}] {row['text']}")
        print(f"\nfalse alarms ({len(score.alarmed)}):")
        for row, concepts in score.alarmed:
            print(f"  [{row['language']}] {row['text']}  ←  {concepts}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
