"""The triage figures, pinned: a change of the rule files, of the training appeals or of the model that finds
fewer urgent appeals, or raises more false alarms, fails here.

The figures that matter are those of the test batches (bench/data/triage_eval*.jsonl): appeals the model was
not trained on and no threshold was chosen on. When triage gets better, raise the pins (`python -m bench.triage`);
never add a test batch's appeals to the training file."""

import pytest

from appeals import triage
from bench.triage import batches, cross_validate, evaluate, load

# found = urgent appeals flagged (at least), alarms = harmless appeals flagged (at most), on the test batches
PINNED = {
    "all": {"found": 2040, "urgent": 2068, "alarms": 253, "harmless": 2034},
    "concept:domestic": {"found": 231, "urgent": 232, "alarms": 0, "harmless": 0},
    "concept:marriage": {"found": 218, "urgent": 219, "alarms": 0, "harmless": 0},
    "concept:missing": {"found": 216, "urgent": 220, "alarms": 0, "harmless": 0},
    "concept:neglect": {"found": 221, "urgent": 222, "alarms": 0, "harmless": 0},
    "concept:poisoning": {"found": 217, "urgent": 223, "alarms": 0, "harmless": 0},
    "concept:sexual": {"found": 228, "urgent": 231, "alarms": 0, "harmless": 0},
    "concept:suicide": {"found": 259, "urgent": 264, "alarms": 0, "harmless": 0},
    "concept:violence": {"found": 232, "urgent": 232, "alarms": 0, "harmless": 0},
    "concept:weapons": {"found": 218, "urgent": 225, "alarms": 0, "harmless": 0},
    "language:en": {"found": 300, "urgent": 301, "alarms": 59, "harmless": 322},
    "language:ky": {"found": 789, "urgent": 797, "alarms": 93, "harmless": 780},
    "language:mix": {"found": 45, "urgent": 46, "alarms": 1, "harmless": 45},
    "language:ru": {"found": 587, "urgent": 602, "alarms": 77, "harmless": 598},
    "language:uz": {"found": 319, "urgent": 322, "alarms": 23, "harmless": 289},
    "split:fresh10": {"found": 81, "urgent": 81, "alarms": 4, "harmless": 79},
    "split:fresh11": {"found": 80, "urgent": 81, "alarms": 9, "harmless": 79},
    "split:fresh12": {"found": 80, "urgent": 81, "alarms": 9, "harmless": 81},
    "split:fresh13": {"found": 89, "urgent": 89, "alarms": 12, "harmless": 94},
    "split:fresh14": {"found": 87, "urgent": 88, "alarms": 11, "harmless": 90},
    "split:fresh15": {"found": 85, "urgent": 87, "alarms": 19, "harmless": 88},
    "split:fresh16": {"found": 87, "urgent": 87, "alarms": 21, "harmless": 87},
    "split:fresh17": {"found": 125, "urgent": 126, "alarms": 23, "harmless": 133},
    "split:fresh18": {"found": 124, "urgent": 124, "alarms": 25, "harmless": 133},
    "split:fresh19": {"found": 122, "urgent": 125, "alarms": 21, "harmless": 125},
    "split:fresh20": {"found": 123, "urgent": 125, "alarms": 18, "harmless": 125},
    "split:fresh21": {"found": 119, "urgent": 125, "alarms": 7, "harmless": 125},
    "split:fresh22": {"found": 125, "urgent": 125, "alarms": 19, "harmless": 125},
    "split:fresh23": {"found": 122, "urgent": 125, "alarms": 15, "harmless": 125},
    "split:fresh24": {"found": 125, "urgent": 125, "alarms": 16, "harmless": 125},
    "split:fresh4": {"found": 44, "urgent": 45, "alarms": 3, "harmless": 29},
    "split:fresh5": {"found": 81, "urgent": 82, "alarms": 2, "harmless": 78},
    "split:fresh6": {"found": 80, "urgent": 82, "alarms": 6, "harmless": 78},
    "split:fresh7": {"found": 82, "urgent": 82, "alarms": 4, "harmless": 78},
    "split:fresh8": {"found": 53, "urgent": 55, "alarms": 2, "harmless": 45},
    "split:fresh9": {"found": 46, "urgent": 48, "alarms": 2, "harmless": 40},
    "split:held-out": {"found": 80, "urgent": 80, "alarms": 5, "harmless": 72},
}
# the rules alone on the same batches (the figures before the model): the model must find at least model_adds
# more, and raise the alarms by at most model_alarms (below zero: its veto removes more than it raises)
RULES_ALONE = {"found": 1471, "alarms": 253, "model_adds": 569, "model_alarms": 0}
# leave-one-batch-out over the training batches, the model alone: found at least, alarms at most
CROSS_VALIDATED = {"found": 1368, "alarms": 300}


@pytest.fixture(scope="module")
def scores():
    return evaluate(load(kind="test"))


def test_the_sets_are_big_enough_balanced_and_apart():
    train, test = load(kind="train"), load(kind="test")
    assert len(train) >= 1000 and len(test) >= 500
    assert set(batches("train")).isdisjoint(batches("test"))
    assert {r["text"].casefold().strip() for r in train}.isdisjoint(r["text"].casefold().strip() for r in test)
    # the test batches about half urgent (issue 11); the training ones may lean harmless (extra12-16: everyday
    # messages and stories written to teach the model what is not danger)
    for rows, least in ((train, 0.4), (test, 0.45)):
        assert least <= sum(r["urgent"] for r in rows) / len(rows) <= 0.6
        assert all(r["concept"] in triage.CONCEPTS for r in rows if r["urgent"])
        assert not any(r["concept"] for r in rows if not r["urgent"])
        assert {r["language"] for r in rows} == {"ky", "ru", "en", "uz", "mix"}
    for batch in batches("test"):
        assert {r["concept"] for r in load(batch) if r["urgent"]} == set(triage.CONCEPTS) - {"school", "server"}


@pytest.mark.parametrize("group", PINNED)
def test_the_figures_do_not_fall(scores, group):
    pinned, score = PINNED[group], scores[group]
    assert (score.urgent, score.harmless) == (pinned["urgent"], pinned["harmless"]), "the set changed: re-pin"
    # no text is shown: the test batches are not for tuning
    assert score.found >= pinned["found"], score.shown()
    assert score.alarms <= pinned["alarms"], score.shown()


def test_the_model_finds_what_the_rules_miss(scores):
    before = evaluate(load(kind="test"), triage.RULES_ONLY)
    assert (before["all"].found, before["all"].alarms) == (RULES_ALONE["found"], RULES_ALONE["alarms"])
    assert scores["all"].found - before["all"].found >= RULES_ALONE["model_adds"]
    assert scores["all"].alarms - before["all"].alarms <= RULES_ALONE["model_alarms"]


def test_the_model_generalises_across_batches():
    alone, _combined = cross_validate()
    assert alone.found >= CROSS_VALIDATED["found"], alone.shown()
    assert alone.alarms <= CROSS_VALIDATED["alarms"], alone.shown()
