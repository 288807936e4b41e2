"""The box's public documents: the A4 poster for the school's walls.

Its context is built here, once, for the registry (`ishenim.document_registry`),
which makes its PDF and DOCX in the language asked for (`?language=`).
"""

import segno

from schools.models import School


def poster_context(school: School, language: str, request=None) -> dict:
    from appeals.views_public import _context, box_url

    url = box_url(school)
    qr = segno.make(url, error="m")
    return _context(
        school,
        school_name=school.name_in(language),
        box_url=url,
        qr=qr.svg_data_uri(scale=6, border=2),
        next_opening=school.next_opening(),
    )
