"""Uzbek from Latin to Cyrillic script: the first, mechanical step of a Cyrillic Uzbek interface.

Ishenim's Uzbek is Latin. A school whose families read Cyrillic Uzbek needs the
catalogs in Cyrillic; `ishenim uz_cyrillic` writes draft `uz_Cyrl` catalogs from
the `uz` ones with `to_cyrillic`, every entry marked fuzzy: msgfmt leaves fuzzy
entries out, so nothing shows until a person who reads Cyrillic Uzbek has checked
each string and cleared the mark (README, "Uzbek in Cyrillic script").

The mapping is the official one of 1995 read backwards (oʻ→ў, gʻ→ғ, q→қ, h→ҳ,
sh→ш, ch→ч, yo→ё, yu→ю, ya→я, ye→е, e→э at the start of a word, ʼ→ъ). Placeholders
(%(name)s, {name}), HTML tags, addresses and technical names (PDF, QR, SHA-256)
are kept. Russian loanwords are written the Russian way in Cyrillic Uzbek
(sentabr → сентябрь); the common ones are listed, the reviewer catches the rest.
"""

import re

LETTERS = {
    "a": "а", "b": "б", "d": "д", "e": "е", "f": "ф", "g": "г", "h": "ҳ", "i": "и", "j": "ж",
    "k": "к", "l": "л", "m": "м", "n": "н", "o": "о", "p": "п", "q": "қ", "r": "р", "s": "с",
    "t": "т", "u": "у", "v": "в", "x": "х", "y": "й", "z": "з", "c": "ц", "w": "в",
}  # fmt: skip
PAIRS = {"oʻ": "ў", "gʻ": "ғ", "sh": "ш", "ch": "ч", "yo": "ё", "yu": "ю", "ya": "я", "ye": "е"}
# Russian loanwords that Cyrillic Uzbek spells the Russian way (lower case, whole words).
LOANWORDS = {
    "yanvar": "январь", "fevral": "февраль", "aprel": "апрель", "iyun": "июнь", "iyul": "июль",
    "sentabr": "сентябрь", "oktabr": "октябрь", "noyabr": "ноябрь", "dekabr": "декабрь",
    "militsiya": "милиция", "ombudsman": "омбудсмен", "internet": "интернет", "telefon": "телефон",
}  # fmt: skip
KEEP = {
    "PDF",
    "QR",
    "SMS",
    "SHA",
    "JPG",
    "PNG",
    "WEBP",
    "GIF",
    "XLSX",
    "DOCX",
    "A4",
    "A5",
    "Wi",
    "Fi",
    "Telegram",
    "Esc",
}
# What is never transliterated: placeholders, tags, addresses, command names in «…».
_PROTECTED = re.compile(r"%\([^)]*\)[sd]|%[sd]|\{[^}]*\}|<[^>]*>|https?://\S+|@\w+|«ishenim [^»]*»")
_WORD = re.compile(r"[A-Za-zʻʼ']+")


def _word(word: str) -> str:
    if word in KEEP:
        return word
    lower = word.lower().replace("'", "ʻ")
    if lower in LOANWORDS:
        out = LOANWORDS[lower]
    else:
        letters: list[str] = []
        i = 0
        while i < len(lower):
            pair = lower[i : i + 2]
            if pair in PAIRS:
                letters.append(PAIRS[pair])
                i += 2
                continue
            ch = lower[i]
            if ch == "e" and i == 0:
                letters.append("э")
            elif ch in "ʻʼ":
                letters.append("ъ")
            else:
                letters.append(LETTERS.get(ch, ch))
            i += 1
        out = "".join(letters)
    if word.isupper() and len(word) > 1:
        return out.upper()
    if word[:1].isupper():
        return out[:1].upper() + out[1:]
    return out


def to_cyrillic(text: str) -> str:
    """Latin-script Uzbek `text` in Cyrillic script, placeholders and tags untouched."""
    parts, last = [], 0
    for match in _PROTECTED.finditer(text):
        parts.append(_WORD.sub(lambda m: _word(m.group()), text[last : match.start()]))
        parts.append(match.group())
        last = match.end()
    parts.append(_WORD.sub(lambda m: _word(m.group()), text[last:]))
    return "".join(parts)
