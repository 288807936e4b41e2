"""The quarterly analytical report: one context for the page, the PDF and the DOCX.

The document registry makes the PDF (charts as SVG) and the DOCX (the same charts as
PNG, drawn from the same SVG) from `reports/documents/quarterly.html`.
"""

from ishenim.documents import document_date, document_period, head_of
from reports.analysis_tables import report_analysis_context
from reports.models import QuarterlyReport
from reports.presentation import category_labels, headline, sections, timings, trend_chart
from reports.selectors import recurring_categories
from reports.services import report_figures, report_period, report_subjects
from schools.selectors import director_name


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
        **report_analysis_context(report, with_charts=with_charts),
    }


def report_document_context(report: QuarterlyReport, language: str, request=None) -> dict:
    """The report as the PDF and the DOCX print it (charts as images in both)."""
    school = report.school
    context = report_context(report)
    return context | {
        "school_name": school.name_in(language),
        "head": head_of(school.name_in(language), language),
        "director": director_name(school),
        "approved_on": document_date(report.finalised_at, language, school=school) if report.finalised_at else "",
        "period_words": document_period(report.period_start, report.period_end, language),
        "due": document_date(report.due_on, language),
        "discussed": document_date(report.discussed_on, language) if report.discussed_on else "",
    }


def report_filename(report: QuarterlyReport, language: str) -> str:
    return f"ishenim-{report.school.slug}-report-{report_period(report).short_label}-{language}"
