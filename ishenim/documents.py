"""Documents a school prints and files: PDF from HTML templates, DOCX for Word.

Every document is rendered in the language the reader chose, with Noto Sans
embedded (it has ң, ө, ү), on A4.
"""

import datetime as dt
import io

from django.conf import settings
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import translation

MONTHS = {
    # Kyrgyz documents write «2025-жылдын 1-сентябры».
    "ky": [
        "январы",
        "февралы",
        "марты",
        "апрели",
        "майы",
        "июну",
        "июлу",
        "августу",
        "сентябры",
        "октябры",
        "ноябры",
        "декабры",
    ],
    "ru": [
        "января",
        "февраля",
        "марта",
        "апреля",
        "мая",
        "июня",
        "июля",
        "августа",
        "сентября",
        "октября",
        "ноября",
        "декабря",
    ],
    # Uzbek documents write «2026-yil 28-noyabr».
    "uz": [
        "yanvar",
        "fevral",
        "mart",
        "aprel",
        "may",
        "iyun",
        "iyul",
        "avgust",
        "sentabr",
        "oktabr",
        "noyabr",
        "dekabr",
    ],
    "en": [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ],
}


def document_date(day: dt.date, language: str) -> str:
    month = MONTHS.get(language, MONTHS["en"])[day.month - 1]
    if language == "ky":
        return f"{day.year}-жылдын {day.day}-{month}"
    if language == "ru":
        return f"{day.day} {month} {day.year} г."
    if language == "uz":
        return f"{day.year}-yil {day.day}-{month}"
    return f"{day.day} {month} {day.year}"


def render_pdf(template: str, context: dict, *, language: str) -> bytes:
    """Render a template extending `documents/base.html` to PDF bytes."""
    from weasyprint import HTML  # Pango is needed only when a document is made

    with translation.override(language):
        html = render_to_string(template, {**context, "LANGUAGE": language, "FONTS": _fonts_url()})
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()


def _fonts_url() -> str:
    return (settings.BASE_DIR / "static" / "fonts").as_uri()


def file_response(content: bytes, filename: str, content_type: str, *, inline: bool = False) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    disposition = "inline" if inline else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


def pdf_response(content: bytes, filename: str, *, inline: bool = False) -> HttpResponse:
    return file_response(content, filename, "application/pdf", inline=inline)


DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


class Docx:
    """A small builder over python-docx for the school's documents."""

    def __init__(self, language: str):
        from docx import Document
        from docx.shared import Pt

        self.language = language
        self.document = Document()
        style = self.document.styles["Normal"]
        style.font.name = "Noto Sans"
        style.font.size = Pt(11)
        section = self.document.sections[0]
        from docx.shared import Mm

        section.page_width, section.page_height = Mm(210), Mm(297)
        section.left_margin = section.right_margin = Mm(20)

    def approval(self, lines: list[str]) -> None:
        """The approval block (БЕКИТЕМ / УТВЕРЖДАЮ) at the top right."""
        from docx.enum.text import WD_ALIGN_PARAGRAPH

        for line in lines:
            self.document.add_paragraph(line).alignment = WD_ALIGN_PARAGRAPH.RIGHT

    def heading(self, text: str, level: int = 1) -> None:
        self.document.add_heading(text, level=level)

    def paragraph(self, text: str, *, bold: bool = False) -> None:
        run = self.document.add_paragraph().add_run(text)
        run.bold = bold

    def table(self, headers: list[str], rows: list[list[str]]) -> None:
        table = self.document.add_table(rows=1, cols=len(headers))
        table.style = "Table Grid"
        for cell, text in zip(table.rows[0].cells, headers, strict=True):
            cell.text = str(text)
            for run in cell.paragraphs[0].runs:
                run.bold = True
        for row in rows:
            cells = table.add_row().cells
            for cell, text in zip(cells, row, strict=True):
                cell.text = "" if text is None else str(text)

    def signatures(self, people: list[tuple[str, str]]) -> None:
        """Signature lines: (role, full name)."""
        for role, name in people:
            self.document.add_paragraph(f"{role}: ____________________ {name}")

    def bytes(self) -> bytes:
        buffer = io.BytesIO()
        self.document.save(buffer)
        return buffer.getvalue()

    def response(self, filename: str) -> HttpResponse:
        return file_response(self.bytes(), filename, DOCX_TYPE)
