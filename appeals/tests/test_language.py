"""The language of an appeal guessed from its text (appeals/language.py)."""

import pytest

from appeals.language import detect_language

# Sentences written for this test, the way children and parents write: short,
# no punctuation, Uzbek with ' instead of ʻ, Kyrgyz without ң ө ү sometimes.
SENTENCES = [
    ("ky", "Биздин класста бир бала мени күн сайын урат, мугалимге айтсам да эч нерсе болбойт."),
    ("ky", "Мектептин ажатканасы абдан кир, суу жок."),
    ("ky", "Мен 7Б класста окуйм. Мага жардам бериңизчи."),
    ("ky", "Математика мугалими бизге бааны акча үчүн коет"),
    ("ky", "ашканада тамак суук жана аз берилет"),
    ("ky", "Эмне үчүн бизге спорт залды ачпай жатышат?"),
    ("ky", "балдар тамеки чегип жатышат ажатканада"),
    ("ky", "мен үйдөн качып кетким келет, ата-энем урушат"),
    ("ky", "Рахмат, мугалимдер жакшы"),
    ("ky", "Биздин мектепке жаңы компьютер керек."),
    ("ru", "В нашем классе мальчика постоянно обижают, учитель ничего не делает."),
    ("ru", "Пожалуйста, почините батареи, в классе очень холодно."),
    ("ru", "Меня бьют старшеклассники после уроков"),
    ("ru", "учительница по химии кричит на нас"),
    ("ru", "Почему в столовой так дорого?"),
    ("ru", "Собирают деньги на ремонт, а ремонта нет."),
    ("ru", "я хочу чтобы в школе был кружок робототехники"),
    ("ru", "Спасибо директору за новый спортзал!"),
    ("ru", "У нас в туалете курят насвай"),
    ("ru", "Мне страшно идти в школу"),
    ("uz", "Bizning sinfda bir bola meni har kuni uradi, o'qituvchiga aytsam ham hech narsa bo'lmaydi."),
    ("uz", "Maktab hojatxonasi juda iflos, suv yo'q."),
    ("uz", "Men 7B sinfda oʻqiyman. Iltimos, menga yordam bering."),
    ("uz", "Matematika o'qituvchisi baho uchun pul so'raydi"),
    ("uz", "oshxonada ovqat sovuq va kam beriladi"),
    ("uz", "Nega bizga sport zalini ochishmayapti?"),
    ("uz", "bolalar hojatxonada nos chekishyapti"),
    ("uz", "Мактабда ўқитувчи бизга қичқиради, жуда қўрқамиз."),
    ("uz", "Ota-onam meni urishadi, uydan qochib ketmoqchiman"),
    ("uz", "Rahmat, o'qituvchilar yaxshi"),
    ("en", "A boy in our class is bullied every day and the teacher does nothing."),
    ("en", "Please fix the heating, it is very cold in the classroom."),
    ("en", "Older students hit me after school"),
    ("en", "why is the canteen so expensive"),
    ("en", "Thank you for the new sports hall!"),
    ("en", "I am scared to go to school"),
    ("en", "They collect money for repairs but nothing is repaired."),
    ("en", "my teacher shouts at us"),
]


def accuracy(samples):
    right = sum(detect_language(text, default="ky") == lang for lang, text in samples)
    return right / len(samples)


def test_own_sentences_accuracy():
    wrong = [(lang, detect_language(text), text) for lang, text in SENTENCES if detect_language(text) != lang]
    score = accuracy(SENTENCES)
    print(f"\nlanguage detection, own sentences: {score:.0%} of {len(SENTENCES)}; wrong: {wrong}")
    assert score >= 0.95, wrong


@pytest.mark.parametrize("text", ["", "ok", "+996 555 123 456", "!!!", "7Б"])
def test_too_little_text_keeps_the_page_language(text):
    assert detect_language(text, default="ru") == "ru"
    assert detect_language(text, default="uz") == "uz"


def test_kyrgyz_letters_decide_against_russian_words():
    assert detect_language("Мен 5-класста окуйм, мени сабакта уруп жатышат", default="ru") == "ky"


def test_uzbek_apostrophes_of_every_kind():
    for apostrophe in ("ʻ", "'", "’", "‘", "`"):
        assert detect_language(f"o{apostrophe}qituvchi yo{apostrophe}q", default="en") == "uz"


def _bench_samples():
    """The blind and judge batches of the triage evaluation (bench.triage), each appeal labelled by language."""
    from bench.triage import load

    return [
        (row["language"], row["text"], row["split"])
        for kind in ("blind", "test")
        for row in load(kind=kind)
        if row["language"] in ("ky", "ru", "uz", "en")
    ]


def test_bench_evaluation_set_accuracy():
    samples = _bench_samples()
    assert len(samples) >= 6000
    pairs = [(lang, text) for lang, text, _split in samples]
    score = accuracy(pairs)
    by_lang = {lang: round(accuracy([p for p in pairs if p[0] == lang]), 3) for lang in sorted({p[0] for p in pairs})}
    by_split = {
        split: round(accuracy([(lang, text) for lang, text, s in samples if s == split]), 3)
        for split in sorted({s for *_rest, s in samples})
    }
    print(f"\nlanguage detection, blind and judge: {score:.1%} of {len(pairs)}; {by_lang}; by split {by_split}")
    assert score >= 0.95


def _write(client, text, page_language):
    client.cookies["ishenim_lang"] = page_language
    data = {"author_kind": "student", "signed": "anonymous", "category": "other", "text": text}
    response = client.post("/s/rakhmanov/write/", data, follow=True)
    assert response.status_code == 200


@pytest.mark.django_db
def test_intake_stores_the_text_language_and_staff_see_it(client, demo, login):
    from appeals.models import Appeal

    _write(client, "Пожалуйста, почините батареи в нашем классе, очень холодно.", "ky")
    _write(client, "Maktab hojatxonasi juda iflos, suv yo'q, iltimos tuzatib bering.", "ky")
    _write(client, "Asanov Usenov Toktogulov 7B 10:00", "ru")  # names only: the page's language stays
    russian, uzbek, names = Appeal.objects.order_by("pk")
    assert (russian.language, uzbek.language, names.language) == ("ru", "uz", "ru")

    staff = login("director")
    staff.cookies["ishenim_lang"] = "ky"
    page = staff.get(f"/staff/rakhmanov/appeals/{uzbek.pk}/").content.decode()
    assert "<dd>Өзбекче <span" in page
    # the answer letter's form starts in the appeal's language (appeals.views_case.case_panel_context)
    from appeals.forms_case import OutgoingLetterForm

    assert OutgoingLetterForm(initial={"language": uzbek.language})["language"].value() == "uz"
