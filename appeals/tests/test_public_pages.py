import datetime as dt
import re
import subprocess

import pytest

from ishenim.documents import document_date, local_time
from schools.models import BoxHours, HelpNumber

pytestmark = pytest.mark.django_db


def test_it_box_page_explains_everything_in_kyrgyz(client, demo):
    BoxHours.objects.filter(school=demo, weekday=4).update(opens=dt.time(8), closes=dt.time(17))
    response = client.get("/s/rakhmanov/")
    page = response.content.decode()
    assert response.status_code == 200 and 'lang="ky"' in page
    assert 'href="tel:112"' in page and 'href="tel:111"' in page
    assert "08:00–17:00" in page and "08:00–16:00" in page
    opening = demo.next_opening()  # «2026-жылдын 1-декабры, 12:00», on the school's clock
    assert f"{document_date(opening, 'ky', school=demo)}, {local_time(opening, demo)}" in page
    assert 'href="/s/rakhmanov/write/"' in page and 'href="/s/rakhmanov/follow/"' in page
    assert page.count("<li>") >= 9 + 6  # categories and anonymity points


def test_it_danger_line_uses_the_schools_own_numbers(client, demo):
    HelpNumber.objects.filter(school=demo, kind="emergency").update(number="112 / 0312 11 22 33")
    page = client.get("/s/rakhmanov/").content.decode()
    assert "112 / 0312 11 22 33" in page


def test_it_unknown_school_is_404(client, db):
    assert client.get("/s/nowhere/").status_code == 404


def test_it_embed_page_may_be_framed_and_loads_nothing_foreign(client, demo):
    response = client.get("/s/rakhmanov/embed/")
    assert response.status_code == 200
    assert "frame-ancestors *" in response["Content-Security-Policy"]
    assert "X-Frame-Options" not in response
    page = response.content.decode()
    assert 'target="_blank"' in page and "http://127.0.0.1:8000/s/rakhmanov/write/" in page
    assert "frame-ancestors 'none'" in client.get("/s/rakhmanov/").headers["Content-Security-Policy"]


def test_it_website_page_gives_the_snippets(client, demo, settings):
    settings.SITE_URL = "https://ishenim.osh.kg"
    page = client.get("/s/rakhmanov/website/").content.decode()
    assert "&lt;iframe src=&quot;https://ishenim.osh.kg/s/rakhmanov/embed/&quot;" in page or (
        '&lt;iframe src="https://ishenim.osh.kg/s/rakhmanov/embed/"' in page
    )
    assert "/s/rakhmanov/poster.pdf?language=ru" in page


def _pdf_text(content: bytes, tmp_path) -> str:
    path = tmp_path / "doc.pdf"
    path.write_bytes(content)
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout


def test_it_poster_is_an_a4_pdf_with_qr_hours_and_numbers(client, demo, settings, tmp_path):
    settings.SITE_URL = "https://ishenim.osh.kg"
    response = client.get("/s/rakhmanov/poster.pdf?language=ru")
    assert response["Content-Type"] == "application/pdf"
    text = _pdf_text(response.content, tmp_path)
    assert "Средняя школа им. Н. Рахманова" in text and "https://ishenim.osh.kg/s/rakhmanov/" in text
    assert "08:00–16:00" in text and "112" in text and "111" in text
    info = subprocess.run(["pdfinfo", str(tmp_path / "doc.pdf")], capture_output=True, text=True).stdout
    assert "595.28 x 841.89" in info.replace("595.276", "595.28").replace("841.89", "841.89") or "A4" in info
    assert b"/Subtype /Image" in response.content or b"<svg" in response.content or len(response.content) > 10_000


def test_it_receipt_pdf_proves_the_date(client, demo, tmp_path):
    client.get("/s/rakhmanov/write/")
    response = client.post(
        "/s/rakhmanov/write/",
        {
            "author_kind": "student",
            "signed": "anonymous",
            "category": "wish",
            "text": "Рахмат мугалимдерге, сабактар кызыктуу.",
        },
        follow=True,
    )
    code, appeal = response.context["code"], response.context["appeal"]
    pdf = client.get("/s/rakhmanov/receipt.pdf")
    assert pdf["Content-Disposition"].startswith("attachment;") and pdf["Cache-Control"] == "no-store"
    text = _pdf_text(pdf.content, tmp_path)
    assert code in text and "-жылдын" in text and re.search(rf"№\s*{appeal.journal_number}\b", text)
    assert "Рахмат" not in text  # the receipt proves the date, it does not repeat the appeal
    assert fresh_get(client, "/s/rakhmanov/receipt.pdf") == 404


def fresh_get(_client, url) -> int:
    from django.test import Client

    return Client().get(url).status_code
