"""The product glossary (docs/glossary.md) is followed by every catalog.

The table gives one term per concept in ky/ru/uz/en, the children's word apart
from the official one, and the variants that must never come back. This test
reads the table, checks that the strings a writer sees about the key concepts
use the glossary's words, and that no catalog of a language uses a forbidden
variant of that language.
"""

import re
from pathlib import Path

import polib
import pytest

ROOT = Path(__file__).resolve().parents[1]
GLOSSARY = ROOT / "docs" / "glossary.md"
LANGS = ("ky", "ru", "uz")
COLUMNS = ["key", "en", "ky", "ky children", "ru", "ru children", "uz", "uz children", "never"]

# msgid → glossary keys its translation must use (in every language). These are the
# strings a writer reads about the code, the receipt and following the appeal, and
# the words the review found used in several ways.
CHECKS = {
    "Receipt code": ["code"],
    "Your receipt code": ["code"],
    "Save your receipt code": ["code"],
    "I have a receipt code": ["code"],
    "Type the receipt code you got when you sent the appeal.": ["code"],
    "The author is anonymous: the answer can only be given through the receipt code.": ["code"],
    "Follow your appeal": ["follow-up"],
    "Trust box: receipt": ["trust-box", "receipt"],
    "Trust box": ["trust-box"],
    "Writer": ["writer"],
    "Case handlers": ["case-handler"],
    "Assign case handlers": ["case-handler"],
    "smoking, nasvay, alcohol": ["nasvay"],
    "left without consideration": ["left-without"],
    "every week": ["week"],
    "Friday": ["friday"],
    "Registration journal": ["journal"],
    "urgent": ["urgent"],
}


def glossary_rows() -> dict[str, dict[str, str]]:
    rows = {}
    in_table = False
    for line in GLOSSARY.read_text(encoding="utf-8").splitlines():
        if line.startswith("| key |"):
            assert [c.strip() for c in line.strip("|").split("|")] == COLUMNS
            in_table = True
            continue
        if not in_table:
            continue
        if not line.startswith("|"):
            in_table = False
            continue
        if line.startswith("|---"):
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        assert len(cells) == len(COLUMNS), line
        row = dict(zip(COLUMNS, cells, strict=True))
        assert row["key"] not in rows, f"{row['key']} twice"
        rows[row["key"]] = row
    return rows


def term_pattern(term: str) -> re.Pattern:
    """A glossary term as a pattern: `*` is any ending, and a word's last letter may
    change (Russian and Kyrgyz endings: «неделя» → «неделю», «апта» → «аптада»)."""
    words = []
    for word in term.split():
        if word.endswith("*") or len(word) > 3 and word[-1].isalpha():
            words.append(re.escape(word[:-1]) + r"\w*")
        else:
            words.append(re.escape(word))
    return re.compile(r"\s+".join(words), re.IGNORECASE)


def forbidden(row) -> dict[str, list[str]]:
    never = {}
    for part in filter(None, (p.strip() for p in row["never"].split(";"))):
        lang, words = part.split(":", 1)
        never.setdefault(lang.strip(), []).append(words.strip())
    return never


def catalogs(lang: str) -> list[Path]:
    return sorted(ROOT.glob(f"*/locale/{lang}/LC_MESSAGES/django.po")) + [ROOT / f"locale/{lang}/LC_MESSAGES/django.po"]


def translations(lang: str) -> list[tuple[str, str, str]]:
    """(catalog, msgid, msgstr) of every translated entry in the language."""
    out = []
    for path in catalogs(lang):
        for entry in polib.pofile(str(path)):
            strings = entry.msgstr_plural.values() if entry.msgid_plural else [entry.msgstr]
            for text in strings:
                if text:
                    out.append((str(path.relative_to(ROOT)), entry.msgid, text))
    return out


def test_glossary_is_complete():
    rows = glossary_rows()
    assert len(rows) >= 25
    for key, row in rows.items():
        for column in ("en", "ky", "ru", "uz"):
            assert row[column], f"{key}: no {column} term"
        for lang in forbidden(row):
            assert lang in ("ky", "ru", "uz", "en"), f"{key}: unknown language {lang}"
    for keys in CHECKS.values():
        assert set(keys) <= set(rows)


@pytest.mark.parametrize("lang", LANGS)
def test_key_strings_use_the_glossary_terms(lang):
    rows = glossary_rows()
    found = {}
    for catalog, msgid, text in translations(lang):
        if msgid in CHECKS:
            found.setdefault(msgid, []).append((catalog, text))
    missing = sorted(set(CHECKS) - set(found))
    assert not missing, f"no {lang} translation of {missing}"
    wrong = []
    for msgid, texts in found.items():
        for key in CHECKS[msgid]:
            terms = [rows[key][lang], rows[key][f"{lang} children"]]
            patterns = [term_pattern(t) for t in terms if t]
            for catalog, text in texts:
                if not any(p.search(text) for p in patterns):
                    wrong.append(f"{catalog}: {msgid!r} → {text!r} does not use «{rows[key][lang]}»")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("lang", LANGS)
def test_no_catalog_uses_a_forbidden_variant(lang):
    patterns = []
    for key, row in glossary_rows().items():
        for words in forbidden(row).get(lang, []):
            patterns.append((key, words, term_pattern(words) if "*" in words else re.compile(re.escape(words), re.I)))
    assert lang == "uz" or patterns
    hits = [
        f"{catalog}: {msgid!r} → {text!r} uses «{words}» ({key})"
        for catalog, msgid, text in translations(lang)
        for key, words, pattern in patterns
        if pattern.search(text)
    ]
    assert not hits, "\n".join(hits)


def test_the_code_has_one_name_on_the_public_pages():
    """The three old names of the writer's code are gone from every Kyrgyz string."""
    text = "\n".join(t for _c, _m, t in translations("ky")).casefold()
    for old in ("квитанция коду", "каттоо коду", "кабыл алуу коду", "бланктын коду"):
        assert old not in text


def test_no_developer_field_is_shown_to_people():
    """The agenda form does not ask for «app.model:id»: the linked record is set by the page
    that puts its record on the agenda, and no help text speaks of it."""
    from commission.forms import AgendaItemForm

    assert "object_ref" not in AgendaItemForm.base_fields
    for lang in LANGS:
        assert not [m for _c, m, t in translations(lang) if "app.model" in t]


def test_uzbek_uses_the_modifier_letter_apostrophe():
    """oʻ and gʻ with U+02BB, never a typewriter apostrophe between letters."""
    bad = [
        (c, m, t)
        for c, m, t in translations("uz")
        if re.search(r"[a-zA-Z]['’‘`][a-zA-Z]", re.sub(r"<[^>]*>|%\([^)]*\)s|\{[^}]*\}", "", t))
    ]
    assert not bad, bad[:5]
