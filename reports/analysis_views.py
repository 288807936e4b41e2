"""The district's analysis: which schools and which problems rise, what worked; a page and a quarterly report.

Figures leave the schools here, so counts below SMALL_COUNT are masked and the
ratios of such small groups are left out (`reports.analysis_tables`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.shortcuts import render
from django.utils import timezone

from ishenim.documents import document_period, document_response
from reports.analysis import district_analysis
from reports.analysis_tables import analysis_tables, cell_label, hotspot_row
from reports.models import QuarterlyReport
from reports.periods import Period, quarter_in
from schools.access import district_for
from schools.models import District, School


@dataclass(frozen=True)
class DistrictQuarter:
    district: District
    period: Period

    @property
    def audit_object(self) -> District:
        return self.district


def district_quarter(district: District, day: dt.date | None = None) -> DistrictQuarter:
    """The calendar quarter containing `day`; by default the last complete one."""
    if day is None:
        return DistrictQuarter(district, quarter_in(School.QuarterMode.CALENDAR, timezone.localdate()).shifted(-1))
    return DistrictQuarter(district, quarter_in(School.QuarterMode.CALENDAR, day))


def _final_reports(district: District, period: Period) -> dict[int, QuarterlyReport]:
    """Each school's finalised report overlapping the quarter (school-year quarters need not match), the latest."""
    reports = QuarterlyReport.objects.filter(
        school__district=district,
        state=QuarterlyReport.State.FINAL,
        period_start__lt=period.end,
        period_end__gte=period.start,
    ).order_by("period_start")
    return {report.school_id: report for report in reports}


def district_analysis_context(obj: DistrictQuarter, language: str = "", request=None, *, with_charts=True) -> dict:
    """The district's analysis for the page and the document (call inside the reader's language)."""
    district, period = obj.district, obj.period
    analysis = district_analysis(district, period)
    schools = {school.pk: school for school in district.schools.all()}
    reports = _final_reports(district, period)
    rising = []  # (row, the school's final report or None)
    for cell in analysis.schools:
        assert cell.school_id is not None  # a school's cell
        row = hotspot_row(cell, mask=True, school=schools.get(cell.school_id))
        row.label = cell_label(cell)
        rising.append((row, reports.get(cell.school_id)))
    return {
        "district": district,
        "period": period,
        "period_words": document_period(period.start, period.last_day, language) if language else "",
        "rising_schools": rising,
        "schools_rising": len({cell.school_id for cell in analysis.schools}),
        "reports": [(schools[pk], report) for pk, report in sorted(reports.items()) if pk in schools],
        **analysis_tables(analysis, mask=True, with_charts=with_charts),
        "show_actions": False,
    }


def district_analysis_filename(obj: DistrictQuarter, language: str) -> str:
    return f"ishenim-{obj.district.slug}-analysis-{obj.period.short_label}-{language}"


def _day(request) -> dt.date | None:
    try:
        return dt.date.fromisoformat(request.GET.get("on", ""))
    except ValueError:
        return None


def district_analysis_page(request, district):
    district = district_for(request, district, "district.read_school_reports")
    quarter = district_quarter(district, _day(request))
    period = quarter.period
    context = district_analysis_context(quarter)
    later = period.shifted(1)
    return render(
        request,
        "reports/district/analysis.html",
        {
            **context,
            "previous": period.shifted(-1),
            "next": later if later.end <= timezone.localdate() else None,
        },
    )


def district_analysis_document(request, district, fmt):
    district = district_for(request, district, "district.read_school_reports")
    quarter = district_quarter(district, _day(request))
    return document_response(
        request,
        "district_analysis",
        quarter,
        fmt=fmt,
        scope=district.vault_scope,
        detail={"period": quarter.period.short_label},
    )
