"""The journal page, its head, verify from the browser, the bound PDF and the XLSX."""

import os
from io import BytesIO

import pytest
from django.db import connection
from django.urls import reverse

from appeals.models import Appeal
from appeals.services import appeal_submit
from appeals.services.cases import case_assign, case_measures
from audit.models import AuditRecord
from journal.documents import page_counter_css
from journal.models import Record, Volume
from schools.demo import DEMO_PASSWORD
from vault.services import Keyring, user_key_unlock

SIGNED = {
    "full_name": "Асанова Айпери",
    "address": "Ош ш., Курманжан Датка көч., 5",
    "class": "9А",
    "phone": "0555 11 22 33",
}


@pytest.fixture
def filled(demo, django_user_model):
    """A few entries: signed and anonymous, paper and online, one with measures."""
    director = django_user_model.objects.get(username="director")
    appeals = []
    for n in range(int(os.environ.get("JOURNAL_ENTRIES", "6"))):
        appeals.append(
            appeal_submit(
                school=demo,
                channel=Appeal.Channel.PAPER if n % 2 else Appeal.Channel.ONLINE,
                text=f"Кайрылуу {n + 1}: мектептин ашканасында тамак суук, балдар ачка калып жатышат. " * (1 + n % 3),
                category=list(Appeal.Category.values)[n % 9],
                author_kind=Appeal.AuthorKind.PARENT,
                author=SIGNED if n % 3 == 0 else None,
                grade=9 if n % 3 == 0 else None,
            )
        )
    psychologist = django_user_model.objects.get(username="psychologist")
    ring = Keyring(director, user_key_unlock(director, DEMO_PASSWORD))
    case_assign(appeal=appeals[0], handlers=[psychologist], actor=director, ring=ring)
    import datetime as dt

    case_measures(
        appeal=appeals[0],
        kinds=["organisation"],
        text="Ашкананын жетекчиси менен сүйлөшүлдү.",
        taken_on=dt.date(2026, 11, 20),
        actor=director,
    )
    return Volume.objects.get(school=demo)


def test_it_shows_the_journal_with_its_head_and_opened_columns(client, login, filled, django_assert_max_num_queries):
    login("director")
    with django_assert_max_num_queries(30):
        page = client.get(reverse("journal:page", kwargs={"school": "rakhmanov"}))
    html = page.content.decode()
    assert filled.head_hash[:8] + " " + filled.head_hash[8:16] in html
    assert f'id="last-number">{filled.last_number}<' in html
    assert "Асанова Айпери, Ош ш., Курманжан Датка көч., 5" in html
    assert "Ашкананын жетекчиси менен сүйлөшүлдү." in html
    assert AuditRecord.objects.filter(action="ishenim.journal.viewed").count() == 1


def test_it_does_not_grow_queries_with_entries(client, login, filled, demo, django_assert_max_num_queries):
    for n in range(20):
        appeal_submit(school=demo, text=f"Дагы бир кайрылуу {n}.", category="request", author_kind="student")
    login("director")
    with django_assert_max_num_queries(30):
        assert client.get(reverse("journal:page", kwargs={"school": "rakhmanov"})).status_code == 200


@pytest.mark.parametrize("username", ["psychologist", "teacher", "parent", "director2"])
def test_it_keeps_the_journal_from_those_without_the_role(client, login, filled, username):
    login(username)
    assert client.get(reverse("journal:page", kwargs={"school": "rakhmanov"})).status_code == 404
    assert client.get(reverse("journal:pdf", kwargs={"school": "rakhmanov"}), {"language": "ky"}).status_code == 404


def test_it_verifies_from_the_page_and_reports_tampering(client, login, filled):
    login("responsible")
    url = reverse("journal:verify", kwargs={"school": "rakhmanov"})
    page = client.post(url, {"year": filled.year, "head": ""}, follow=True).content.decode()
    assert "verify-result" in page and "danger-line verify-result" not in page
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Record._meta.db_table} SET taken_on = %s WHERE volume_id = %s AND seq = 2",  # noqa: S608
            ["2001-01-01", filled.pk],
        )
    page = client.post(url, {"year": filled.year, "head": ""}, follow=True).content.decode()
    assert "danger-line verify-result" in page and ": 2" in page
    assert AuditRecord.objects.filter(action="ishenim.journal.verified").count() == 2


def test_it_checks_a_written_down_head_and_rejects_a_malformed_one(client, login, filled):
    login("director")
    url = reverse("journal:verify", kwargs={"school": "rakhmanov"})
    page = client.post(url, {"year": filled.year, "head": filled.head_hash[:16].upper()}, follow=True).content.decode()
    assert "verify-result" in page and "danger-line" not in page
    page = client.post(url, {"year": filled.year, "head": "not a hash"}, follow=True).content.decode()
    assert 'class="error"' in page


def test_it_prints_the_bound_journal_as_a_landscape_pdf(client, login, filled):
    from weasyprint import HTML  # noqa: F401 - the PDF is checked through pdftotext below when available

    login("director")
    response = client.get(
        reverse("journal:pdf", kwargs={"school": "rakhmanov"}), {"language": "ru", "year": filled.year}
    )
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    if os.environ.get("JOURNAL_PDF_OUT"):
        with open(os.environ["JOURNAL_PDF_OUT"], "wb") as out:
            out.write(response.content)
    text = _pdf_text(response.content)
    if text is not None:
        assert "ЖУРНАЛ РЕГИСТРАЦИИ" in text.upper()
        assert f"внесено записей: {filled.last_number};" in text
        pages = text.count("\f")
        assert f"стр. 1 из {pages}" in text and f"пронумеровано и прошнуровано {pages} стр." in text
        assert "Асанова Айпери" in text
    assert AuditRecord.objects.filter(action="ishenim.journal.printed").count() == 1


def test_it_exports_the_journal_as_xlsx_in_the_chosen_language(client, login, filled):
    from openpyxl import load_workbook

    login("director")
    response = client.get(
        reverse("journal:xlsx", kwargs={"school": "rakhmanov"}), {"language": "en", "year": filled.year}
    )
    assert response.status_code == 200
    sheet = load_workbook(BytesIO(response.content)).active
    rows = list(sheet.values)
    assert rows[0][0] == "a) No." and rows[0][5] == "f) Measures taken"
    assert [r[0] for r in rows[1:]] == list(range(1, filled.last_number + 1))
    assert rows[1][2].startswith("Асанова Айпери") and rows[2][2] == "anonymous"
    assert "Ашкананын жетекчиси" in rows[1][5]
    assert AuditRecord.objects.filter(action="ishenim.journal.exported").count() == 1


def test_it_writes_page_numbers_in_the_reader_s_words():
    assert page_counter_css("page {page} of {pages}") == '"page " counter(page) " of " counter(pages)'
    assert page_counter_css("{pages} беттин {page}-бети") == 'counter(pages) " беттин " counter(page) "-бети"'


def _pdf_text(content: bytes) -> str | None:
    import shutil
    import subprocess
    import tempfile

    if not shutil.which("pdftotext"):
        return None
    with tempfile.NamedTemporaryFile(suffix=".pdf") as pdf:
        pdf.write(content)
        pdf.flush()
        return subprocess.run(["pdftotext", "-layout", pdf.name, "-"], capture_output=True, check=True).stdout.decode()


def test_it_links_first_last_and_nearby_pages_only(client, login, demo, monkeypatch):
    from journal import views_staff

    monkeypatch.setattr(views_staff, "PER_PAGE", 1)
    for n in range(30):
        appeal_submit(school=demo, text=f"Кайрылуу номер {n} мектепте", category="other", author_kind="student")
    login("director")
    page = client.get(reverse("journal:page", kwargs={"school": demo.slug}) + "?page=15").content.decode()
    links = page.count("&amp;page=")
    assert links < 15  # not 29 links for 30 pages
    assert '&amp;page=1"' in page and '&amp;page=30"' in page and '&amp;page=16"' in page
    nav = page[page.index('class="pagination"') :]
    assert nav[: nav.index("</nav>")].count("<span>") == 2  # the gaps before 12 and after 18
