"""The Noto Sans subsets (static/fonts, rebuilt by `make fonts`) have every letter the product prints."""

from pathlib import Path

import pytest
from fontTools.ttLib import TTFont

ROOT = Path(__file__).resolve().parents[1]
FONTS = ROOT / "static" / "fonts"
# Symbols the pages take from the system font on purpose (arrows, the scissors of the paper form).
SYMBOLS = set("←→✂")
LETTERS = {
    "Kyrgyz": "ҢңӨөҮү",
    "Uzbek Latin": "OʻoʻGʻgʻʼ",
    "Uzbek Cyrillic": "ЎўҚқҒғҲҳ",
    "documents": "№«»–—…",
}


def _cmap(weight):
    return TTFont(FONTS / f"NotoSans-{weight}.woff2").getBestCmap()


@pytest.mark.parametrize("weight", ["Regular", "Bold"])
def test_subset_has_the_letters_of_every_language(weight):
    cmap = _cmap(weight)
    for name, letters in LETTERS.items():
        assert [ch for ch in letters if ord(ch) not in cmap] == [], name


@pytest.mark.parametrize("weight", ["Regular", "Bold"])
def test_every_character_of_catalogs_and_templates_is_in_the_subset(weight):
    cmap = _cmap(weight)
    missing = {}
    paths = [*ROOT.glob("*/locale/*/LC_MESSAGES/django.po"), *ROOT.glob("locale/*/LC_MESSAGES/django.po")]
    paths += [*ROOT.glob("*/templates/**/*.html"), *ROOT.glob("templates/**/*.html")]
    for path in paths:
        if ".venv" in path.parts:
            continue
        for ch in path.read_text(encoding="utf-8"):
            if ch >= " " and ord(ch) not in cmap and ch not in SYMBOLS:
                missing.setdefault(ch, str(path.relative_to(ROOT)))
    assert missing == {}, "add them to FONT_UNICODES in the Makefile and run `make fonts`"
