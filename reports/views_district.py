"""The district officer's view of its schools: exact workload counts, the finalised quarterly reports, and the
urgent appeals the alert climbed to the district with."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from appeals.services.urgent import DISTRICT_LEVEL, SCHOOL_LEVELS, appeal_acknowledge, urgent_at_district
from appeals.triage import concept_label
from ishenim.documents import document_response
from reports.models import QuarterlyReport
from reports.selectors import district_workload
from schools.access import district_for
from schools.selectors import school_contacts


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


def district_urgent(request, district):
    """Urgent appeals of the district's schools that nobody took up, once the alert climbed here: school,
    number, time and kinds of danger (never the content), the school's people the alert went to, with their
    phones, and "I am on it"."""
    district = district_for(request, district, "district.acknowledge_urgent")
    appeals = list(urgent_at_district(district))
    contacts = school_contacts({a.school_id for a in appeals}, roles=SCHOOL_LEVELS[:DISTRICT_LEVEL])
    rows = [
        (
            appeal,
            [concept_label(code) for code in appeal.urgent_concepts.split(",") if code],
            contacts.get(appeal.school_id, []),
        )
        for appeal in appeals
    ]
    return render(request, "reports/district/urgent.html", {"district": district, "rows": rows})


@require_POST
def district_urgent_acknowledge(request, district, pk):
    """ "I am on it" from the district: the alert stops climbing; on the case's timeline and in the audit log."""
    district = district_for(request, district, "district.acknowledge_urgent")
    appeal = urgent_at_district(district).filter(pk=pk).first()
    if appeal is None:
        raise Http404
    try:
        appeal_acknowledge(appeal=appeal, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Noted: you are on it. Call the school now; its staff still have to act."))
    return redirect("reports_district:urgent", district.slug)
