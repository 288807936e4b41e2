"""The printable appeal form for the physical box, with a tear-off stub.

The form that goes into the box carries only its form number (`stubs.form_number`), which
the commission types to link the letter; the receipt code is printed only on the stub the
writer tears off and keeps, so nobody who handles the letter can read the case or write as
the child. The stub's QR code opens the school's follow-up page; the code itself is never
put in a link, the writer types it there.
"""

from __future__ import annotations

from dataclasses import dataclass

import segno
from django.conf import settings
from django.urls import reverse

from appeals.models import Appeal
from openings.services.stubs import PrintedForm
from schools.models import School


def follow_url(school: School) -> str:
    """The school's public follow-up page, absolute, without any code in it."""
    return settings.SITE_URL.rstrip("/") + reverse("appeals_public:follow", kwargs={"school": school.slug})


def qr_data_uri(url: str) -> str:
    return segno.make(url, error="m").svg_data_uri(scale=4, border=0, dark="#000")


@dataclass
class PaperForms:
    """A batch of printed forms: the school, the forms (number and stub code) and the paper size."""

    school: School
    forms: list[PrintedForm]
    size: str


def paper_forms_context(batch: PaperForms, language: str, request=None) -> dict:
    """One page (A4 or A5) per form: its number on the form, its code on the stub."""
    school = batch.school
    url = follow_url(school)
    categories = [str(label) for value, label in Appeal.Category.choices if value != Appeal.Category.OTHER]
    return {
        "school": school,
        "school_name": school.name_in(language),
        "forms": batch.forms,
        "size": batch.size,
        "follow_url": url,
        "qr": qr_data_uri(url),
        "categories": categories,
        "help_numbers": list(school.help_numbers.all()[:6]),
        "text_lines": range(10 if batch.size == "A4" else 3),
    }


def paper_forms_pdf(*, school: School, forms: list[PrintedForm], size: str, language: str) -> bytes:
    from ishenim.document_registry import DOCUMENTS

    return DOCUMENTS["paper_forms"].render(PaperForms(school, forms, size), language=language, fmt="pdf")
