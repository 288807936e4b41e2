"""The bound journal volume: made by a child process, kept until the volume's head moves, what a school files."""

import io
import shutil
import subprocess
import time

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from appeals.models import Appeal
from appeals.services import appeal_submit
from audit.models import AuditRecord
from journal.documents import column_titles
from journal.models import Volume
from journal.tests import test_journal_pages

filled = test_journal_pages.filled  # the fixture: a few signed and anonymous entries, one with measures

pytestmark = pytest.mark.usefixtures("_pdftotext")


@pytest.fixture
def _pdftotext():
    assert shutil.which("pdftotext"), "poppler-utils (pdftotext) is needed"


UZBEK = "Oʻquvchilarga gʻamxoʻrlik qilinmayapti, oshxonada ovqat sovuq."


@pytest.fixture
def cache(settings, tmp_path):
    settings.JOURNAL_PDF_DIR = tmp_path / "journal-pdf"
    return settings.JOURNAL_PDF_DIR


def _text(content: bytes, tmp_path, *pages: int) -> str:
    path = tmp_path / "out.pdf"
    path.write_bytes(content)
    args = ["pdftotext", "-layout"]
    if pages:
        args += ["-f", str(pages[0]), "-l", str(pages[-1])]
    return subprocess.run([*args, str(path), "-"], capture_output=True, check=True).stdout.decode()


def _page_count(content: bytes, tmp_path) -> int:
    path = tmp_path / "count.pdf"
    path.write_bytes(content)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, check=True).stdout.decode()
    return next(int(line.split()[1]) for line in info.splitlines() if line.startswith("Pages:"))


def _print(client, year, language="ky"):
    return client.get(reverse("journal:pdf", kwargs={"school": "rakhmanov"}), {"language": language, "year": year})


def test_the_kyrgyz_journal_has_its_title_page_numbered_pages_entries_and_certification(
    client, login, filled, cache, tmp_path
):
    login("director")
    response = _print(client, filled.year)
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    pages = _page_count(response.content, tmp_path)
    assert pages >= 3  # title page, the table, the certification
    with translation.override("ky"):
        title, statement = (
            _("Registration journal"),
            _("This journal holds {entries} entries on {pages} pages, numbered and bound."),
        )
        page_of = _("page {page} of {pages}")
        certification = _("Closing certification")
        director = _("Director")
        columns = column_titles()
    first = _text(response.content, tmp_path, 1)
    assert title.upper() in first and page_of.format(page=1, pages=pages) in first
    table = _text(response.content, tmp_path, 2)
    assert columns[0].split()[0] in table and columns[-1] in table and columns[-2] in table  # the header
    assert page_of.format(page=2, pages=pages) in table
    last = _text(response.content, tmp_path, pages)
    assert certification.upper() in last and director in last
    assert " ".join(statement.format(entries=filled.last_number, pages=pages).split()) in " ".join(last.split())
    assert filled.head_hash[:32] in last and filled.head_hash[32:] in last
    text = _text(response.content, tmp_path)
    for letter in "ңөү":
        assert letter in text
    # Every entry once, in order: the summaries are numbered "Кайрылуу N:".
    found = [n for n in range(1, filled.last_number + 1) if f"Кайрылуу {n}:" in text]
    assert found == list(range(1, filled.last_number + 1))
    words = text.split()  # a cell's lines are cut where the column ends
    assert {"Асанова", "Айпери,", "Ашкананын", "жетекчиси", "сүйлөшүлдү."} <= set(words)
    assert AuditRecord.objects.filter(action="ishenim.journal.printed").count() == 1


def test_it_is_kept_until_a_record_is_appended_then_made_again(client, login, filled, demo, cache, tmp_path):
    login("director")
    first = _print(client, filled.year)
    kept = list(cache.glob("*.pdf"))
    assert first.status_code == 200 and len(kept) == 1 and filled.head_hash[:24] in kept[0].name
    made = kept[0].stat().st_mtime_ns
    again = _print(client, filled.year)
    assert again.content == first.content and kept[0].stat().st_mtime_ns == made  # served, not made again

    appeal_submit(school=demo, text=UZBEK, category="request", author_kind=Appeal.AuthorKind.STUDENT)
    volume = Volume.objects.get(pk=filled.pk)
    assert volume.head_hash != filled.head_hash
    after = _print(client, filled.year)
    files = list(cache.glob("*.pdf"))
    assert [f.name for f in files] == [f"volume-{volume.pk}-{volume.head_hash[:24]}-ky.pdf"]  # the old one removed
    text = _text(after.content, tmp_path)
    assert "Oʻquvchilarga" in text and "gʻamxoʻrlik" in text  # oʻ gʻ with the modifier letter, in Noto Sans
    assert volume.head_hash[:32] in text
    # Another language is another file.
    assert _print(client, filled.year, "ru").status_code == 200
    assert len(list(cache.glob("*.pdf"))) == 2


def test_the_web_worker_does_not_lay_it_out(client, login, filled, cache, settings, tmp_path):
    """The request returns before the file exists; a child process writes it while no request runs."""
    settings.JOURNAL_PDF_WAIT = 0
    login("director")
    response = _print(client, filled.year)
    assert response.status_code == 202 and response["Refresh"] == "3"
    with translation.override("ky"):
        assert _("Download the bound journal (PDF)") in response.content.decode()
    # 202: the view found no file when it answered; the child's job mark is there unless a child on the other
    # core has already finished (a loaded machine can delay this test's next line by seconds)
    assert list(cache.glob("*.job")) or list(cache.glob("*.pdf"))
    assert not AuditRecord.objects.filter(action="ishenim.journal.printed").exists()
    deadline = time.monotonic() + 60
    while not list(cache.glob("*.pdf")) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert list(cache.glob("*.pdf")) and not list(cache.glob("*.job"))  # the job (clear words) is removed
    ready = _print(client, filled.year)
    assert ready.status_code == 200 and ready.content.startswith(b"%PDF")
    assert AuditRecord.objects.filter(action="ishenim.journal.printed").count() == 1


def test_a_second_request_while_it_is_being_made_does_not_start_another(client, login, filled, cache, settings):
    settings.JOURNAL_PDF_WAIT = 0
    login("director")
    assert _print(client, filled.year).status_code == 202
    jobs = list(cache.glob("*.job"))  # none: the child finished already, and the next request finds its file
    written = [job.stat().st_mtime_ns for job in jobs]
    assert _print(client, filled.year).status_code in (200, 202)
    assert all(not job.exists() or job.stat().st_mtime_ns == at for job, at in zip(jobs, written, strict=True))
    assert len(list(cache.glob("*.job"))) <= 1  # never a second child's mark


def test_a_failed_layout_is_reported_and_not_started_again_at_once(filled, cache, tmp_path):
    from journal.volume_pdf import RenderFailed, cached_path, main, volume_pdf_start

    path = cached_path(filled, "ky")
    path.parent.mkdir(parents=True)
    job = path.with_suffix(".job")
    job.touch()  # the mark of a child at work
    with pytest.raises(KeyError):
        main([str(path)], io.StringIO('{"key": "00"}'))  # a payload without its sheet
    assert not job.exists() and not path.exists()
    assert "KeyError" in path.with_suffix(".failed").read_text()
    with pytest.raises(RenderFailed):
        volume_pdf_start(filled, "ky", lambda: pytest.fail("the rows are not opened again"), b"k" * 32)


def test_the_kept_file_holds_no_clear_words(client, login, filled, cache):
    """A stolen disk: the kept journal is encrypted, and nothing of it was ever written in the clear."""
    login("director")
    assert _print(client, filled.year).status_code == 200
    [kept] = cache.glob("*.pdf")
    stored = kept.read_bytes()
    assert not stored.startswith(b"%PDF") and "Айпери".encode() not in stored
    assert not list(cache.glob("*.job")) and not list(cache.glob("*.part"))


def test_a_reader_without_the_office_key_never_gets_the_kept_clear_file(
    client, login, filled, cache, tmp_path, django_user_model
):
    from vault.models import KeyGrant

    login("director")
    clear = _print(client, filled.year)
    assert "Айпери" in _text(clear.content, tmp_path)  # the author of entry 1
    responsible = django_user_model.objects.get(username="responsible")
    KeyGrant.objects.filter(user=responsible).delete()  # a member whose key grant is not (yet) given
    login("responsible")
    own = _print(client, filled.year)
    assert own.status_code == 200 and own.content != clear.content
    text = _text(own.content, tmp_path)
    with translation.override("ky"):
        assert "Айпери" not in text and _("sealed") in text
    assert sorted(f.name.rsplit("-", 1)[-1] for f in cache.glob("*.pdf")) == ["ky.pdf", f"u{responsible.pk}.pdf"]
