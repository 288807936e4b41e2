import datetime as dt

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from audit.services import audit_record
from ishenim.document_registry import DOCUMENTS
from ishenim.documents import document_response
from reports.compliance import BROKEN, compliance, school_compliance
from reports.compliance.attestations import AttestationForm, attestation_record
from reports.documents import report_context
from reports.exporters import DistrictSchools, JournalClear, QuarterStatistics, statistics_filename
from reports.forms import AgendaForm, DocumentLanguageForm, FinaliseForm, LanguageForm, ReportTextForm, SubjectForm
from reports.models import Attestation, Subject, SubjectTag
from reports.periods import quarter_in, quarter_of
from reports.presentation import category_labels, headline, masked, sections, timings, trend_chart
from reports.selectors import (
    in_period,
    journal_head,
    meetings_for_agenda,
    open_cases,
    per_school,
    quarter_figures,
    reports_of,
    school_appeals,
)
from reports.services import (
    language_of,
    quarterly_report_agenda,
    quarterly_report_finalise,
    quarterly_report_write,
    report_language_set,
    report_period,
    subject_named,
    subject_tag,
    subject_untag,
    summary_context,
)
from schools.access import district_for, may, school_for
from schools.models import School

DISTRICT_COUNTS = ("total", "to_district", "urgent", "open", "overdue")


def _day(request) -> dt.date:
    """The day whose quarter a page shows (?on=YYYY-MM-DD), today by default."""
    try:
        return dt.date.fromisoformat(request.GET.get("on", ""))
    except ValueError:
        return timezone.localdate()


def _document_language(request) -> str:
    form = DocumentLanguageForm(request.GET)
    return (form.is_valid() and form.cleaned_data["language"]) or get_language() or "ky"


# --- the school's dashboard ----------------------------------------------------


def dashboard(request, school):
    school = school_for(request, school, "reports.read")
    period = quarter_of(school, _day(request))
    quarter = quarter_figures(school, period)
    sees_cases = may(request, school, "reports.open_cases")
    return render(
        request,
        "reports/staff/dashboard.html",
        {
            "school": school,
            "period": period,
            "previous": period.shifted(-1),
            "next": period.shifted(1) if period.end <= timezone.localdate() else None,
            "quarter": quarter,
            "headline": headline(quarter["current"]),
            "timings": timings(quarter["current"]),
            "sections": sections(quarter),
            "trend_chart": trend_chart(quarter, category_labels()) if quarter["current"]["total"] else "",
            "cases": open_cases(school) if sees_cases else None,
            "volume": journal_head(school),
            "next_opening": school.next_opening(),
            "manage": sees_cases,
            "language_form": LanguageForm(initial={"language": language_of(request.user)}),
        },
    )


@require_POST
def language(request, school):
    school = school_for(request, school)
    form = LanguageForm(request.POST)
    if form.is_valid():
        report_language_set(user=request.user, language=form.cleaned_data["language"])
        messages.success(request, _("Your report emails and documents will be in the chosen language."))
    else:
        messages.error(request, _("Choose one of the offered languages."))
    return redirect("reports:dashboard", school=school.slug)


# --- weekly summaries (R18) ----------------------------------------------------


def weekly_list(request, school):
    school = school_for(request, school, "reports.weekly")
    summaries = school.weekly_summaries.all()[:60]
    return render(request, "reports/staff/weekly_list.html", {"school": school, "summaries": summaries})


def weekly_detail(request, school, pk):
    school = school_for(request, school, "reports.weekly")
    summary = get_object_or_404(school.weekly_summaries, pk=pk)
    return render(request, "reports/staff/weekly_detail.html", {"school": school, **summary_context(summary)})


# --- quarterly reports (R19, R20) ----------------------------------------------


def report_list(request, school):
    school = school_for(request, school, "reports.read")
    return render(request, "reports/staff/report_list.html", {"school": school, "reports": reports_of(school)})


def _report(request, school, pk, permission="reports.read"):
    school = school_for(request, school, permission)
    return school, get_object_or_404(reports_of(school), pk=pk)


def report(request, school, pk):
    school, report = _report(request, school, pk)
    manage = may(request, school, "reports.finalise")
    meetings = meetings_for_agenda(school) if manage and not report.locked else None
    context = report_context(report)
    return render(
        request,
        "reports/staff/report.html",
        {
            **context,
            "manage": manage,
            # An empty analysis opens with the draft written from the figures, to be edited.
            "text_form": ReportTextForm(instance=report, initial={"analysis": context["analysis_text"]}),
            "finalise_form": FinaliseForm(),
            "agenda_form": AgendaForm(meetings=meetings) if meetings else None,
            "languages": settings.LANGUAGES,
        },
    )


@require_POST
def report_write(request, school, pk):
    school, report = _report(request, school, pk, "reports.finalise")
    form = ReportTextForm(request.POST, instance=report)
    if form.is_valid():
        try:
            quarterly_report_write(
                report=report,
                analysis=form.cleaned_data["analysis"],
                measures=form.cleaned_data["measures"],
                actor=request.user,
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The analysis and measures were saved."))
            return redirect("reports:report", school=school.slug, pk=report.pk)
    context = {**report_context(report), "manage": True, "text_form": form, "finalise_form": FinaliseForm()}
    return render(request, "reports/staff/report.html", context, status=400)


@require_POST
def report_agenda(request, school, pk):
    school, report = _report(request, school, pk, "reports.finalise")
    meetings = meetings_for_agenda(school)
    form = AgendaForm(request.POST, meetings=meetings)
    if form.is_valid():
        meeting = next((m for m in meetings if m.pk == form.cleaned_data["meeting"]), None)
        try:
            if meeting is None:
                raise ValidationError(_("That meeting cannot take new agenda items."))
            quarterly_report_agenda(report=report, meeting=meeting, actor=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The report is on the meeting's agenda."))
    else:
        messages.error(request, _("Choose a meeting."))
    return redirect("reports:report", school=school.slug, pk=report.pk)


@require_POST
def report_finalise(request, school, pk):
    school, report = _report(request, school, pk, "reports.finalise")
    form = FinaliseForm(request.POST)
    if form.is_valid():
        try:
            quarterly_report_finalise(report=report, discussed_on=form.cleaned_data["discussed_on"], actor=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The report is final and locked."))
    else:
        messages.error(request, _("Enter the date of the meeting that discussed the report."))
    return redirect("reports:report", school=school.slug, pk=report.pk)


def report_document(request, school, pk, fmt):
    school, report = _report(request, school, pk, DOCUMENTS["quarterly_report"].permission)
    language = _document_language(request)
    return document_response(request, "quarterly_report", report, fmt=fmt, language=language, scope=school.vault_scope)


def report_subjects(request, school, pk):
    """Group the quarter's appeals by recurring subject (R20): by journal number and category only."""
    school, report = _report(request, school, pk, "reports.finalise")
    period = report_period(report)
    appeals = list(
        in_period(school_appeals(school), period)
        .only("pk", "journal_number", "category", "received_at", "status")
        .order_by("received_at")
    )
    form = SubjectForm(request.POST or None, appeal_ids=[a.pk for a in appeals])
    if request.method == "POST" and not report.locked and form.is_valid():
        try:
            if form.cleaned_data["action"] == "remove":
                subject = subject_named(school, form.cleaned_data["name"])
                if subject is None:
                    raise ValidationError(_("There is no subject with that name."))
                subject_untag(subject=subject, appeal_ids=form.cleaned_data["appeals"], actor=request.user)
            else:
                subject_tag(
                    school=school,
                    name=form.cleaned_data["name"],
                    appeal_ids=form.cleaned_data["appeals"],
                    actor=request.user,
                )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The subjects were saved."))
            return redirect("reports:report_subjects", school=school.slug, pk=report.pk)
    tags: dict[int, list[str]] = {}
    for appeal_id, name in SubjectTag.objects.filter(appeal__in=appeals).values_list("appeal_id", "subject__name"):
        tags.setdefault(appeal_id, []).append(name)
    rows = [(appeal, sorted(tags.get(appeal.pk, []))) for appeal in appeals]
    return render(
        request,
        "reports/staff/subjects.html",
        {
            "school": school,
            "report": report,
            "period": period,
            "rows": rows,
            "form": form,
            "known": Subject.objects.filter(school=school).values_list("name", flat=True),
        },
        status=400 if form.errors else 200,
    )


# --- compliance (R01–R23) -------------------------------------------------------


def _compliance(request, school: School, form: AttestationForm | None = None):
    checks = school_compliance(school)
    forms = {}
    if may(request, school, "reports.confirm"):
        forms = {
            code: AttestationForm(initial={"requirement": code}, auto_id=f"{code}-%s")
            for code in Attestation.Requirement.values
        }
        if form is not None:
            forms[form["requirement"].value()] = form
    return render(
        request,
        "reports/staff/compliance.html",
        {"school": school, "checks": checks, "broken": sum(c.status == BROKEN for c in checks), "confirm": forms},
        status=400 if form is not None else 200,
    )


def compliance_page(request, school):
    return _compliance(request, school_for(request, school, "reports.compliance"))


@require_POST
def compliance_attest(request, school):
    """Record what the machine cannot check (R06, R21): confirmed by this person, on that day."""
    school = school_for(request, school, "reports.confirm")
    code = request.POST.get("requirement")
    if code not in Attestation.Requirement.values:
        raise Http404
    form = AttestationForm(request.POST, auto_id=f"{code}-%s")
    if form.is_valid():
        try:
            attestation_record(school=school, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The confirmation was recorded."))
            return redirect(reverse("reports:compliance", args=[school.slug]) + f"#{form.cleaned_data['requirement']}")
    return _compliance(request, school, form)


# --- exports --------------------------------------------------------------------


def _fmt(request) -> str:
    fmt = request.GET.get("format", "csv")
    if fmt not in ("csv", "xlsx"):
        raise Http404
    return fmt


def export_statistics(request, school):
    school = school_for(request, school, "reports.read")
    fmt = _fmt(request)
    period = quarter_of(school, _day(request))
    quarter = quarter_figures(school, period)
    audit_record(
        action="ishenim.report.exported",
        scope=school.vault_scope,
        actor=request.user,
        obj=school,
        detail={"what": "statistics", "format": fmt, "period": period.short_label},
    )
    return QuarterStatistics(quarter, filename=statistics_filename(school, period.short_label)).response(fmt)


def export_journal(request, school):
    school = school_for(request, school, "journal.print")
    fmt = _fmt(request)
    volume = journal_head(school, on=_day(request))
    if volume is None:
        raise Http404
    audit_record(
        action="ishenim.journal.exported",
        scope=school.vault_scope,
        actor=request.user,
        obj=volume,
        detail={"format": fmt, "columns": "clear"},
    )
    return JournalClear(volume, filename=f"ishenim-{school.slug}-journal-{volume.year}").response(fmt)


# --- the district ---------------------------------------------------------------


def _district_page(request, district):
    district = district_for(request, district, "district.read_school_reports")
    schools = list(district.schools.order_by("name_ky"))
    period = quarter_in(School.QuarterMode.CALENDAR, _day(request)) if schools else None
    return district, schools, period


def district_dashboard(request, district):
    district, schools, period = _district_page(request, district)
    rows, quarter, totals = [], None, {}
    if period is not None:
        rows = per_school(district, period)
        quarter = quarter_figures(district, period, compare=False)
        checks = compliance(schools)
        for row in rows:
            row["broken"] = [c for c in checks[row["school"].pk] if c.status == BROKEN]
            row.update({f"{key}_shown": masked(row[key]) for key in DISTRICT_COUNTS})
        totals = {key: masked(sum(row[key] for row in rows)) for key in DISTRICT_COUNTS}
    return render(
        request,
        "reports/district/dashboard.html",
        {
            "district": district,
            "period": period,
            "previous": period.shifted(-1) if period else None,
            "next": period.shifted(1) if period and period.end <= timezone.localdate() else None,
            "rows": rows,
            "totals": totals,
            "out_of_order": sum(1 for row in rows if row["broken"]),
            "quarter": quarter,
            "headline": headline(quarter["current"], mask_all=True) if quarter else [],
            "sections": sections(quarter, mask_all=True) if quarter else [],
        },
    )


def district_export(request, district):
    district, schools, period = _district_page(request, district)
    if period is None:
        raise Http404
    fmt = _fmt(request)
    audit_record(
        action="ishenim.report.exported",
        scope=district.vault_scope,
        actor=request.user,
        obj=district,
        detail={"what": request.GET.get("what", "schools"), "format": fmt, "period": period.short_label},
    )
    if request.GET.get("what") == "statistics":
        quarter = quarter_figures(district, period, compare=False)
        name = statistics_filename(district, period.short_label)
        return QuarterStatistics(quarter, filename=name, mask_all=True).response(fmt)
    rows = per_school(district, period)
    checks = compliance(schools)
    for row in rows:
        row["broken"] = " ".join(c.code for c in checks[row["school"].pk] if c.status == BROKEN)
    return DistrictSchools(
        district, rows, filename=statistics_filename(district, f"schools-{period.short_label}")
    ).response(fmt)
