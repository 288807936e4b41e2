"""The outgoing letters of a case: the answer letter to the author and the cover letter of a forwarding
(a letter found in the box is `openings.models.Letter`).

Both are written in the language staff choose (by default the appeal's), on
the school's (or the district office's) letterhead, signed by its head; each is
one template and one context (`answer_letter_context`, `cover_letter_context`) from which
the document registry makes the PDF and the DOCX. Every date is the school's day.
"""

from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from appeals.models import Answer, Appeal, Forwarding
from ishenim.documents import document_date
from schools.selectors import director_name
from vault.services import keyring


@dataclass
class OutgoingLetter:
    """An answer letter or a cover letter: the appeal, the answer or forwarding, and the author (when shown)."""

    appeal: Appeal
    item: Answer | Forwarding
    author: dict | None

    @property
    def audit_object(self) -> Appeal:
        return self.appeal


def _head(appeal: Appeal, actor) -> tuple[str, str]:
    """The signer: the school's director, or for a district appeal the officer who acts."""
    if appeal.district_id:
        return _("District education department specialist"), actor.get_full_name() if actor else ""
    return _("Director"), director_name(appeal.school)


def _letterhead(appeal: Appeal, language: str) -> list[str]:
    if appeal.district is not None:
        return [appeal.district.name_in(language), _("Education department")]
    return [appeal.school.name_in(language), appeal.school.address]


def _context(request, appeal: Appeal, language: str) -> dict:
    school = appeal.school if not appeal.district_id else None
    signer_title, signer = _head(appeal, getattr(request, "user", None))
    return {
        "appeal": appeal,
        "letterhead": [line for line in _letterhead(appeal, language) if line],
        "today": document_date(timezone.now(), language, school=school),
        "registered": document_date(appeal.registered_at or appeal.received_at, language, school=school),
        "received": document_date(appeal.received_at, language, school=school),
        "signer_title": signer_title,
        "signer": signer,
    }


def answer_letter_context(letter: OutgoingLetter, language: str, request) -> dict:
    appeal, answer, author = letter.appeal, letter.item, letter.author or {}
    assert isinstance(answer, Answer)  # an answer letter is made from an answer
    text = keyring(request).open_text(answer.text_sealed)
    context = _context(request, appeal, language)
    return context | {
        "author": author,
        "paragraphs": [p.strip() for p in text.split("\n") if p.strip()],
        "subject": _("On your appeal No. %(number)s of %(date)s")
        % {"number": appeal.journal_number, "date": context["received"]},
        "greeting": _("Dear %(name)s,") % {"name": author.get("full_name", "")},
    }


def cover_letter_context(letter: OutgoingLetter, language: str, request) -> dict:
    appeal, forwarding, author = letter.appeal, letter.item, letter.author
    assert isinstance(forwarding, Forwarding)  # a cover letter is made from a forwarding
    ring = keyring(request)
    cover = ring.open_text(forwarding.cover_sealed)
    appeal_text = ring.open_text(appeal.text_sealed)
    context = _context(request, appeal, language)
    body_name = forwarding.addressee or str(forwarding.get_body_display())
    standard = _(
        "Under the Law of the Kyrgyz Republic “On the procedure for considering citizens' appeals”, we forward "
        "for consideration within your competence the appeal registered in our journal under No. %(number)s "
        "on %(date)s (category: %(category)s). We ask you to inform us of the result."
    ) % {"number": appeal.journal_number, "date": context["registered"], "category": appeal.get_category_display()}
    if appeal.anonymous:
        author_line = _("Author: anonymous")
    elif author:
        author_line = _("Author: %(name)s, %(address)s") % {
            "name": author.get("full_name", ""),
            "address": author.get("address", ""),
        }
    else:
        author_line = _("Author: signed (the name is given to the competent body on request)")
    return context | {
        "to": body_name,
        "subject": _("On forwarding appeal No. %(number)s") % {"number": appeal.journal_number},
        "paragraphs": [standard] + [p.strip() for p in cover.split("\n") if p.strip()],
        "author_line": author_line,
        "appeal_paragraphs": [p for p in appeal_text.split("\n") if p.strip()],
        "forwarded_on": document_date(forwarding.forwarded_on, language),
    }
