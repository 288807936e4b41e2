"""The printable appeal form for the physical box, with a tear-off stub.

The form that goes into the box carries only its form number (`stubs.form_number`), which
the commission types to link the letter; the receipt code is printed only on the stub the
writer tears off and keeps, so nobody who handles the letter can read the case or write as
the child. The stub's QR code opens the school's follow-up page; the code itself is never
put in a link, the writer types it there.
"""

from __future__ import annotations

import segno
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from appeals.models import Appeal
from commission.services.stubs import PrintedForm
from ishenim.documents import render_pdf
from schools.models import School


def follow_url(school: School) -> str:
    """The school's public follow-up page, absolute, without any code in it."""
    return settings.SITE_URL.rstrip("/") + reverse("appeals_public:follow", kwargs={"school": school.slug})


def qr_data_uri(url: str) -> str:
    return segno.make(url, error="m").svg_data_uri(scale=4, border=0, dark="#000")


def paper_forms_pdf(*, school: School, forms: list[PrintedForm], size: str, language: str) -> bytes:
    """One page (A4 or A5) per form: its number on the form, its code on the stub."""
    url = follow_url(school)
    with translation.override(language):
        categories = [str(label) for value, label in Appeal.Category.choices if value != Appeal.Category.OTHER]
    help_numbers = list(school.help_numbers.all()[:6])
    return render_pdf(
        "commission/documents/paper_form.html",
        {
            "school": school,
            "school_name": school.name_in(language),
            "forms": forms,
            "size": size,
            "follow_url": url,
            "qr": qr_data_uri(url),
            "categories": categories,
            "help_numbers": help_numbers,
            "text_lines": range(10 if size == "A4" else 3),
        },
        language=language,
    )
