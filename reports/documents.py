"""The quarterly analytical report as PDF (charts as SVG) and DOCX (tables of the same figures).

DOCX gets tables instead of chart images: Word cannot show SVG reliably and no
SVG-to-PNG converter is installed; the tables carry every number of the charts.
"""

from django.utils import timezone, translation
from django.utils.translation import gettext as _

from ishenim.documents import Docx, document_date, render_pdf
from reports.models import QuarterlyReport
from reports.presentation import category_labels, headline, sections, timings, trend_chart
from reports.selectors import recurring_categories, small_count
from reports.services import report_figures, report_period, report_subjects


def report_context(report: QuarterlyReport, *, with_charts: bool = True) -> dict:
    """Everything a page or document of the report shows (call inside the reader's language)."""
    quarter = report_figures(report)
    labels = category_labels()
    return {
        "report": report,
        "school": report.school,
        "period": report_period(report),
        "quarter": quarter,
        "headline": headline(quarter["current"]),
        "timings": timings(quarter["current"]),
        "sections": sections(quarter, with_charts=with_charts),
        "trend_chart": trend_chart(quarter, labels) if with_charts and quarter["current"]["total"] else "",
        "recurring": [labels[c] for c in recurring_categories(quarter)],
        "subjects": report_subjects(report),
    }


def report_pdf(report: QuarterlyReport, language: str) -> bytes:
    with translation.override(language):
        context = report_context(report)
        context["today"] = document_date(timezone.localdate(), language)
        context["due"] = document_date(report.due_on, language)
        context["discussed"] = document_date(report.discussed_on, language) if report.discussed_on else ""
    return render_pdf("reports/documents/quarterly.html", context, language=language)


def report_docx(report: QuarterlyReport, language: str) -> bytes:
    with translation.override(language):
        c = report_context(report, with_charts=False)
        doc = Docx(language)
        doc.approval(
            [
                _("APPROVED"),
                _("Director of the school"),
                "____________________",
                document_date(timezone.localdate(), language),
            ]
        )
        doc.heading(_("Analytical report on the appeals of the trust box"), 1)
        doc.paragraph(f"{report.school.name_in(language)} — {c['period'].label}")
        doc.paragraph(
            _("Period: %(start)s — %(end)s. Due by %(due)s.")
            % {
                "start": document_date(report.period_start, language),
                "end": document_date(report.period_end, language),
                "due": document_date(report.due_on, language),
            }
        )
        if not report.locked:
            doc.paragraph(_("DRAFT — the figures may still change until the report is finalised."), bold=True)
        doc.heading(_("Key figures"), 2)
        doc.table([_("figure"), _("count"), _("share")], [[r.label, r.shown, _pct(r.share)] for r in c["headline"]])
        _label_column_wide(doc)
        doc.table([_("timing"), _("average")], [list(t) for t in c["timings"]])
        _label_column_wide(doc)
        for section in c["sections"]:
            doc.heading(section.title, 2)
            if section.key == "grade":
                doc.paragraph(
                    _("Groups of fewer than %(n)s are not shown, so no child can be singled out.")
                    % {"n": small_count()}
                )
                doc.table([_("grade"), _("appeals")], [[r.label, r.shown] for r in section.rows if r.count])
                _label_column_wide(doc)
            else:
                doc.table(
                    ["", _("this quarter"), _("share"), _("previous quarter"), _("a year before")],
                    [[r.label, r.count, _pct(r.share), r.previous, r.year_before] for r in section.rows],
                )
                _label_column_wide(doc)
        doc.heading(_("Problems that came back"), 2)
        doc.paragraph(_("Categories raised again: %(list)s.") % {"list": ", ".join(c["recurring"]) or "—"})
        if c["subjects"]:
            doc.table(
                [_("subject"), _("this quarter"), _("two quarters before"), _("came back")],
                [[s["name"], s["count"], s["before"], _("yes") if s["recurring"] else _("no")] for s in c["subjects"]],
            )
        doc.heading(_("Analysis"), 2)
        for line in (report.analysis or "—").splitlines():
            doc.paragraph(line)
        doc.heading(_("Proposed measures"), 2)
        for line in (report.measures or "—").splitlines():
            doc.paragraph(line)
        if report.discussed_on:
            doc.paragraph(
                _("Discussed at the commission's meeting on %(day)s.")
                % {"day": document_date(report.discussed_on, language)}
            )
        doc.signatures([(_("Responsible person"), ""), (_("Chair of the commission"), "")])
        return doc.bytes()


def _label_column_wide(doc: Docx) -> None:
    """Give the last table's label column most of the width (Word would share it out evenly)."""
    from docx.shared import Mm

    table = doc.document.tables[-1]
    table.autofit = False
    others = len(table.columns) - 1
    widths = [Mm(170 - 26 * others)] + [Mm(26)] * others
    for column, width in zip(table.columns, widths, strict=True):
        column.width = width  # the grid, which LibreOffice reads
    for row in table.rows:
        for cell, width in zip(row.cells, widths, strict=True):
            cell.width = width  # each cell, which Word reads


def _pct(value: int | None) -> str:
    return "" if value is None else f"{value}%"


def report_filename(report: QuarterlyReport, extension: str) -> str:
    return f"ishenim-{report.school.slug}-report-{report_period(report).short_label}.{extension}"
