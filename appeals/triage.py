"""Urgent triage (R22): does an appeal speak of danger to life or health?

The words live in `appeals/data/urgent_words.txt` (Kyrgyz, Russian, English),
in an optional server file named by the ISHENIM_URGENT_WORDS_FILE environment
variable, and in each school's own list (`UrgentWords`, edited by staff).
A line is a word or phrase; a trailing * on a word matches every ending, which
is how the agglutinative Kyrgyz and the inflected Russian forms are caught.

Only case and ё/е are folded. Kyrgyz ө/ү/ң are not folded to о/у/н on purpose:
«өлтүр» (kill) would then collide with «олтур» (sit down).
"""

import os
import re
from functools import cache, lru_cache
from pathlib import Path

from django.conf import settings

DATA_FILE = Path(__file__).resolve().parent / "data" / "urgent_words.txt"
ENV_FILE = "ISHENIM_URGENT_WORDS_FILE"


def words_parse(text: str) -> list[str]:
    """The entries of a word list: one per line, # starts a comment."""
    entries = []
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            entries.append(_fold(" ".join(line.split())))
    return entries


def _fold(text: str) -> str:
    return text.casefold().replace("ё", "е")


@cache
def base_words() -> tuple[str, ...]:
    """The curated list plus the server's extra file, read once per process."""
    words = words_parse(DATA_FILE.read_text(encoding="utf-8"))
    extra = getattr(settings, "ISHENIM_URGENT_WORDS_FILE", "") or os.environ.get(ENV_FILE, "")
    if extra:
        words += words_parse(Path(extra).read_text(encoding="utf-8"))
    return tuple(dict.fromkeys(words))


def _entry_pattern(entry: str) -> str:
    parts = []
    for word in entry.split(" "):
        stem = word.rstrip("*")
        if not stem:
            continue
        parts.append(re.escape(stem) + (r"\w*" if word.endswith("*") else ""))
    return r"\s+".join(parts)


@lru_cache(maxsize=256)
def _compiled(entries: tuple[str, ...]) -> re.Pattern | None:
    patterns = [p for p in (_entry_pattern(e) for e in entries) if p]
    if not patterns:
        return None
    return re.compile(r"(?<!\w)(?:" + "|".join(patterns) + r")(?!\w)")


def school_words(school) -> tuple[str, ...]:
    from appeals.models import UrgentWords

    extra = UrgentWords.objects.filter(school=school).values_list("words", flat=True).first()
    return tuple(words_parse(extra or ""))


def urgent_matches(text: str, school=None) -> list[str]:
    """The urgent words and phrases found in `text`, as written there (lower case)."""
    entries = base_words() + (school_words(school) if school is not None else ())
    pattern = _compiled(entries)
    if pattern is None:
        return []
    folded = _fold(" ".join(text.split()))
    return list(dict.fromkeys(m.group(0) for m in pattern.finditer(folded)))


def is_urgent(text: str, school=None) -> bool:
    return bool(urgent_matches(text, school))


def words_validate(text: str) -> list[str]:
    """Entries a school typed that would match (nearly) everything: too short to be safe."""
    return [e for e in words_parse(text) if len(e.replace("*", "").replace(" ", "")) < 3]
