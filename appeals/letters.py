"""The letters of a case: the answer to the author and the cover letter of a forwarding, as PDF and DOCX.

Both are written in the language staff choose (by default the appeal's), on
the school's (or the district office's) letterhead, signed by its head.
"""

from django.http import HttpResponse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from appeals.models import Answer, Appeal, Forwarding
from ishenim.documents import Docx, document_date, pdf_response, render_pdf
from schools.models import Membership, Role
from vault.services import keyring


def _head(appeal: Appeal, actor) -> tuple[str, str]:
    """The signer: the school's director, or for a district appeal the officer who acts."""
    if appeal.district_id:
        return _("District education department specialist"), actor.get_full_name()
    director = (
        Membership.objects.filter(school=appeal.school, role=Role.DIRECTOR, active=True).select_related("user").first()
    )
    return _("Director"), director.user.get_full_name() if director else ""


def _letterhead(appeal: Appeal, language: str) -> list[str]:
    if appeal.district_id:
        return [appeal.district.name_in(language), _("Education department")]
    return [appeal.school.name_in(language), appeal.school.address]


def _context(request, appeal: Appeal, language: str) -> dict:
    entry_day = appeal.registered_at or appeal.received_at
    signer_title, signer = _head(appeal, request.user)
    return {
        "appeal": appeal,
        "letterhead": [line for line in _letterhead(appeal, language) if line],
        "today": document_date(timezone.localdate(), language),
        "registered": document_date(entry_day.date(), language),
        "signer_title": signer_title,
        "signer": signer,
    }


def answer_letter(request, appeal: Appeal, answer: Answer, author: dict, *, language: str, fmt: str) -> HttpResponse:
    text = keyring(request).open_text(answer.text_sealed)
    with translation.override(language):
        context = _context(request, appeal, language) | {
            "author": author,
            "paragraphs": [p.strip() for p in text.split("\n") if p.strip()],
            "subject": _("On your appeal No. %(number)s of %(date)s")
            % {"number": appeal.journal_number, "date": document_date(appeal.received_at.date(), language)},
            "greeting": _("Dear %(name)s,") % {"name": author.get("full_name", "")},
        }
        filename = f"answer-{appeal.journal_number}-{language}"
        if fmt == "pdf":
            return pdf_response(
                render_pdf("appeals/staff/case_letter_answer.html", context, language=language), f"{filename}.pdf"
            )
        doc = _docx_start(context, language, to=[author.get("full_name", ""), author.get("address", "")])
        doc.paragraph(context["subject"], bold=True)
        doc.paragraph(context["greeting"])
        for paragraph in context["paragraphs"]:
            doc.paragraph(paragraph)
        doc.signatures([(context["signer_title"], context["signer"])])
        return doc.response(f"{filename}.docx")


def forwarding_letter(
    request, appeal: Appeal, forwarding: Forwarding, author: dict | None, *, language: str, fmt: str
) -> HttpResponse:
    ring = keyring(request)
    cover = ring.open_text(forwarding.cover_sealed)
    appeal_text = ring.open_text(appeal.text_sealed)
    with translation.override(language):
        body_name = forwarding.addressee or str(forwarding.get_body_display())
        standard = _(
            "Under the Law of the Kyrgyz Republic “On the procedure for considering citizens' appeals”, we forward "
            "for consideration within your competence the appeal registered in our journal under No. %(number)s "
            "on %(date)s (category: %(category)s). We ask you to inform us of the result."
        ) % {
            "number": appeal.journal_number,
            "date": document_date((appeal.registered_at or appeal.received_at).date(), language),
            "category": appeal.get_category_display(),
        }
        context = _context(request, appeal, language) | {
            "to": body_name,
            "subject": _("On forwarding appeal No. %(number)s") % {"number": appeal.journal_number},
            "paragraphs": [standard] + [p.strip() for p in cover.split("\n") if p.strip()],
            "author_line": _("Author: anonymous")
            if appeal.anonymous
            else (
                _("Author: %(name)s, %(address)s")
                % {"name": author.get("full_name", ""), "address": author.get("address", "")}
                if author
                else _("Author: signed (the name is given to the competent body on request)")
            ),
            "appeal_paragraphs": [p for p in appeal_text.split("\n") if p.strip()],
            "forwarded_on": document_date(forwarding.forwarded_on, language),
        }
        filename = f"forwarding-{appeal.journal_number}-{language}"
        if fmt == "pdf":
            return pdf_response(
                render_pdf("appeals/staff/case_letter_forward.html", context, language=language), f"{filename}.pdf"
            )
        doc = _docx_start(context, language, to=[body_name])
        doc.paragraph(context["subject"], bold=True)
        for paragraph in context["paragraphs"]:
            doc.paragraph(paragraph)
        doc.paragraph(_("Attachment: copy of the appeal, 1 copy."))
        doc.signatures([(context["signer_title"], context["signer"])])
        doc.document.add_page_break()
        doc.heading(_("Copy of appeal No. %(number)s") % {"number": appeal.journal_number}, level=2)
        doc.paragraph(context["author_line"])
        for paragraph in context["appeal_paragraphs"]:
            doc.paragraph(paragraph)
        return doc.response(f"{filename}.docx")


def _docx_start(context: dict, language: str, *, to: list[str]) -> Docx:
    doc = Docx(language)
    for line in context["letterhead"]:
        doc.paragraph(line, bold=True)
    doc.paragraph(_("No. ______  %(date)s") % {"date": context["today"]})
    doc.approval([line for line in to if line])
    return doc
