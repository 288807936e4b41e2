"""The triage figures, pinned: a change of the rule files, of the labelled appeals or of the model that finds
fewer urgent appeals, or raises more false alarms, fails here.

Two sets are measured (docs/triage.md "The data"):
- the blind batches (appeals/data/triage/blind/), written by writers who never saw the project. The model is
  trained on them, so each is read cross-fitted: by the model trained without its fold (bench.triage.cross_fit),
  and the operating point is chosen on those readings (bench.triage.choose);
- the judge batches (bench/data/triage_eval*.jsonl), written blind too and never trained on nor used to choose
  anything: the honest estimate of appeals nobody has written yet.
When triage gets better, raise the pins (`python -m bench.triage`); never add a judge appeal to the training."""

import pytest

from appeals import triage
from bench.triage import FOLDS, SAME_WRITER, batches, choose, cross_fit, evaluate, folds, load

# the blind batches, cross-fitted: found = urgent appeals flagged (at least), alarms = harmless ones flagged (at most)
PINNED_BLIND = {
    "all": {"found": 2777, "urgent": 2818, "alarms": 109, "harmless": 2784},
    "concept:domestic": {"found": 315, "urgent": 316, "alarms": 0, "harmless": 0},
    "concept:marriage": {"found": 303, "urgent": 303, "alarms": 0, "harmless": 0},
    "concept:missing": {"found": 289, "urgent": 298, "alarms": 0, "harmless": 0},
    "concept:neglect": {"found": 302, "urgent": 306, "alarms": 0, "harmless": 0},
    "concept:poisoning": {"found": 298, "urgent": 307, "alarms": 0, "harmless": 0},
    "concept:sexual": {"found": 312, "urgent": 315, "alarms": 0, "harmless": 0},
    "concept:suicide": {"found": 342, "urgent": 348, "alarms": 0, "harmless": 0},
    "concept:violence": {"found": 315, "urgent": 316, "alarms": 0, "harmless": 0},
    "concept:weapons": {"found": 301, "urgent": 309, "alarms": 0, "harmless": 0},
    "language:en": {"found": 373, "urgent": 381, "alarms": 25, "harmless": 416},
    "language:ky": {"found": 1094, "urgent": 1106, "alarms": 44, "harmless": 1065},
    "language:mix": {"found": 45, "urgent": 46, "alarms": 1, "harmless": 45},
    "language:ru": {"found": 824, "urgent": 839, "alarms": 31, "harmless": 849},
    "language:uz": {"found": 441, "urgent": 446, "alarms": 8, "harmless": 409},
    "split:fresh10": {"found": 80, "urgent": 81, "alarms": 1, "harmless": 79},
    "split:fresh11": {"found": 78, "urgent": 81, "alarms": 3, "harmless": 79},
    "split:fresh12": {"found": 80, "urgent": 81, "alarms": 1, "harmless": 81},
    "split:fresh13": {"found": 89, "urgent": 89, "alarms": 3, "harmless": 94},
    "split:fresh14": {"found": 87, "urgent": 88, "alarms": 1, "harmless": 90},
    "split:fresh15": {"found": 87, "urgent": 87, "alarms": 8, "harmless": 88},
    "split:fresh16": {"found": 86, "urgent": 87, "alarms": 6, "harmless": 87},
    "split:fresh17": {"found": 125, "urgent": 126, "alarms": 6, "harmless": 133},
    "split:fresh18": {"found": 123, "urgent": 124, "alarms": 8, "harmless": 133},
    "split:fresh19": {"found": 123, "urgent": 125, "alarms": 9, "harmless": 125},
    "split:fresh20": {"found": 124, "urgent": 125, "alarms": 2, "harmless": 125},
    "split:fresh21": {"found": 121, "urgent": 125, "alarms": 2, "harmless": 125},
    "split:fresh22": {"found": 124, "urgent": 125, "alarms": 3, "harmless": 125},
    "split:fresh23": {"found": 125, "urgent": 125, "alarms": 2, "harmless": 125},
    "split:fresh24": {"found": 125, "urgent": 125, "alarms": 6, "harmless": 125},
    "split:fresh25": {"found": 124, "urgent": 125, "alarms": 4, "harmless": 125},
    "split:fresh26": {"found": 125, "urgent": 125, "alarms": 5, "harmless": 125},
    "split:fresh27": {"found": 123, "urgent": 125, "alarms": 3, "harmless": 125},
    "split:fresh28": {"found": 124, "urgent": 125, "alarms": 13, "harmless": 125},
    "split:fresh29": {"found": 125, "urgent": 125, "alarms": 11, "harmless": 125},
    "split:fresh30": {"found": 125, "urgent": 125, "alarms": 7, "harmless": 125},
    "split:fresh4": {"found": 42, "urgent": 45, "alarms": 1, "harmless": 29},
    "split:fresh5": {"found": 81, "urgent": 82, "alarms": 0, "harmless": 78},
    "split:fresh6": {"found": 76, "urgent": 82, "alarms": 1, "harmless": 78},
    "split:fresh7": {"found": 80, "urgent": 82, "alarms": 1, "harmless": 78},
    "split:fresh8": {"found": 51, "urgent": 55, "alarms": 1, "harmless": 45},
    "split:fresh9": {"found": 46, "urgent": 48, "alarms": 1, "harmless": 40},
    "split:held-out": {"found": 78, "urgent": 80, "alarms": 0, "harmless": 72},
}
# the judge batches, read by the shipped model
PINNED_JUDGE = {
    "all": {"found": 493, "urgent": 500, "alarms": 11, "harmless": 500},
    "concept:domestic": {"found": 56, "urgent": 56, "alarms": 0, "harmless": 0},
    "concept:marriage": {"found": 55, "urgent": 55, "alarms": 0, "harmless": 0},
    "concept:missing": {"found": 52, "urgent": 54, "alarms": 0, "harmless": 0},
    "concept:neglect": {"found": 56, "urgent": 56, "alarms": 0, "harmless": 0},
    "concept:poisoning": {"found": 55, "urgent": 55, "alarms": 0, "harmless": 0},
    "concept:sexual": {"found": 56, "urgent": 56, "alarms": 0, "harmless": 0},
    "concept:suicide": {"found": 54, "urgent": 56, "alarms": 0, "harmless": 0},
    "concept:violence": {"found": 56, "urgent": 56, "alarms": 0, "harmless": 0},
    "concept:weapons": {"found": 53, "urgent": 56, "alarms": 0, "harmless": 0},
    "language:en": {"found": 76, "urgent": 76, "alarms": 1, "harmless": 75},
    "language:ky": {"found": 194, "urgent": 200, "alarms": 5, "harmless": 200},
    "language:ru": {"found": 149, "urgent": 150, "alarms": 5, "harmless": 150},
    "language:uz": {"found": 74, "urgent": 74, "alarms": 0, "harmless": 75},
    "split:fresh31": {"found": 125, "urgent": 125, "alarms": 8, "harmless": 125},
    "split:fresh32": {"found": 121, "urgent": 125, "alarms": 0, "harmless": 125},
    "split:fresh33": {"found": 124, "urgent": 125, "alarms": 3, "harmless": 125},
    "split:fresh34": {"found": 123, "urgent": 125, "alarms": 0, "harmless": 125},
}
# the rules alone on the blind batches (the figures before the model): the model must find at least model_adds
# more, and raise the alarms by at most model_alarms (below zero: its veto removes more than it raises)
RULES_ALONE = {"found": 2002, "alarms": 353, "model_adds": 775, "model_alarms": -244}


@pytest.fixture(scope="module")
def fitted():
    return cross_fit()


@pytest.fixture(scope="module")
def blind(fitted):
    return evaluate([], fitted=fitted)


@pytest.fixture(scope="module")
def judge():
    return evaluate(load(kind="test"))


def test_the_sets_are_big_enough_balanced_and_apart():
    train, blind, test = load(kind="train"), load(kind="blind"), load(kind="test")
    assert len(train) >= 1000 and len(blind) >= 5000 and len(test) >= 1000
    sets = [(train, "train"), (blind, "blind"), (test, "test")]
    for (rows, kind), (others, other) in ((a, b) for a in sets for b in sets if a[1] < b[1]):
        assert set(batches(kind)).isdisjoint(batches(other))
        assert {r["text"].casefold().strip() for r in rows}.isdisjoint(r["text"].casefold().strip() for r in others)
    # the blind and judge batches half urgent (issue 11); the training file may lean harmless (extra12-16: everyday
    # messages and stories written to teach the model what is not danger)
    for rows, least in ((train, 0.4), (blind, 0.45), (test, 0.45)):
        assert least <= sum(r["urgent"] for r in rows) / len(rows) <= 0.6
        assert all(r["concept"] in triage.CONCEPTS for r in rows if r["urgent"])
        assert not any(r["concept"] for r in rows if not r["urgent"])
        assert {r["language"] for r in rows} >= {"ky", "ru", "en", "uz"}
    for batch in batches("blind") + batches("test"):
        assert {r["concept"] for r in load(batch) if r["urgent"]} == set(triage.CONCEPTS) - {"school", "server"}


def test_the_shipped_model_learns_from_the_training_file_and_the_blind_batches_only():
    assert len(triage.training_rows()) == len(load(kind="train")) + len(load(kind="blind"))
    assert not set(batches("test")) & {r["split"] for r in triage.training_rows()}


def test_one_writer_stays_in_one_fold():
    dealt = folds()
    assert len(dealt) == FOLDS and all(len(fold) >= 3 for fold in dealt)
    assert sorted(b for fold in dealt for b in fold) == sorted(batches("blind"))
    for batch, first in SAME_WRITER.items():
        assert any({batch, first} <= set(fold) for fold in dealt)


def test_the_operating_point_is_the_one_chosen_on_the_cross_fitted_readings(fitted):
    point, score = choose(fitted)
    assert point == triage.POINT, f"choose() finds {point}: {score.shown()}"


@pytest.mark.parametrize(
    ("kind", "group"), [(k, g) for k, pins in (("blind", PINNED_BLIND), ("judge", PINNED_JUDGE)) for g in pins]
)
def test_the_figures_do_not_fall(request, kind, group):
    pinned = (PINNED_BLIND if kind == "blind" else PINNED_JUDGE)[group]
    score = request.getfixturevalue(kind)[group]  # the cross-fitted readings, or the judge's
    assert (score.urgent, score.harmless) == (pinned["urgent"], pinned["harmless"]), "the set changed: re-pin"
    # no text is shown: the judge batches are not for tuning
    assert score.found >= pinned["found"], score.shown()
    assert score.alarms <= pinned["alarms"], score.shown()


def test_the_targets_of_issue_11_hold_on_both_sets(blind, judge):
    for scores in (blind, judge):
        assert scores["all"].recall >= 0.98 and scores["all"].false_alarms <= 0.08, scores["all"].shown()


def test_the_model_finds_what_the_rules_miss(blind):
    before = evaluate(load(kind="blind"), triage.RULES_ONLY)
    assert (before["all"].found, before["all"].alarms) == (RULES_ALONE["found"], RULES_ALONE["alarms"])
    assert blind["all"].found - before["all"].found >= RULES_ALONE["model_adds"]
    assert blind["all"].alarms - before["all"].alarms <= RULES_ALONE["model_alarms"]
