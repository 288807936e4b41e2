"""The box's public documents: the A4 poster for the school's walls and the writer's receipt.

Their contexts are built here, once, for the registry (`ishenim.document_registry`),
which makes them in the language asked for (`?language=`, else the reader's).
"""

from dataclasses import dataclass

import segno

from appeals.models import Appeal
from ishenim.documents import document_date, local_day, local_time
from schools.models import School


@dataclass
class Receipt:
    """What the writer keeps: the school, their appeal and its receipt code (never stored in the clear)."""

    school: School
    appeal: Appeal
    code: str

    def filename(self, language: str) -> str:
        return f"ishenim-receipt-{local_day(self.appeal.received_at, self.school):%Y-%m-%d}"


def receipt_context(receipt: Receipt, language: str, request=None) -> dict:
    from appeals.views_public import _context, box_url

    school, appeal = receipt.school, receipt.appeal
    return _context(
        school,
        code=receipt.code,
        appeal=appeal,
        sent_on=document_date(appeal.received_at, language, school=school),
        sent_at=local_time(appeal.received_at, school),
        follow_url=box_url(school) + "follow/",
    )


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
