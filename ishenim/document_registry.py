"""Every document the product prints, in one list: a new document is one entry here.

Each entry names its template (the one definition of its words and layout), the
function that builds its context, the permission a reader needs (a name of
`schools.permissions`; None for the public documents), the audit action written
when it is printed, how its language is chosen and its formats. The PDF is made
by WeasyPrint and the DOCX by `ishenim.docx_writer` from the same rendered HTML.
"""

from appeals.documents import Receipt, poster_context, receipt_context
from appeals.outgoing_letters import answer_letter_context, cover_letter_context
from commission.documents import protocol_context
from ishenim.documents import DocumentType
from journal.documents import TEMPLATE as JOURNAL_TEMPLATE
from journal.documents import volume_context
from openings.documents import act_context, book_context
from openings.paper_forms import paper_forms_context
from reports.analysis_views import district_analysis_context, district_analysis_filename
from reports.documents import report_document_context, report_filename
from vault.documents import recovery_sheet_context

_ENTRIES = [
    DocumentType(
        code="act",
        template="openings/documents/act.html",
        context=act_context,
        filename=lambda opening, language: f"act-{opening.act_number}-{language}",
        permission="commission.read",
        audit="ishenim.openings.act_printed",
    ),
    DocumentType(
        code="protocol",
        template="commission/documents/protocol.html",
        context=protocol_context,
        filename=lambda meeting, language: f"protocol-{meeting.year}-{meeting.number}-{language}",
        permission="commission.read",
        audit="ishenim.commission.protocol_printed",
    ),
    DocumentType(
        code="opening_book",
        template="openings/documents/book.html",
        context=book_context,
        filename=lambda book, language: f"opening-book-{book.year}-{language}",
        permission="commission.read",
        audit="ishenim.openings.book_printed",
    ),
    DocumentType(
        code="answer_letter",
        template="appeals/staff/case_answer_letter.html",
        context=answer_letter_context,
        filename=lambda letter, language: f"answer-{letter.appeal.journal_number}-{language}",
        permission="case.print_letters",
        audit="ishenim.case.letter_printed",
    ),
    DocumentType(
        code="cover_letter",
        template="appeals/staff/case_cover_letter.html",
        context=cover_letter_context,
        filename=lambda letter, language: f"cover-letter-{letter.appeal.journal_number}-{language}",
        permission="case.print_letters",
        audit="ishenim.case.letter_printed",
    ),
    DocumentType(
        code="quarterly_report",
        template="reports/documents/quarterly.html",
        context=report_document_context,
        filename=report_filename,
        permission="reports.read",
        audit="ishenim.report.printed",
    ),
    DocumentType(
        code="district_analysis",
        template="reports/documents/district_analysis.html",
        context=district_analysis_context,
        filename=district_analysis_filename,
        permission="district.read_school_reports",
        audit="ishenim.report.district_printed",
    ),
    DocumentType(
        code="poster",
        template="appeals/documents/poster.html",
        context=poster_context,
        filename=lambda school, language: f"ishenim-poster-{school.slug}-{language}",
        permission=None,  # public: hung on the school's walls
        audit=None,
    ),
    DocumentType(
        code="receipt",
        template="appeals/documents/receipt.html",
        context=receipt_context,
        filename=Receipt.filename,
        permission=None,  # public: only the session that sent the appeal holds its code (appeals.views_public._kept)
        audit=None,  # a public request leaves no trace
        formats=("pdf",),
    ),
    DocumentType(
        code="recovery_sheet",
        template="vault/documents/recovery_sheet.html",
        context=recovery_sheet_context,
        filename=lambda sheet, language: "ishenim-recovery-sheet",
        permission="vault.manage_keys",  # a district's sheet: "district.manage_keys" (vault.views_staff.Place)
        audit="ishenim.key.recovery_printed",
        formats=("pdf",),  # a Word copy would be one more file holding the code
    ),
    # The journal views lay the bound volume out in a child process (journal.volume_pdf), kept
    # until the volume's head moves; this entry is the same template and context, for the DOCX
    # and for an in-process PDF. Changing the volume's PDF engine does not touch the other documents.
    DocumentType(
        code="journal_volume",
        template=JOURNAL_TEMPLATE,
        context=volume_context,
        filename=lambda bound, language: f"journal-{bound.office.slug}-{bound.volume.year}-{language}",
        permission="journal.print",
        audit="ishenim.journal.printed",
    ),
    DocumentType(
        code="paper_forms",
        template="openings/documents/paper_form.html",
        context=paper_forms_context,
        filename=lambda batch, language: f"ishenim-forms-{batch.school.slug}-{language}",
        permission="commission.manage",
        audit=None,  # the batch itself is audited when it is made (stub_batch_create)
        formats=("pdf",),  # printed and cut; a Word copy would be a second set of valid codes
    ),
]

DOCUMENTS: dict[str, DocumentType] = {entry.code: entry for entry in _ENTRIES}
