import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from appeals.models import Appeal, Attachment
from appeals.tests.helpers import jpeg_with_gps

pytestmark = pytest.mark.django_db

TEXT = "Биздин класста бир бала башкаларды тамеки тартууга мажбурлайт. Жардам бериңиздер."
URL = "/s/rakhmanov/write/"


def form(**fields):
    data = {"author_kind": "student", "signed": "anonymous", "category": "smoking", "text": TEXT}
    data.update(fields)
    return {k: v for k, v in data.items() if v is not None}


def errors(response) -> list[str]:
    return re.findall(r'<p class="error" role="alert">(.*?)</p>', response.content.decode())


def test_it_shows_the_form_in_kyrgyz_by_default(client, demo):
    response = client.get(URL)
    assert response.status_code == 200
    assert 'lang="ky"' in response.content.decode()
    assert "ishenim_b" in response.cookies  # the random counter cookie, nothing else about the visitor


def test_it_accepts_an_anonymous_appeal_and_stores_no_identity(client, demo):
    response = client.post(URL, form(full_name="Typed Before Switching", phone="0555 123 456"))
    assert response.status_code == 302 and response["Location"] == "/s/rakhmanov/receipt/"
    appeal = Appeal.objects.get()
    assert appeal.anonymous and appeal.author_sealed is None and appeal.grade is None
    assert appeal.channel == "online" and appeal.category == "smoking" and appeal.journal_number == 1
    assert appeal.receipt_hash and appeal.followup.writer_public_key
    assert appeal.language == "ky"  # (urgent or not is triage's: round 6 reads «бир бала … мажбурлайт» as danger)


def test_it_accepts_a_signed_appeal_with_class_and_phone(client, demo):
    data = form(signed="signed", full_name="Айбек Садыров", school_class="7-б", phone="+996 (555) 12-34-56")
    assert client.post(URL, data).status_code == 302
    appeal = Appeal.objects.get()
    assert not appeal.anonymous and appeal.grade == 7 and appeal.author_sealed


ERROR_CASES = [
    ({"text": ""}, "text", "the box cannot send an empty one"),
    ({"text": "   "}, "text", "the box cannot send an empty one"),
    ({"text": "Жардам"}, "text", "One word is not enough"),
    ({"text": "сөз " * 3000}, "text", "The text is too long: 11999 characters, at most 6000"),
    (
        {"signed": "signed", "full_name": "Айбек Садыров", "school_class": "7Б", "phone": "12345"},
        "phone",
        "not a phone number",
    ),
    ({"signed": "signed", "full_name": "Айбек Садыров", "phone": "0555123456"}, "school_class", "writes their class"),
    (
        {"signed": "signed", "full_name": "Айбек Садыров", "school_class": "жетинчи", "phone": "0555123456"},
        "school_class",
        "as a number and a letter",
    ),
    (
        {"signed": "signed", "full_name": "", "school_class": "7Б", "phone": "0555123456"},
        "full_name",
        "Write your full name",
    ),
    (
        {"signed": "signed", "full_name": "Айбек Садыров", "school_class": "7Б"},
        "phone",
        "Give a phone number or an address",
    ),
    ({"category": ""}, "category", "Choose what the appeal is about"),
    ({"author_kind": None}, "author_kind", "Choose who is writing"),
]


def test_it_explains_each_error_and_keeps_what_was_typed(client, demo):
    client.cookies["ishenim_lang"] = "en"
    for fields, field, message in ERROR_CASES:
        data = form(**fields)
        response = client.post(URL, data)
        assert response.status_code == 200
        assert any(message in e for e in errors(response)), (fields, errors(response))
        assert list(response.context["form"].errors) == [field], fields
        page = response.content.decode()
        if "text" not in fields:
            assert TEXT in page
        if data.get("full_name"):
            assert data["full_name"] in page
    assert Appeal.objects.count() == 0


def test_it_gives_each_error_in_kyrgyz_and_russian(demo):
    for language, needle in (("ky", "Бир сөз"), ("ru", "Одного слова")):
        client = Client()
        client.cookies["ishenim_lang"] = language
        response = client.post(URL, form(text="Жардам"))
        assert any(needle in e for e in errors(response)), (language, errors(response))


def test_it_bad_file_is_named_and_the_rest_of_the_form_kept(client, demo):
    bad = SimpleUploadedFile("virus.jpg", b"MZ not a picture", content_type="image/jpeg")
    client.cookies["ishenim_lang"] = "en"
    response = client.post(URL, {**form(), "files": [bad]})
    assert response.status_code == 200
    page = response.content.decode()
    assert "«virus.jpg» could not be read as a picture" in page
    assert "Choose the files again" in page
    assert TEXT in page and 'value="smoking" selected' in page
    assert Appeal.objects.count() == 0


def test_it_stores_good_photos_sealed(client, demo):
    photo = SimpleUploadedFile("IMG_1.jpg", jpeg_with_gps(), content_type="image/jpeg")
    doc = SimpleUploadedFile("letter.pdf", b"%PDF-1.4 a letter", content_type="application/pdf")
    assert client.post(URL, {**form(), "files": [photo, doc]}).status_code == 302
    kinds = sorted(Attachment.objects.values_list("kind", flat=True))
    assert kinds == ["document", "image"]
    assert all(b"%PDF" not in bytes(a.content_sealed) for a in Attachment.objects.all())


def test_it_refuses_too_many_files(client, demo):
    files = [SimpleUploadedFile(f"{n}.pdf", b"%PDF-1.4", content_type="application/pdf") for n in range(4)]
    client.cookies["ishenim_lang"] = "en"
    response = client.post(URL, {**form(), "files": files})
    assert "at most 3 files" in response.content.decode()


def test_it_honeypot_stops_robots_politely(client, demo):
    client.cookies["ishenim_lang"] = "en"
    response = client.post(URL, form(website="http://spam.example"))
    assert response.status_code == 200 and "could not be sent" in response.content.decode()
    assert Appeal.objects.count() == 0


def test_it_sends_to_the_district_instead(client, demo):
    assert client.post(URL, form(to_district="on", category="corruption")).status_code == 302
    appeal = Appeal.objects.get()
    assert appeal.district == demo.district and appeal.vault_scope == demo.district.vault_scope
    assert appeal.journal_number == 1


def test_it_flood_gets_a_polite_refusal_and_keeps_the_text(client, demo, settings):
    settings.ISHENIM = {**settings.ISHENIM, "SUBMITS_PER_BROWSER_HOUR": 2}
    client.get(URL)  # the browser gets its counter cookie
    for _ in range(2):
        assert client.post(URL, form()).status_code == 302
    client.cookies["ishenim_lang"] = "en"
    response = client.post(URL, form())
    assert response.status_code == 429
    assert "Please wait a while" in response.content.decode() and TEXT in response.content.decode()
    assert Appeal.objects.count() == 2


def test_it_whole_class_behind_one_address_is_not_blocked(demo):
    """Thirty pupils on the school's Wi-Fi share one public address: each browser counts on its own."""
    for _pupil in range(30):
        browser = Client(REMOTE_ADDR="203.0.113.7")
        browser.get(URL)
        assert browser.post(URL, form()).status_code == 302
    assert Appeal.objects.count() == 30


def test_it_script_without_cookies_hits_the_school_ceiling(demo, settings):
    settings.ISHENIM = {**settings.ISHENIM, "SUBMITS_PER_SCHOOL_HOUR": 5}
    codes = [Client().post(URL, form()).status_code for _ in range(7)]
    assert codes == [302] * 5 + [429] * 2


def test_it_receipt_code_never_travels_in_a_url(client, demo):
    response = client.post(URL, form(), follow=True)
    code = response.context["code"]
    assert re.fullmatch(r"([A-Z2-9]{5}-){3}[A-Z2-9]{5}", code)
    assert all(code not in url for url, _status in response.redirect_chain)
    assert code not in response.wsgi_request.get_full_path()
