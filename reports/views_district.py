"""The district officer's view of its schools: exact workload counts and the finalised quarterly reports."""

from django.http import Http404
from django.shortcuts import render
from django.utils import timezone

from ishenim.documents import document_response
from reports.models import QuarterlyReport
from reports.selectors import district_workload
from schools.access import district_for


def _finalised(district):
    return QuarterlyReport.objects.filter(school__district=district, state=QuarterlyReport.State.FINAL)


def district_schools(request, district):
    """Every school's cases to act on now (exact counts) and its finalised quarterly reports."""
    district = district_for(request, district, "district.read_school_reports")
    reports = _finalised(district).select_related("school").order_by("school__name_ky", "-period_start")
    by_school: dict[int, list[QuarterlyReport]] = {}
    for report in reports:
        by_school.setdefault(report.school_id, []).append(report)
    rows = district_workload(district, today=timezone.localdate())
    for row in rows:
        row["reports"] = by_school.get(row["school"].pk, [])
    totals = {
        key: sum(row[key] for row in rows) for key in ("open", "overdue", "urgent", "unacknowledged", "unanswered")
    }
    return render(request, "reports/district/schools.html", {"district": district, "rows": rows, "totals": totals})


def district_report_document(request, district, pk, fmt):
    """A school's finalised quarterly report, as the school prints it; drafts stay the school's."""
    district = district_for(request, district, "district.read_school_reports")
    report = _finalised(district).select_related("school").filter(pk=pk).first()
    if report is None:
        raise Http404
    return document_response(request, "quarterly_report", report, fmt=fmt, scope=district.vault_scope)
