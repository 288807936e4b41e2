"""The printable appeal form for the physical box, with a tear-off stub.

Each form carries one receipt code, printed twice: on the form (so the staff
who open the box can link the letter) and on the stub the writer tears off
and keeps. The stub's QR code opens the school's follow-up page; the code
itself is never put in a link, the writer types it there.
"""

from __future__ import annotations

import segno
from django.conf import settings
from django.urls import NoReverseMatch, reverse
from django.utils import translation

from appeals.models import Appeal
from ishenim.documents import render_pdf
from schools.models import School

# The public follow-up page's route names, as the appeals app may name them.
FOLLOW_ROUTES = ("appeals_public:follow", "appeals:follow", "public:follow", "follow")


def follow_url(school: School) -> str:
    """The school's public follow-up page, absolute, without any code in it."""
    for name in FOLLOW_ROUTES:
        for kwargs in ({"school": school.slug}, {"slug": school.slug}, {}):
            try:
                return settings.SITE_URL.rstrip("/") + reverse(name, kwargs=kwargs)
            except NoReverseMatch:
                continue
    return f"{settings.SITE_URL.rstrip('/')}/s/{school.slug}/follow/"


def qr_data_uri(url: str) -> str:
    return segno.make(url, error="m").svg_data_uri(scale=4, border=0, dark="#000")


def paper_forms_pdf(*, school: School, codes: list[str], size: str, language: str) -> bytes:
    """One page (A4 or A5) per code."""
    url = follow_url(school)
    with translation.override(language):
        categories = [str(label) for value, label in Appeal.Category.choices if value != Appeal.Category.OTHER]
    help_numbers = list(school.help_numbers.all()[:6])
    return render_pdf(
        "commission/documents/paper_form.html",
        {
            "school": school,
            "school_name": school.name_in(language),
            "codes": codes,
            "size": size,
            "follow_url": url,
            "qr": qr_data_uri(url),
            "categories": categories,
            "help_numbers": help_numbers,
            "text_lines": range(10 if size == "A4" else 3),
        },
        language=language,
    )
