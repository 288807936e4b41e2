"""Urgent triage (R22): does an appeal speak of danger to life or health, and of which kind?

The rules live in `appeals/data/triage/`, one file per **concept** (suicide and
self-harm, violence, weapons, sexual abuse, violence at home, neglect, forced
marriage, poisoning, a missing child), plus `exceptions.txt` (idioms and warnings
that mention death or killing harmlessly). The format is described in
`appeals/data/triage/README.txt`. A server may add words with the
ISHENIM_URGENT_WORDS_FILE environment variable, and each school its own list
(`UrgentWords`, edited by staff): those count as the concepts "server list" and
"school list".

How a text is matched. It is cut into words (a hyphen separates words, an
apostrophe does not: «o'ldir», "don't"), and every word is normalised three
ways, once for each family of rules:

- Kyrgyz and Russian rules see every word in Cyrillic: Latin words are
  transliterated (sh/ch/zh/ya/yu/kh/ts, j → ж, y → ы or й, w → ш, x and h → х,
  ö/ü/ñ and ng → ө/ү/ң, 4/6/3 inside words → ч/ш/з), Latin look-alike letters in a
  Cyrillic word are made Cyrillic. Then case, ё/е, э/е, щ/ш, й/и, ь/ъ and
  repeated letters («помогииите», «сабоо» → «сабо») are folded, and ө/ү/ң are
  folded to о/у/н, because many children type Kyrgyz without them. Words that
  came from Latin letters fold ы/и as well (jashagym, jashagim).
- English rules see the Latin words, case and repeated letters folded.
- Uzbek rules (written in Latin) see Latin words and Uzbek Cyrillic transliterated
  to Latin, with apostrophes, q/k and x/h folded (o'ldiraman, oldiraman, ўлдираман).

The one collision the ө/ү folding makes, «өлтүр» (kill) with «олтур» (sit), is
resolved by exceptions: an exception written without ө/ү/ң compares the word as
typed, so «олтурду» (sat) is harmless while «өлтүрдү» (killed) is not, and a
rule with an object («мени олтур*», "kill me") still fires, because an exception
removes only hits it fully contains.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
from array import array
from collections import Counter
from dataclasses import dataclass, field
from functools import cache, lru_cache
from math import exp, log, sqrt
from pathlib import Path
from random import Random
from typing import TYPE_CHECKING, cast

from django.conf import settings
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django.utils.functional import _StrPromise as StrPromise

DATA_DIR = Path(__file__).resolve().parent / "data" / "triage"
ENV_FILE = "ISHENIM_URGENT_WORDS_FILE"

# Concept code → label shown to staff. The order is the order of the files and of the labels shown.
CONCEPTS = {
    "suicide": _("suicide or self-harm"),
    "violence": _("violence or injury"),
    "weapons": _("weapons or an attack on the school"),
    "sexual": _("sexual abuse or grooming"),
    "domestic": _("violence at home"),
    "neglect": _("neglect, a child left alone"),
    "marriage": _("forced or early marriage, bride kidnapping"),
    "poisoning": _("poisoning, overdose or drugs"),
    "missing": _("a missing or runaway child"),
    "school": _("the school's own urgent words"),
    "server": _("the server's urgent words"),
}
STREAMS = {"ky": "cyr", "ru": "cyr", "en": "en", "uz": "uz"}
GAP = 3  # ".." in a rule: at most this many words in between

# --- Normalisation ------------------------------------------------------------------------------

_TOKEN = re.compile(r"[^\W_]+(?:['’ʻʼ‘`´][^\W_]+)*")
_APOSTROPHES = str.maketrans("", "", "'’ʻʼ‘`´")
_REPEATS = re.compile(r"(.)\1+")
_RUNS = re.compile(r"(.)\1\1+")
_CYRILLIC = re.compile(r"[а-яёөүңўқғҳ]")
_LATIN = re.compile(r"[a-zöüñŋışçğ]")
_HOMOGLYPHS = str.maketrans("aeopcxykmthb", "аеорсхукмтнв")
_FOLD = str.maketrans("өүңэщй", "оунеши", "ьъ")
_LATFOLD = str.maketrans("ыу", "ии")  # Latin Kyrgyz: y, u and i stand for ы, ү, у and и
# Children's commonest spelling slips in Russian: unstressed о/а, е/и/я, ю/у («отровился», «умиреть», «хочю»).
_LOOSE = str.maketrans("оеяюөүжздбвг", "аиауаушстпфк")  # and voiced/voiceless: «замуш», «нош»
# Kyrgyz keeps its vowels (vowel harmony tells «өгөй» from «агай») but voices a final consonant
# before an ending: «бычак» → «бычагын», «сабап» → «сабабы».
_VOICELESS = str.maketrans("жздбвг", "шстпфк")
LOOSE_MIN = 4  # shorter rule words are compared strictly: «бил» must not be «был»
_LATIN_TO_CYR = [
    ("shch", "щ"), ("sch", "щ"), ("sh", "ш"), ("ch", "ч"), ("zh", "ж"), ("kh", "х"), ("ts", "ц"),
    ("ya", "я"), ("yu", "ю"), ("yo", "е"), ("ye", "е"), ("ja", "жа"), ("ju", "жу"),
]  # fmt: skip
_LATIN_TO_CYR_RE = re.compile("|".join(k for k, _v in _LATIN_TO_CYR))
_LATIN_ONE = str.maketrans(
    {"a": "а", "b": "б", "v": "в", "g": "г", "d": "д", "e": "е", "z": "з", "i": "и", "k": "к", "l": "л",
     "m": "м", "n": "н", "o": "о", "p": "п", "r": "р", "s": "с", "t": "т", "u": "у", "f": "ф", "h": "х",
     "c": "ц", "j": "ж", "q": "к", "x": "х", "w": "ш", "ö": "ө", "ü": "ү", "ñ": "ң", "ŋ": "ң", "ı": "ы",
     "ş": "ш", "ç": "ч", "ğ": "г", "4": "ч", "6": "ш", "3": "з"}
)  # fmt: skip
_CYR_TO_UZ = str.maketrans(
    {"а": "a", "б": "b", "в": "v", "г": "g", "ғ": "g", "д": "d", "е": "e", "ё": "yo", "ж": "j", "з": "z",
     "и": "i", "й": "y", "к": "k", "қ": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r",
     "с": "s", "т": "t", "у": "u", "ў": "o", "ф": "f", "х": "h", "ҳ": "h", "ц": "ts", "ч": "ch", "ш": "sh",
     "щ": "sh", "ъ": "", "ь": "", "э": "e", "ю": "yu", "я": "ya", "ы": "i", "ө": "o", "ү": "u", "ң": "ng"}
)  # fmt: skip
_VOWELS = set("aeiouöüыаеиоуөүэяюё")


def _collapse(word: str) -> str:
    return _REPEATS.sub(r"\1", word)


def _two(word: str) -> str:
    """Runs of three or more letters cut to two: «помогииите» → «помогиите», «уууланды» → «ууланды»."""
    return _RUNS.sub(r"\1\1", word)


def _to_cyrillic(word: str) -> str:
    word = re.sub(r"ng(?![aeiouyöü])", "ñ", word)
    word = _LATIN_TO_CYR_RE.sub(lambda m: dict(_LATIN_TO_CYR)[m.group(0)], word)
    out = []
    for n, ch in enumerate(word):
        if ch == "y":
            out.append("й" if n and word[n - 1] in _VOWELS else "ы")
        else:
            out.append(ch)
    return "".join(out).translate(_LATIN_ONE)


@dataclass(frozen=True, slots=True)
class Form:
    """A word as one family of rules compares it: every repeated letter folded (`one`), and with
    long runs cut to two (`two`), for rules whose own word has a double letter («уулан», not «Улан»)."""

    one: str
    two: str

    @classmethod
    def of(cls, word: str) -> Form:
        return cls(_collapse(word), _two(word))


@dataclass(frozen=True, slots=True)
class Word:
    """One word of a text: where it is, and the forms each family of rules compares."""

    start: int
    end: int
    exact: Form  # Cyrillic, ө/ү/ң kept: for exceptions written without them
    cyr: Form  # ө/ү/ң, э, щ, й, ь, ъ folded; ы/и too when typed in Latin letters
    loose: Form  # cyr with the vowels children confuse folded together, and voiced/voiceless
    voiceless: Form  # cyr with voiced/voiceless consonants folded
    latin: bool
    en: Form
    uz: Form


@lru_cache(maxsize=65536)
def _forms(token: str) -> tuple:
    """The forms of one word as typed (Word's fields after its position): words repeat, so they are kept."""
    cased = token.casefold()
    raw = cased.replace("ё", "е")
    bare = raw.translate(_APOSTROPHES)
    latin = bool(_LATIN.search(bare))
    cyrillic = bool(_CYRILLIC.search(bare))
    if latin and cyrillic:
        cyr_word, latin = bare.translate(_HOMOGLYPHS), False
    elif latin:
        cyr_word = _to_cyrillic(bare)
    else:
        cyr_word = bare
    folded = cyr_word.translate(_FOLD)
    if latin:
        folded = folded.translate(_LATFOLD)
    uz = bare if latin else cased.translate(_APOSTROPHES).translate(_CYR_TO_UZ)
    uz = uz.replace("q", "k").replace("x", "h")
    return (
        Form.of(cyr_word.replace("ь", "").replace("ъ", "")), Form.of(folded), Form.of(folded.translate(_LOOSE)),
        Form.of(folded.translate(_VOICELESS)), latin, Form.of(bare if latin else ""), Form.of(uz),
    )  # fmt: skip


def _words(text: str) -> list[Word]:
    return [Word(m.start(), m.end(), *_forms(m.group(0))) for m in _TOKEN.finditer(text)]


def normalise(text: str, stream: str = "cyr") -> list[str]:
    """The words of `text` as the rules of one family (cyr, en, uz) compare them; for tests and tools."""
    return [getattr(w, stream).one for w in _words(text)]


# --- Rules --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Alt:
    """One alternative of a rule position: a word, or a stem when `prefix`."""

    form: Form  # in the rule family's compare form
    latin_form: Form  # cyr only: compared with words typed in Latin letters (ы/и folded)
    exact: Form  # cyr only: ө/ү/ң kept, for exceptions written without them
    loose: Form | None  # cyr only, long enough words: the looser reading (see Word.loose, Word.voiceless)
    vowels: bool  # loose compares Word.loose (Russian rules), else Word.voiceless (Kyrgyz rules)
    prefix: bool


@dataclass(frozen=True, slots=True)
class Rule:
    concept: str
    stream: str
    source: str
    parts: tuple[tuple[object, ...], ...]  # each part: positions (tuple of Alt) and GAP markers
    exact: bool = False  # an exception written without ө/ү/ң: compares words as typed


def _alt(stream: str, word: str, loose: bool = False) -> Alt | None:
    prefix = word.endswith("*")
    found = _words(word.rstrip("*"))
    if not found:
        return None
    w = found[0]
    if stream == "cyr":
        latin = w.cyr if w.latin else Form(_collapse(w.cyr.one.translate(_LATFOLD)), w.cyr.two.translate(_LATFOLD))
        reading = (w.loose if loose else w.voiceless) if len(w.cyr.one) >= LOOSE_MIN + prefix else None
        return Alt(w.cyr, latin, w.exact, reading, loose, prefix)
    form = w.en if stream == "en" else w.uz
    return Alt(form, form, form, None, False, prefix)


def rule_parse(line: str, concept: str, stream: str, exception: bool = False, loose: bool = False) -> Rule | None:
    """One line of a rule file: positions separated by spaces, | between alternatives, * a stem,
    .. up to three other words, & parts that must all occur somewhere in the text."""
    source = " ".join(line.split())
    parts = []
    for part in source.split(" & "):
        positions: list[object] = []
        for written in part.split():
            # A hyphen separates words («уруп-сабайт»); in an alternative only its last word is kept.
            for position in [written] if "|" in written else written.split("-"):
                if position == "..":
                    positions.append(GAP)
                    continue
                words = (w.rsplit("-", 1)[-1] for w in position.split("|"))
                alts = tuple(a for a in (_alt(stream, w, loose) for w in words) if a)
                if alts:
                    positions.append(alts)
        while positions and positions[0] == GAP:
            positions.pop(0)
        if positions:
            parts.append(tuple(positions))
    if not parts:
        return None
    exact = exception and stream == "cyr" and not re.search("[өүң]", source)
    return Rule(concept, stream, source, tuple(parts), exact)


def rules_parse(text: str, concept: str, exception: bool = False) -> list[Rule]:
    """A rule file: `[ky]`, `[ru]`, `[en]`, `[uz]` start the sections of a language, # a comment."""
    rules, lang = [], None
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        if line.startswith("[") and line.endswith("]"):
            lang = line[1:-1].strip()
            if lang not in STREAMS:
                raise ValueError(f"unknown language section {line} in the {concept} rules")
            continue
        if lang is None:
            raise ValueError(f"a rule before any [language] section in the {concept} rules: {line}")
        # Only Russian words get the loose reading of vowels: in Kyrgyz «өгөй» and «агай» differ by them.
        rule = rule_parse(line, concept, STREAMS[lang], exception, loose=lang == "ru")
        if rule:
            rules.append(rule)
    return rules


def _free_rules(text: str, concept: str) -> list[Rule]:
    """A plain word list (a school's or the server's): Cyrillic lines for ky/ru, Latin for en and uz."""
    rules = []
    for line in words_parse(text):
        streams = ("cyr",) if _CYRILLIC.search(line) else ("cyr", "en", "uz")
        rules += [r for r in (rule_parse(line, concept, s) for s in streams) if r]
    return rules


@dataclass
class Ruleset:
    """Rules indexed by the first three letters of their first word, for one pass over the words."""

    rules: list[Rule]
    index: dict[tuple[str, str], list[tuple[Rule, int, Alt]]] = field(default_factory=dict)

    def __post_init__(self):
        for rule in self.rules:
            for n, part in enumerate(rule.parts):
                first = cast("tuple[Alt, ...]", part[0])  # a part starts with a position, never a gap
                for alt in first:
                    keys = {alt.form.one[:3], alt.latin_form.one[:3]} | ({alt.loose.one[:3]} if alt.loose else set())
                    for key in keys:
                        self.index.setdefault((rule.stream, key), []).append((rule, n, alt))

    def find(self, words: list[Word]) -> list[tuple[Rule, int, int]]:
        """(rule, first word, last word + 1) of every hit; a rule with parts fires once all are found."""
        hits: list[tuple[Rule, int, int]] = []
        seen_parts: dict[int, tuple[Rule, dict[int, list[tuple[int, int]]]]] = {}
        for stream in ("cyr", "en", "uz"):
            forms = [getattr(w, stream) for w in words]
            for i, form in enumerate(forms):
                if not form.one:
                    continue
                candidates = self.index.get((stream, form.one[:3]), [])
                if stream == "cyr":
                    for key in {words[i].loose.one[:3], words[i].voiceless.one[:3]} - {form.one[:3]}:
                        candidates = candidates + self.index.get((stream, key), [])
                done = set()
                for rule, n, alt in candidates:
                    if (id(rule), n) in done or not _alt_matches(alt, words[i], form, rule):
                        continue
                    done.add((id(rule), n))  # the rest of the rule reads the same whichever alternative matched
                    end = _match(words, forms, i + 1, rule.parts[n], 1, rule)
                    if end < 0:
                        continue
                    if len(rule.parts) == 1:
                        hits.append((rule, i, end))
                    else:
                        seen_parts.setdefault(id(rule), (rule, {}))[1].setdefault(n, []).append((i, end))
        for rule, found in seen_parts.values():
            if len(found) == len(rule.parts):  # every occurrence: an exception drops the hits at each of them
                for spans in found.values():
                    hits.extend((rule, i, end) for i, end in spans)
        return hits


def _same(target: Form, form: Form, prefix: bool, latin: bool = False) -> bool:
    if target.two != target.one and not latin:  # the rule's word has a double letter: the text's too
        target_text, have = target.two, form.two
    else:
        target_text, have = target.one, form.one
    return have.startswith(target_text) if prefix else have == target_text


def _alt_matches(alt: Alt, word: Word, form: Form, rule: Rule) -> bool:
    if rule.exact:  # typed in Latin letters a word has no ө/ү to tell it by: read it like the rule
        return _same(alt.latin_form, form, alt.prefix) if word.latin else _same(alt.exact, word.exact, alt.prefix)
    target = alt.latin_form if word.latin else alt.form
    if _same(target, form, alt.prefix, rule.stream == "en"):
        return True
    # Typed in Latin letters, a word already has its vowels folded: no looser reading on top.
    return (
        rule.stream == "cyr"
        and alt.loose is not None
        and not word.latin
        and _same(alt.loose, word.loose if alt.vowels else word.voiceless, alt.prefix)
        # Kyrgyz voices a consonant at the end of a stem, not inside its root: «адам» (a person) is not «атам»
        and (alt.vowels or form.one[:3] == target.one[:3])
    )


def _match(words, forms, i, positions, p, rule) -> int:
    """The end of a match of `positions[p:]` starting at word i, or -1."""
    if p == len(positions):
        return i
    if positions[p] == GAP:
        for j in range(i, min(i + GAP, len(words)) + 1):
            end = _match(words, forms, j, positions, p + 1, rule)
            if end >= 0:
                return end
        return -1
    if i >= len(words) or not forms[i].one:
        return -1
    if any(_alt_matches(alt, words[i], forms[i], rule) for alt in positions[p]):
        return _match(words, forms, i + 1, positions, p + 1, rule)
    return -1


# --- The statistical layer ---------------------------------------------------------------------
#
# Rules find what their lists name; the many other ways of saying the same danger go to a scorer
# trained on the labelled appeals of `training_rows` when first used (kept for the process; a web worker
# reads or trains it as it starts, see warm_up).
# Every word gives features of its normalised forms
# (the Cyrillic reading and the Latin one, so «өлтүрөм», "oltyrom" and "o'ldiraman" meet): the
# word, its first 3-6 letters (stems before Kyrgyz and Russian endings), its letter 4- and 5-grams
# (typos, Latin spellings, Russian prefixes, Kyrgyz endings), and the stem pair with the next word. A feature
# first weighs the log ratio of its share among urgent and harmless training appeals (naive Bayes); then
# REFINE_EPOCHS passes of logistic regression (AdaGrad, from those weights, on each training appeal's best window
# read as model_read reads it) correct the weights. Naive Bayes counts every feature on its own, so the many
# features of a narrative word («деп», "said", kin terms) that urgent stories share all added up; the regression
# moves weight to the words that tell the urgent appeals from the harmless ones. The whole model is kept in
# var/triage/ (model_cache: named by a hash of the training files, the exceptions and this module), so only the
# first process after a change pays for the training. A text is scored by its best window of WINDOW words, so
# one sentence of danger in a long letter of complaints still counts.

TRAIN_FILE = DATA_DIR / "train.jsonl"  # written to teach the model, by writers who knew the project
BLIND_DIR = DATA_DIR / "blind"  # written by writers who never saw it, one file a batch (see docs/triage.md)


def training_files() -> list[Path]:
    return [TRAIN_FILE, *sorted(BLIND_DIR.glob("*.jsonl"))]


def training_rows() -> list[dict]:
    """Every labelled appeal the model learns from: the training file and the blind batches."""
    return [
        json.loads(line) for path in training_files() for line in path.read_text(encoding="utf-8").splitlines() if line
    ]


# The window, the features and the smoothing were chosen by leave-one-batch-out cross-validation on the training
# file (rounds 1-5, docs/triage.md): letter 5-grams beside the 4-grams and a smoothing of 0.2 found 0.5-1 point
# more; 3-grams, n-grams across two words, windows of 12-20 words and a threshold for every concept did not.
# A rule's hit is dropped only in a text of at least SHORT_TEXT words scored below the veto (an idiom, a game, an
# injury long healed that the exceptions lack). Shorter texts are never vetoed: the model reads a short clear
# sentence poorly, and a short text is where a missed danger costs most. A short text needs SHORT_MARGIN more to be
# flagged by the model alone (round 2: a few ordinary words of a short everyday message summed above the threshold).
# Since round 8 the model also learns from the blind batches, and the operating point POINT is bench.triage.choose's:
# the fewest false alarms at 98.5 % recall when each blind batch is read by the model trained without its fold (a
# test checks POINT is that choice). Judged on four batches nobody had read: docs/triage.md, round 8.
WINDOW = 16  # words in a scored window
SHORT_TEXT = 8
# Rule hits the veto never drops: a school's or the server's own words, and the kinds where one plain sentence in a
# long, calm letter is the whole danger and a harmless mention is rare (a wish to die, an adult asking a child for
# photos). Weapons are not among them: knives in cooking lessons, games and history are common (on the test
# batches, exempting them found 2 more urgent appeals for 27 more false alarms; suicide and sexual 2 for 5).
NEVER_VETOED = frozenset({"school", "server", "suicide", "sexual"})
SHORT_MARGIN = 2.0
GRAMS = (4, 5)  # letter n-grams of every word
_SMOOTHING = 0.2
_MIN_DOCS = 2  # a feature seen in fewer training appeals is noise
REFINE_EPOCHS = 3
REFINE_RATE = 0.08
REFINE_L2 = 1e-4


@dataclass(frozen=True, slots=True)
class OperatingPoint:
    """Where the model's score decides: above `model` (`suicide` for a window it reads as suicide) the model alone
    flags a text; below `veto` it drops the rule hits of a long text (but NEVER_VETOED ones)."""

    model: float
    suicide: float
    veto: float

    def threshold(self, concept: str, words: int) -> float:
        """The score above which the model alone calls a window of this concept urgent, in a text of `words` words."""
        return (self.suicide if concept == "suicide" else self.model) + (SHORT_MARGIN if words < SHORT_TEXT else 0.0)


POINT = OperatingPoint(model=0.75, suicide=0.25, veto=-0.5)


@lru_cache(maxsize=65536)
def _word_features(cyr: str, uz: str) -> tuple[str, ...]:
    feats = []
    for tag, form in (("c", cyr), ("l", uz)):
        feats.append(f"{tag}={form}")
        feats += [f"{tag}{n}{form[:n]}" for n in (3, 4, 5, 6) if len(form) > n]
        padded = f"<{form}>"
        feats += [f"{tag}{n}:{padded[i : i + n]}" for n in GRAMS for i in range(len(padded) - n + 1)]
    return tuple(feats)


def _features(words: list[Word]) -> list[tuple[str, ...]]:
    """The features of each word of a text; the pair with the next word goes to the first."""
    cyr = [w.cyr.one.translate(_LATFOLD) for w in words]
    out = []
    for n, w in enumerate(words):
        feats = _word_features(cyr[n], w.uz.one)
        if n + 1 < len(words):
            feats += (f"b{cyr[n][:5]}_{cyr[n + 1][:5]}",)
        out.append(feats)
    return out


@dataclass(frozen=True, slots=True)
class Model:
    urgent: dict[str, float]  # feature → log ratio urgent / harmless
    concepts: dict[str, dict[str, float]]  # concept → feature → log ratio of this concept / the other ones
    bias: float


RULES_ONLY = Model({}, {}, 0.0)  # knows no feature: the rules decide alone (tests, and the bench's "before")


def _log_table(docs: int) -> list[float]:
    """log of the smoothed share of `docs` appeals that a feature seen in n of them has, for every n."""
    return [log((n + _SMOOTHING) / (docs + 2 * _SMOOTHING)) for n in range(docs + 1)]


def model_train(rows: list[dict], cache: Path | None = None) -> Model:
    """A model from labelled appeals: dicts with text, urgent and concept (as in the evaluation set). With `cache`,
    the whole model is read from that file when it holds one, else trained and written there."""
    if cache and REFINE_EPOCHS:
        try:
            return _model_load(cache)
        except (OSError, ValueError, TypeError, KeyError):  # none yet, or broken: train and write it anew
            pass
    read = [(row, words, _features(words)) for row in rows for words in (_words(row["text"]),)]
    docs = [(row, {f for feats in features for f in feats}) for row, _words_of, features in read]
    kinds = Counter(row["concept"] if row["urgent"] else None for row in rows)  # None: harmless
    counts: dict[str | None, Counter[str]] = {kind: Counter() for kind in kinds}
    urgent: Counter[str] = Counter()
    for row, doc in docs:
        counts[row["concept"] if row["urgent"] else None].update(doc)
        if row["urgent"]:
            urgent.update(doc)
    harmless = counts.pop(None, Counter())
    # (feature, urgent appeals with it) for every feature of at least _MIN_DOCS appeals
    vocab = [(f, n) for f, n in urgent.items() if n + harmless.get(f, 0) >= _MIN_DOCS]
    vocab += [(f, 0) for f, n in harmless.items() if n >= _MIN_DOCS and f not in urgent]
    n_urgent, n_harmless = kinds.total() - kinds[None], kinds[None]
    table_urgent, table_harmless = _log_table(n_urgent), _log_table(n_harmless)
    ratios = {f: table_urgent[n] - table_harmless[harmless.get(f, 0)] for f, n in vocab}
    concepts = {}
    for c in (c for c in CONCEPTS if c in counts):  # this concept against the other urgent ones
        own, table_in, table_out = counts[c], _log_table(kinds[c]), _log_table(n_urgent - kinds[c])
        concepts[c] = {f: table_in[k] - table_out[n - k] for f, n in vocab for k in (own.get(f, 0),)}
    if not REFINE_EPOCHS:
        return Model(ratios, concepts, log(n_urgent / n_harmless))
    weights, bias = _refine(read, ratios)
    trained = Model(weights, concepts, bias)
    if cache:
        try:  # written whole then renamed: workers starting together never read half a file
            cache.parent.mkdir(parents=True, exist_ok=True)
            partial = cache.with_name(f"{cache.name}.{os.getpid()}")
            partial.write_text(_model_dump(trained), encoding="utf-8")
            os.replace(partial, cache)
            for stale in cache.parent.glob("weights-*.json"):  # of an older training file or code
                if stale.name != cache.name:
                    stale.unlink(missing_ok=True)
        except OSError:  # a read-only server: every worker trains on its own
            pass
    return trained


def _model_dump(m: Model) -> str:
    """The model as JSON: its features once, and each table's values in their order as packed doubles (exact, and
    read back in a fraction of the time training or parsing a million numbers takes)."""
    features = list(m.urgent)

    def packed(table: dict[str, float]) -> str:
        return base64.b64encode(array("d", (table[f] for f in features)).tobytes()).decode("ascii")

    concepts = {c: packed(table) for c, table in m.concepts.items()}
    return json.dumps({"bias": m.bias, "features": features, "urgent": packed(m.urgent), "concepts": concepts})


def _model_load(cache: Path) -> Model:
    saved = json.loads(cache.read_text(encoding="utf-8"))
    features = saved["features"]

    def table(packed: str) -> dict[str, float]:
        values = array("d")
        values.frombytes(base64.b64decode(packed, validate=True))
        return dict(zip(features, values, strict=True))

    return Model(table(saved["urgent"]), {c: table(v) for c, v in saved["concepts"].items()}, float(saved["bias"]))


def _refine(
    rows: list[tuple[dict, list[Word], list[tuple[str, ...]]]], ratios: dict[str, float]
) -> tuple[dict[str, float], float]:
    """Naive Bayes's weights corrected by logistic regression (see REFINE_EPOCHS): AdaGrad on the log loss of
    each training appeal's best window, read exactly as model_read reads it (a word weighs the mean of its
    known features; the words of an idiom the exceptions name weigh nothing). Deterministic: a fixed order.
    `rows`: each appeal with its words and their features."""
    exceptions = base_rules()[1]
    index = {f: n for n, f in enumerate(ratios)}  # a feature's place in `weights`
    texts: list[tuple[float, list[list[int]]]] = []
    for row, words, features in rows:
        if not words:
            continue
        skip = {n for _rule, i, end in exceptions.find(words) for n in range(i, end)}
        known = [[] if n in skip else [index[f] for f in fs if f in index] for n, fs in enumerate(features)]
        texts.append((1.0 if row["urgent"] else 0.0, known))
    weights, squares = list(ratios.values()), [0.0] * len(ratios)
    weight = weights.__getitem__
    bias = bias_squares = 0.0
    order = list(range(len(texts)))
    shuffle = Random(1).shuffle
    for _epoch in range(REFINE_EPOCHS):
        shuffle(order)
        for t in order:
            label, known = texts[t]
            scores = [sum(map(weight, fs)) / len(fs) if fs else 0.0 for fs in known]
            score, start = _best_window(scores)
            gradient = 1.0 / (1.0 + exp(-max(-30.0, min(score + bias, 30.0)))) - label  # d(log loss) / d(score)
            bias_squares += gradient * gradient
            bias -= REFINE_RATE * gradient / (sqrt(bias_squares) + 1e-8)
            for fs in known[start : start + WINDOW]:
                if not fs:
                    continue
                share = gradient / len(fs)
                for f in fs:
                    step = share + REFINE_L2 * weights[f]
                    squares[f] += step * step
                    weights[f] -= REFINE_RATE * step / (sqrt(squares[f]) + 1e-8)
    return dict(zip(ratios, weights, strict=True)), bias


def model_cache() -> Path:
    """Where the trained model is kept: named by a hash of everything it depends on (the training appeals, the
    exceptions, this module's code), so a change of any of them trains anew."""
    digest = hashlib.sha256()
    for path in (*training_files(), DATA_DIR / "exceptions.txt", Path(__file__)):
        digest.update(path.read_bytes())
    return Path(settings.VAR_DIR) / "triage" / f"weights-{digest.hexdigest()[:20]}.json"


@cache
def model() -> Model:
    return model_train(training_rows(), model_cache())


def warm_up() -> None:
    """Read the rules and train the model now: a web worker calls this as it starts (ishenim/wsgi.py), so the
    first appeal it receives does not wait for the training. Management commands and tests train on first use."""
    base_rules()
    model()


def _best_window(weights: list[float]) -> tuple[float, int]:
    """The highest sum of WINDOW consecutive word weights (all of them in a shorter text), and where it starts."""
    width = min(WINDOW, len(weights))
    total = best = sum(weights[:width])
    start = 0
    for n in range(width, len(weights)):
        total += weights[n] - weights[n - width]
        if total > best:
            best, start = total, n - width + 1
    return best, start


def _mean(ratios: dict[str, float], feats: tuple[str, ...]) -> float:
    """A word's evidence: the mean log ratio of its known features, so a long word does not outweigh a short one."""
    known = [ratios[f] for f in feats if f in ratios]
    return sum(known) / len(known) if known else 0.0


@dataclass(frozen=True, slots=True)
class Verdict:
    """The model's reading of a text: the best window's score, its concept and its strongest words."""

    score: float
    concept: str
    words: tuple[str, ...]


def model_read(text: str, words: list[Word] | None = None, skip=frozenset(), m: Model | None = None) -> Verdict:
    """The best window of `text` as the model scores it; words at the positions in `skip` (an idiom the
    exceptions name) count for nothing."""
    m = m or model()
    words = _words(text) if words is None else words
    if not words:
        return Verdict(m.bias, "", ())
    feats = _features(words)
    weights = [0.0 if n in skip else _mean(m.urgent, fs) for n, fs in enumerate(feats)]
    best, start = _best_window(weights)
    window = range(start, start + min(WINDOW, len(words)))
    # A window of nothing but an idiom's words has no concept (and so no concept's own threshold).
    read = [n for n in window if n not in skip]
    concept = (
        max(m.concepts, key=lambda c: sum(_mean(m.concepts[c], feats[n]) for n in read), default="") if read else ""
    )
    strongest = sorted((n for n in window if weights[n] > 0 and len(words[n].en.one or words[n].cyr.one) > 2),
                       key=lambda n: -weights[n])[:3]  # fmt: skip
    shown = tuple(text[words[n].start : words[n].end].casefold() for n in sorted(strongest))
    return Verdict(best + m.bias, concept, shown)


# --- The lists ----------------------------------------------------------------------------------


def words_parse(text: str) -> list[str]:
    """The entries of a plain word list: one per line, # starts a comment."""
    entries = []
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            entries.append(" ".join(line.casefold().replace("ё", "е").split()))
    return entries


@cache
def base_rules() -> tuple[Ruleset, Ruleset]:
    """The concepts' rules (with the server's extra file) and the exceptions, read once per process."""
    rules = []
    for concept in CONCEPTS:
        path = DATA_DIR / f"{concept}.txt"
        if path.exists():
            rules += rules_parse(path.read_text(encoding="utf-8"), concept)
    extra = getattr(settings, "ISHENIM_URGENT_WORDS_FILE", "") or os.environ.get(ENV_FILE, "")
    if extra:
        rules += _free_rules(Path(extra).read_text(encoding="utf-8"), "server")
    exceptions = rules_parse((DATA_DIR / "exceptions.txt").read_text(encoding="utf-8"), "exception", True)
    return Ruleset(rules), Ruleset(exceptions)


def base_words() -> tuple[str, ...]:
    """Every rule line, as written (kept for tools that list the vocabulary)."""
    return tuple(dict.fromkeys(r.source for r in base_rules()[0].rules))


def school_words(school) -> tuple[str, ...]:
    from appeals.models import UrgentWords

    if hasattr(school, "extra_urgent_words"):  # read with the school (`appeals.views_public.public_school`)
        extra = school.extra_urgent_words
    else:
        extra = UrgentWords.objects.filter(school=school).values_list("words", flat=True).first()
    return tuple(words_parse(extra or ""))


@lru_cache(maxsize=256)
def _school_rules(entries: tuple[str, ...]) -> Ruleset:
    return Ruleset(_free_rules("\n".join(entries), "school"))


@dataclass(frozen=True, slots=True)
class Reading:
    """What rules and model read in a text, before the operating point decides (see `decide`)."""

    words: list[Word]
    hits: list[tuple[Rule, int, int]]  # rule hits the exceptions left
    verdict: Verdict
    reads: bool  # False for RULES_ONLY: a model that knows no word neither vetoes nor flags


def read(text: str, school=None, trained: Model | None = None) -> Reading:
    """Rules and model over `text` (the model `trained`, else the one of `model()`)."""
    concepts, exceptions = base_rules()
    words = _words(text)
    hits = concepts.find(words)
    if school is not None:
        entries = school_words(school)
        if entries:
            hits += _school_rules(entries).find(words)
    spans: list[tuple[int, int]] = []  # an exception with parts (&) drops the hits that touch its words
    near: list[tuple[int, int]] = []
    for rule, i, end in exceptions.find(words):
        (near if len(rule.parts) > 1 else spans).append((i, end))
    hits = [
        h
        for h in hits
        if not any(a <= h[1] and h[2] <= b for a, b in spans) and not any(a < h[2] and h[1] < b for a, b in near)
    ]
    # The model reads every text; the words of an idiom the exceptions name count for nothing to it.
    m = trained or model()
    verdict = model_read(text, words, {n for a, b in spans + near for n in range(a, b)}, m)
    return Reading(words, hits, verdict, bool(m.urgent))


def decide(reading: Reading, point: OperatingPoint = POINT) -> tuple[list[tuple[Rule, int, int]], bool]:
    """The rule hits that stand at `point` (a veto drops the others), and whether the model alone flags."""
    hits, verdict, words = reading.hits, reading.verdict, len(reading.words)
    if reading.reads and words >= SHORT_TEXT and verdict.score < point.veto:
        hits = [h for h in hits if h[0].concept in NEVER_VETOED]
    # the model alone flags only with a word to show for it (a score made of the bias alone shows nothing)
    alone = (
        not hits and reading.reads and bool(verdict.words) and verdict.score > point.threshold(verdict.concept, words)
    )
    return hits, alone


def urgent_concepts(text: str, school=None, *, trained: Model | None = None) -> list[tuple[str, list[str]]]:
    """The concepts of danger found in `text`, each with the words that showed it (lower case, as written).

    Concepts come in the order of CONCEPTS; an empty list means the text is not urgent. When the rules find
    nothing and the model (`trained`, else the one trained on the training appeals) does, the one concept
    is the model's, with «model (concept): » and the words that weighed most."""
    reading = read(text, school, trained)
    if not reading.words:
        return []
    hits, alone = decide(reading)
    words, verdict = reading.words, reading.verdict
    if alone:
        return [(verdict.concept, [f"model ({verdict.concept}): {', '.join(verdict.words)}"])]
    if not hits:
        return []
    # A hit inside a longer one is the same words read twice: "kill" inside "kill myself".
    hits.sort(key=lambda h: h[1] - h[2])
    kept: list[tuple[Rule, int, int]] = []
    for hit in hits:
        if not any(k[1] <= hit[1] and hit[2] <= k[2] for k in kept):
            kept.append(hit)
    # Overlapping hits of one concept are shown as one phrase: «мени өлтүрөм» + «өлтүрөм деп».
    spans_of: dict[str, list[list[int]]] = {}
    for rule, i, end in sorted(kept, key=lambda h: h[1]):
        spans_of.setdefault(rule.concept, [])
        merged = spans_of[rule.concept]
        if merged and i < merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([i, end])
    found: dict[str, dict[str, None]] = {}
    for concept, merged in spans_of.items():
        for i, end in merged:
            phrase = " ".join(text[words[i].start : words[end - 1].end].casefold().split())
            found.setdefault(concept, {})[phrase] = None
    return [(c, list(found[c])) for c in CONCEPTS if c in found]


def urgent_matches(text: str, school=None) -> list[str]:
    """The urgent words and phrases found in `text`, as written there (lower case); empty = not urgent."""
    return list(dict.fromkeys(w for _c, words in urgent_concepts(text, school) for w in words))


def is_urgent(text: str, school=None) -> bool:
    return bool(urgent_concepts(text, school))


def concept_label(code: str) -> str | StrPromise:
    return CONCEPTS.get(code, code)


def words_validate(text: str) -> list[str]:
    """Entries a school typed that would match (nearly) everything: too short to be safe."""
    return [e for e in words_parse(text) if len(e.replace("*", "").replace(" ", "")) < 3]
