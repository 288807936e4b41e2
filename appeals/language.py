"""The language an appeal is written in, guessed from its text (ky, ru, uz, en).

The law answers an appeal in its own language, and a child on the Kyrgyz page
may well write in Russian or Uzbek. A short appeal is too short for a
statistical model, so the guess uses what a reader uses: letters only one of
the four languages has (Kyrgyz ң ө ү; Uzbek oʻ gʻ and Cyrillic ў қ ғ ҳ;
Russian щ ъ ё) and the small words every sentence is made of («жана», «и»,
«va», "the"). When the text gives too little evidence the page's language is
kept: `detect_language(text, default=page_language)`.
"""

import re
from collections import Counter

LANGUAGES = ("ky", "ru", "uz", "en")

# Apostrophe-like characters Uzbek writers use for ʻ (U+02BB) and ʼ (U+02BC).
_APOSTROPHES = str.maketrans({"'": "ʻ", "`": "ʻ", "‘": "ʻ", "’": "ʻ", "ʼ": "ʻ", "´": "ʻ"})
_WORD = re.compile(r"[^\W\d_]+(?:ʻ[^\W\d_]*)*", re.UNICODE)

# Letters that mark one language (per occurrence).
_LETTERS = {
    "ky": {"ң": 3.0, "ө": 3.0, "ү": 3.0},
    "uz": {"ў": 3.0, "қ": 3.0, "ғ": 3.0, "ҳ": 3.0},
    # ь я ю are rare in Kyrgyz words (loanwords only), frequent in Russian.
    "ru": {"щ": 1.5, "ъ": 1.5, "ё": 1.5, "ь": 0.7, "ц": 0.5, "я": 0.4, "ю": 0.4, "ф": 0.3},
}
# Uzbek Latin: oʻ and gʻ (after folding the apostrophes), and the digraphs.
_UZ_LATIN = re.compile(r"[og]ʻ")

# Short, frequent words (folded to lower case). A word in two lists counts for both.
_WORDS = {
    "ky": """
        жана менен мен сен ал биз силер алар бул ошол эмес деп бир биздин менин сенин анын
        мага сага ага бизге аларга мени сени аны үчүн да дагы эле гана бар жок абдан өтө
        эмне эмнеге кантип качан ким кайда мугалим мугалимим мектепте мектептин класста
        классташ балдар бала окуучу жардам бериңиз суранам керек болот болду болуп кылат
        кылып келип кетти айтты урат уруп тийип сурайм көп аз азыр кийин мурун
        """,
    "ru": """
        и в во не что на я с со он она оно они мы вы как это этот эта меня мне нас нам
        но а по у к из за от до для же бы ли уже все всё очень нет да так когда где почему
        учитель учительница школе школы классе ученик ученики дети помогите пожалуйста
        надо нужно можно был была было были бьет бьёт обижают говорит сказал просто тоже
        спасибо здравствуйте хочу хотим новый новая плохо хорошо
        ya ne mne menya vse ego nego net na v ili kak chto 4to eto on ona oni my vy nas nam
        posle uzhe pomogite uchitel shkole shkola klasse doma boyus xochu hochu ochen
        """,
    "uz": """
        va bu men sen u biz siz ular bilan uchun emas ham lekin juda bor yoʻq nima nega
        qanday qachon kim qayerda maktab maktabda maktabning oʻqituvchi oʻqituvchimiz sinf
        sinfda bolalar bola oʻquvchi yordam iltimos kerak boʻldi qiladi qilib keldi dedi
        uradi urdi menga meni mening bizning ularning koʻp kam hozir keyin oldin
        ва бу мен сиз улар билан учун эмас ҳам лекин жуда бор йўқ нима нега қандай мактаб
        мактабда ўқитувчи синф болалар ёрдам илтимос керак менга мени менинг кўп
        har doim rahmat ustoz ustozlar dars darsga darsda sayt sayti yoki hech narsa
        """,
    "en": """
        the and is are was were i you he she it we they my me our to of in on at for with
        not no but this that there what why how when who please help teacher school class
        students student children hits hit said says have has do does don't very
        """,
    # Kyrgyz written in Latin letters (chats): only words Uzbek and Russian do not share.
    "ky-latin": """
        jana emes menin mugalim mugalimi mektep mektepte baldar aitpa aytpa ech jok
        """,
}
_WORD_SETS = {lang: frozenset(words.split()) for lang, words in _WORDS.items()}
_WORD_SETS["ky"] |= _WORD_SETS.pop("ky-latin")

# Word endings typical of one language (inflections and suffixes), weaker than words.
_ENDINGS = {
    "ky": "ган ген кан кен гон гөн дын дин тын тин дун дүн нын нин нун нүн лар лер дар дер тар тер "
    "лор лөр дор дөр тор төр луу лүү ып ип уп үп йм быз биз сыз ныз ңыз ат жатат",
    "ru": "ого его ому ему ыми ими ами ться тся ся ешь ишь ют ят ый ий ая яя ое ее ые ие ую юю ов ях ах ать ить "
    "ает ует ают уют ите ние ция ия ой ом",
    "uz": "lar ning dan ga da ni gan yapti yapman moqchi adi ydi ishdi imiz ingiz miz siz yman man "
    "maydi madi mizga lari",
    "en": "ing tion ed ly ness ment ould ght",
}
_ENDING_LISTS = {lang: tuple(sorted(set(ends.split()), key=len, reverse=True)) for lang, ends in _ENDINGS.items()}
# Letters and pairs of Latin Uzbek (q, x, sh, ch, ng) against English (w, th).
_LATIN_MARKS = {"uz": {"q": 0.7, "x": 0.5}, "en": {"w": 0.7, "th": 0.7}}

MIN_EVIDENCE = 1.5


def language_scores(text: str) -> dict[str, float]:
    """The evidence for each language: letters and small words, weighted."""
    folded = text.casefold().translate(_APOSTROPHES)
    scores = dict.fromkeys(LANGUAGES, 0.0)
    letters = Counter(folded)
    for lang, marks in _LETTERS.items():
        scores[lang] += sum(letters[ch] * weight for ch, weight in marks.items())
    scores["uz"] += 3.0 * len(_UZ_LATIN.findall(folded))
    for word in _WORD.findall(folded):
        for lang, words in _WORD_SETS.items():
            if word in words:
                scores[lang] += 1.0
            elif len(word) > 3 and word.endswith(_ENDING_LISTS[lang]):
                scores[lang] += 0.5
    for lang, marks in _LATIN_MARKS.items():
        scores[lang] += sum(folded.count(mark) * weight for mark, weight in marks.items())
    return scores


def detect_language(text: str, default: str = "ky") -> str:
    """The language `text` is written in, or `default` when the text does not say.

    Kyrgyz wins a tie with Russian only on its own letters or words; a text with
    less than MIN_EVIDENCE (e.g. "ok" or a phone number) keeps `default`.
    """
    scores = language_scores(text)
    best = max(LANGUAGES, key=lambda lang: (scores[lang], lang == default))
    if scores[best] < MIN_EVIDENCE:
        return default
    return best
