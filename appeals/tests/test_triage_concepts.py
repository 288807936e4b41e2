"""Urgent triage by concept (R22): each kind of danger in each language, the normalisation of
how children type, the exceptions, the rule syntax, the labels, and the case page that shows them."""

import pytest
from django.utils import translation

from appeals import triage
from appeals.models import Appeal

# One appeal per concept and language, written as children and parents write (none of them is in
# the evaluation set). Uzbek twice: Latin and Cyrillic letters.
CONCEPT_CASES = {
    "suicide": {
        "ky": "Мен өз жанымды кыйгым келет, баары бүтсүн",
        "ru": "Сестра сказала, что наложит на себя руки",
        "en": "I keep thinking everyone would be better off without me",
        "uz": "Men o'lib ketgim keladi, hech kimga keragim yo'q",
        "uz-cyrl": "Ўзимни ўлдирмоқчиман",
    },
    "violence": {
        "ky": "Бизди тыныгууда тогуз класстын балдары уруп-сабашты",
        "ru": "Его избили за гаражами возле школы",
        "en": "A group of boys beat up my brother at the bus stop",
        "uz": "Katta bolalar meni kaltaklashdi",
        "uz-cyrl": "Катта болалар уни калтаклашди",
    },
    "weapons": {
        "ky": "Бир бала сумкасында тапанча алып жүрөт",
        "ru": "Он грозится принести в школу ружье",
        "en": "He showed us a pistol behind the gym",
        "uz": "U maktabga to'pponcha olib keldi",
        "uz-cyrl": "Бир бола пичоқ олиб юради",
    },
    "sexual": {
        "ky": "Машыктыруучу кыздарды кармалайт, апаңарга айтпагыла дейт",
        "ru": "Тренер пристает к девочкам после тренировки",
        "en": "My uncle touched me and said it is our little secret",
        "uz": "Murabbiy qizlarni ushlaydi, hech kimga aytma deydi",
        "uz-cyrl": "Қўшни эркак мени ушлаб, ҳеч кимга айтма деди",
    },
    "domestic": {
        "ky": "Атам ичип келип апамды сабайт",
        "ru": "Отчим бьет маму, когда напьется",
        "en": "My stepfather hits my mum every weekend",
        "uz": "Otam ichib kelib onamni uradi",
        "uz-cyrl": "Отам мени камар билан уради",
    },
    "neglect": {
        "ky": "Ата-энеси Казакстанга кетип, кичинекей иним үйдө жалгыз калды",
        "ru": "Родители уехали, дети одни дома уже неделю",
        "en": "The children are home alone for days with nothing to eat",
        "uz": "Ota-onasi Rossiyaga ketgan, bolalar uyda yolg'iz, ovqat berishmaydi",
        "uz-cyrl": "Уйда ёлғиз қолдиришди, овқат беришмайди",
    },
    "marriage": {
        "ky": "Кошунанын кызын ала качышты, ал 16 жашта",
        "ru": "Сестру хотят выдать замуж после 9 класса",
        "en": "My parents are forcing me to marry a man from the village",
        "uz": "Singlimni 15 yoshida erga bermoqchi",
        "uz-cyrl": "Уйга совчилар келишди, мен 15 ёшдаман",
    },
    "poisoning": {
        "ky": "Досум апасынын таблеткаларын көп ичип алды",
        "ru": "После столовой у детей отравление",
        "en": "She took a handful of pills last night",
        "uz": "Bolalar ovqatdan zaharlandi",
        "uz-cyrl": "Дўстим гиёҳванд модда чекади",
    },
    "missing": {
        "ky": "Уулум кечээ мектептен кийин жоголуп кетти",
        "ru": "Сын убежал из дома, второй день ищем",
        "en": "My daughter ran away from home on Sunday",
        "uz": "Ukam uydan qochib ketdi",
        "uz-cyrl": "Ўғлим уйдан қочиб кетди",
    },
}


@pytest.mark.parametrize(
    "concept,language,text",
    [(c, lang, text) for c, by_lang in CONCEPT_CASES.items() for lang, text in by_lang.items()],
)
def test_it_finds_each_concept_in_each_language(concept, language, text):
    found = dict(triage.urgent_concepts(text))
    assert concept in found, (language, text, found)
    assert all(words for words in found.values())


@pytest.mark.parametrize(
    "text,concept",
    [
        # Kyrgyz without ө/ү/ң, typed on a Russian keyboard
        ("Озумду олтургум келет", "suicide"),
        ("Мени кунде сабашат", "violence"),
        # a Kyrgyz stem voices its last consonant before an ending: «бычак» → «бычагын»
        ("Ал бычагын чыгарып коркутту", "weapons"),
        ("Кыздарды уйгө киргизбей, ачка калтырышат", "neglect"),
        # Kyrgyz in Latin letters, several schemes
        ("men jashagym kelbeit", "suicide"),
        ("jashagim kelbeyt", "suicide"),
        ("ogoy atam meni karmalait", "sexual"),
        ("kyzdy ala kachyshty", "marriage"),
        # Russian in Latin letters: ch/sh/zh/ya/yu, x for х, 4 for ч, ' for ь
        ("ya ne xochu jit", "suicide"),
        ("oni skazali 4to ub'yut menya", "violence"),
        ("u nego nozh v ryukzake", "weapons"),
        ("otchim b'et mamu", "domestic"),
        # repeated letters and children's spelling
        ("помогииите меня избииили", "violence"),
        ("хочю умиреть", "suicide"),
        ("сестру хотят выдать замуш", "marriage"),
        ("адин мальчик отровился", "poisoning"),
        ("i wanna dieee", "suicide"),
        # Latin look-alike letters inside a Cyrillic word (a mixed keyboard)
        ("мeня избили", "violence"),
        # ё/е
        ("он бьёт меня", "violence"),
        # Uzbek with and without the apostrophes, and in Cyrillic
        ("o'zimni o'ldiraman", "suicide"),
        ("ozimni oldiraman", "suicide"),
        ("o‘zimni o‘ldiraman", "suicide"),
        ("Ўзимни ўлдираман", "suicide"),
    ],
)
def test_it_reads_words_however_they_are_typed(text, concept):
    assert concept in dict(triage.urgent_concepts(text)), text


def test_it_normalises_words_for_each_family_of_rules():
    assert triage.normalise("Жашагым КЕЛБЕЙТ") == ["жашагым", "келбеит"]
    assert triage.normalise("Өлтүрөм") == triage.normalise("олтуром")
    assert triage.normalise("jashagym") == ["жашагим"]  # Latin y/i both read as ы
    assert triage.normalise("zhizn yuliya chto") == ["жизн", "юлия", "что"]
    assert triage.normalise("pleeease", "en") == ["please"]
    assert triage.normalise("o'ldiraman", "uz") == triage.normalise("ўлдираман", "uz") == ["oldiraman"]
    assert triage.normalise("уруп-сабайт") == ["уруп", "сабаит"]


@pytest.mark.parametrize(
    "text",
    [
        # «олтур» (sit) typed like «өлтүр» (kill) without ө/ү
        "Балдар партада олтурушат",
        "Мен биринчи партада олтурам",
        "men birinchi partada olturam",
        "Класста олтургучтар жетишпейт",
        "Мугалим келгенче олтурдук",
        "Олтургула, сабак башталды",
        # idioms and warnings about death or killing
        "Тамеки өлтүрөт, бирок балдар чегишет",
        "Тамеки олтурот деген плакат бар",
        "Математика мени өлтүрөт",
        "Убакытты өлтүрүп телефон ойнойбуз",
        "На уроках скука смертная",
        "Домашка убивает, ничего не успеваю",
        "Курение убивает, а старшеклассники курят",
        "Мама меня убьет за двойку",
        "Убиваем время на переменах",
        "Мой телефон совсем убитый",
        "Урок был просто бомба",
        "В столовой не хватает ножей и вилок",
        "This lesson is killing me",
        "My feet are killing me after PE",
        "We were just killing time",
        "Smoking kills, says the poster",
        "My mom will kill me if I fail",
        "Chekish o'ldiradi deb yozilgan",
        "Uy vazifasi meni o'ldiradi",
        # harmless words near the stems
        "Урматтуу мугалим, окуу куралдары жетишпейт",
        "Уланбек экөөбүз шахмат ойнойбуз",
        "У меня пропала тетрадь",
        "My phone is missing from my locker",
        "We kicked the ball into the window",
        "Футбол ойноп топту катуу тептим",
        "We cut paper in art class, the scissors are blunt",
        "Please add a drugstore visit to the health week",
    ],
)
def test_it_leaves_idioms_and_harmless_texts_alone(text):
    assert triage.urgent_concepts(text) == [], text


def test_an_exception_removes_only_the_words_it_covers():
    # «олтурду» alone is "sat", but with an object it is "killed"
    assert not triage.is_urgent("Балдар олтурду")
    assert triage.is_urgent("Ал аны олтурду")
    assert triage.is_urgent("Ал аны өлтүрдү")
    # the idiom does not hide a real threat in the same appeal
    assert triage.urgent_concepts("Тамеки өлтүрөт. Бирок бир бала мени өлтүрөм деп коркутту") == [
        ("violence", ["мени өлтүрөм деп", "коркутту"])
    ]


def test_it_returns_concepts_with_the_words_as_written():
    found = triage.urgent_concepts("Отчим избивает маму. Потом я хочу умереть!")
    assert found == [("suicide", ["хочу умереть"]), ("domestic", ["отчим избивает маму"])]
    assert triage.urgent_matches("Отчим избивает маму. Потом я хочу умереть!") == [
        "хочу умереть",
        "отчим избивает маму",
    ]
    # the longer reading wins: "kill" is not listed again inside "kill myself"
    assert triage.urgent_concepts("I want to kill myself") == [("suicide", ["kill myself"])]


def test_kyrgyz_vowels_are_not_read_loosely():
    # Russian rules forgive children's vowels (хочю умиреть); Kyrgyz ones do not: «агай» is not «өгөй»
    # (the rules alone: the model may read «тийишет» as the harassment it can mean)
    assert not triage.urgent_concepts("Агай мага тийишет, сабакта көп суроо берет", trained=triage.RULES_ONLY)
    assert triage.is_urgent("Өгөй атам мага тийишет, апама айта албайм")


def test_kyrgyz_voicing_is_forgiven_only_at_the_end_of_a_stem():
    # «бычак» → «бычагын» is the same word; «адам» (a person) is not «атам» (my father)
    assert "weapons" in dict(triage.urgent_concepts("Бычагын сумкасына салып алып келди"))
    assert "domestic" in dict(triage.urgent_concepts("Атам урат"))
    assert "domestic" not in dict(triage.urgent_concepts("Ал адам урат"))


def test_an_exception_with_parts_covers_every_occurrence_of_a_part():
    # "otib" and "o'ldirdim" both read as the second part of the games exception: both hits are dropped
    assert not triage.is_urgent("Kompyuter o'yinida dushmanlarni otib o'ldirdim, zo'r o'yin")
    assert triage.is_urgent("Sinfdoshim maktabga pichoq olib kelib, hammani o'ldiraman dedi")


def test_a_phrase_rule_needs_all_its_parts():
    # the rules alone: the model reads a five-word sentence with «тренер» as a possible grooming (round 6 flags it)
    assert not triage.urgent_concepts("Тренер обнимает всех после победы", trained=triage.RULES_ONLY)
    assert triage.is_urgent("Тренер обнимает меня и говорит: никому не рассказывай")
    assert not triage.is_urgent("Отправь фото домашки")
    assert triage.is_urgent("Он просит фотки и говорит, что это секрет")


def test_it_parses_the_rule_syntax():
    rule = triage.rule_parse("мени|сени олтур* .. деп", "violence", "cyr")
    assert len(rule.parts) == 1 and len(rule.parts[0]) == 4 and rule.parts[0][2] == triage.GAP
    assert [a.prefix for a in rule.parts[0][1]] == [True]
    assert len(triage.rule_parse("a b & c", "sexual", "en").parts) == 2
    hyphen = triage.rule_parse("уруп-сабайт", "violence", "cyr")
    assert len(hyphen.parts[0]) == 2
    with pytest.raises(ValueError):
        triage.rules_parse("[xx]\nword\n", "suicide")
    with pytest.raises(ValueError):
        triage.rules_parse("word\n", "suicide")


def test_every_rule_file_is_well_formed():
    for concept in triage.CONCEPTS:
        path = triage.DATA_DIR / f"{concept}.txt"
        if concept in {"school", "server"}:
            assert not path.exists()
            continue
        text = path.read_text(encoding="utf-8")
        assert all(f"[{lang}]" in text for lang in ("ky", "ru", "en", "uz")), concept
        for rule in triage.rules_parse(text, concept):
            for part in rule.parts:
                where = {}
                for n, position in enumerate(part):
                    if position == triage.GAP:
                        continue
                    for alt in position:
                        assert not alt.prefix or len(alt.form.one) >= 3, (concept, rule.source)
                        # "кесип жүрөт|кесип алды" reads as three positions: a word in two places is
                        # the sign of a phrase written as one alternative by mistake
                        assert where.setdefault((alt.form.one, alt.prefix), n) == n, (concept, rule.source)


def test_every_concept_has_a_translated_label():
    with translation.override("ky"):
        assert triage.concept_label("marriage") == "мажбурлап же эрте нике, ала качуу"
    with translation.override("ru"):
        assert triage.concept_label("suicide") == "суицид или самоповреждение"
    with translation.override("en"):
        assert triage.concept_label("neglect") == "neglect, a child left alone"
    assert triage.concept_label("unknown") == "unknown"


def test_it_is_fast_enough():
    import time

    text = "Мен мектепте окуйм. " * 20 + "Ашканада тамак даамсыз. I like our teacher. O'qituvchi yaxshi."
    triage.urgent_concepts(text)
    started = time.perf_counter()
    for _ in range(50):
        triage.urgent_concepts(text)
    assert (time.perf_counter() - started) / 50 < 0.05  # a long appeal, on a loaded machine


@pytest.mark.django_db
def test_the_case_page_shows_the_concepts_and_the_words(client, demo, login, django_capture_on_commit_callbacks):
    client.cookies["ishenim_lang"] = "ru"
    data = {
        "author_kind": "student",
        "signed": "anonymous",
        "category": "bullying",
        "text": "Отчим избивает маму, а я хочу умереть. Помогите.",
    }
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/s/rakhmanov/write/", data, follow=True)
    appeal = Appeal.objects.get()
    assert appeal.urgent
    login("responsible")
    client.cookies["ishenim_lang"] = "ru"
    page = client.get(f"/staff/rakhmanov/appeals/{appeal.pk}/").content.decode()
    assert "urgent-concepts" in page
    assert "Суицид или самоповреждение: «хочу умереть»" in page
    assert "Насилие в семье: «отчим избивает маму»" in page


@pytest.mark.django_db
def test_the_urgent_words_page_says_what_triage_recognises(client, demo, login):
    from django.urls import reverse

    login("director")
    client.cookies["ishenim_lang"] = "ru"
    page = client.get(reverse("appeals:urgent_words", args=[demo.slug])).content.decode()
    assert "на кыргызском, русском, английском и узбекском" in page and "похищение невесты" in page


@pytest.mark.parametrize(
    "text",
    [
        "Эч кимиси жаракат алган жок, баары аман",  # negated injury
        "ech kim jarakat algan jok",
        "Врач осмотрел: угрозы жизни не выявлено",
        "Nobody was hurt during the fire drill",
        "O'quv mashg'ulotida hech kim jarohat olmadi",
        "На уроке ОБЖ учили останавливать кровотечение",  # a first-aid lesson
        "In the first aid lesson we learned how to stop bleeding",
        "Биринчи жардам сабагында кан агып жатса эмне кылууну үйрөндүк",
        "Сын сбежал с урока физкультуры",  # truancy, not a runaway
        "На экскурсии мальчик потерялся, но через десять минут нашелся",  # found again
        "Notice: the chemistry lab has poisonous reagents, keep the cupboard locked",
        "Кимё хонасида заҳарли реактивлар бор",
        "My friend said I'll kill you as a joke",
        "In cooking class we used kitchen knives",
        "Ашпозчулук сабагында бычак менен жашылча туурадык",
        "Qizimni ertaroq olib ketsam bo'ladimi, to'yga boramiz",  # «olib» (take), not «o'lib» (die)
        "Негде попить воды",
        "It would be better if I was here to help my sister with homework",  # a wish to be there
    ],
)
def test_harmless_reports_the_rules_read_literally_before(text):
    assert triage.urgent_concepts(text, trained=triage.RULES_ONLY) == []


@pytest.mark.parametrize(
    ("text", "concept"),
    [
        ("эч ким жардам берген жок, жаракат алдым", "violence"),  # the negation is of the help, not the injury
        ("I'll kill you, I'm not joking, he said", "violence"),
        ("Men o'lib ketsam hammaga yaxshi bo'ladi", "suicide"),
        ("atam meni tameki menen kuydurdu", "domestic"),
        ("My dad burns me with his cigarettes", "domestic"),
        ("Мать выставила дочку на мороз в одной футболке", "neglect"),
        ("apam meni kyshta futbolkachan kochogo chygaryp saldy", "neglect"),
        ("Our coal stove gives off fumes, we all have headaches", "poisoning"),
        ("уйдо комур мештен ис тийди", "poisoning"),
        ("everyone would be happier if i was not here anymore, i made my choice", "suicide"),
        ("they'd all be better if I wasn't around", "suicide"),
    ],
)
def test_dangers_told_beside_those_words_still_alert(text, concept):
    assert concept in dict(triage.urgent_concepts(text, trained=triage.RULES_ONLY))
