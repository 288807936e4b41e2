"""The triage figures on the evaluation set (bench/data/triage_eval.jsonl), pinned: a change of the
rule files that finds fewer urgent appeals, or raises more false alarms, fails here.

When the rules get better, raise the pins to the new figures (`python -m bench.triage`)."""

import pytest

from bench.triage import evaluate, load

# found = urgent appeals flagged (at least), alarms = harmless appeals flagged (at most)
PINNED = {
    "all": {"found": 252, "urgent": 259, "alarms": 3, "harmless": 247},
    "split:dev": {"found": 178, "urgent": 179, "alarms": 0, "harmless": 175},
    "split:held-out": {"found": 74, "urgent": 80, "alarms": 3, "harmless": 72},
    "language:ky": {"found": 83, "urgent": 84, "alarms": 1, "harmless": 83},
    "language:ru": {"found": 77, "urgent": 81, "alarms": 1, "harmless": 74},
    "language:en": {"found": 39, "urgent": 39, "alarms": 0, "harmless": 35},
    "language:uz": {"found": 38, "urgent": 40, "alarms": 1, "harmless": 40},
    "language:mix": {"found": 15, "urgent": 15, "alarms": 0, "harmless": 15},
    "concept:suicide": {"found": 52, "urgent": 54, "alarms": 0, "harmless": 0},
    "concept:violence": {"found": 38, "urgent": 40, "alarms": 0, "harmless": 0},
    "concept:weapons": {"found": 26, "urgent": 26, "alarms": 0, "harmless": 0},
    "concept:sexual": {"found": 29, "urgent": 30, "alarms": 0, "harmless": 0},
    "concept:domestic": {"found": 24, "urgent": 25, "alarms": 0, "harmless": 0},
    "concept:neglect": {"found": 21, "urgent": 22, "alarms": 0, "harmless": 0},
    "concept:marriage": {"found": 21, "urgent": 21, "alarms": 0, "harmless": 0},
    "concept:poisoning": {"found": 21, "urgent": 21, "alarms": 0, "harmless": 0},
    "concept:missing": {"found": 20, "urgent": 20, "alarms": 0, "harmless": 0},
}


@pytest.fixture(scope="module")
def scores():
    return evaluate(load())


def test_the_set_is_big_enough_and_balanced():
    rows = load()
    assert len(rows) >= 500
    urgent = [r for r in rows if r["urgent"]]
    assert 0.45 <= len(urgent) / len(rows) <= 0.55
    assert all(r["concept"] for r in urgent) and not any(r["concept"] for r in rows if not r["urgent"])
    assert {r["language"] for r in rows} == {"ky", "ru", "en", "uz", "mix"}
    held = [r for r in rows if r["split"] == "held-out"]
    assert 0.25 <= len(held) / len(rows) <= 0.35


@pytest.mark.parametrize("group", PINNED)
def test_the_figures_do_not_fall(scores, group):
    pinned, score = PINNED[group], scores[group]
    assert (score.urgent, score.harmless) == (pinned["urgent"], pinned["harmless"]), "the set changed: re-pin"
    # the texts are listed for the development part only: the held-out part is not for tuning
    shown = group != "split:held-out"
    assert score.found >= pinned["found"], [r["text"] for r in score.misses if shown and r["split"] == "dev"]
    assert score.alarms <= pinned["alarms"], [r["text"] for r, _c in score.alarmed if shown and r["split"] == "dev"]


def test_the_targets_of_the_issue_hold_on_the_whole_set(scores):
    # false alarms ≤ 8 % holds; recall ≥ 98 % is not reached yet (97.3 % all, 92.5 % held out): the floor
    # here is today's figure, so it can only go up
    assert scores["all"].false_alarms <= 0.08 and scores["split:held-out"].false_alarms <= 0.08
    assert scores["all"].recall >= 0.972
