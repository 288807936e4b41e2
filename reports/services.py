"""Workflows of the reports: weekly summaries, quarterly reports, subjects, mail."""

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from appeals.models import Appeal
from audit.services import audit_record
from commission.services import meeting_add_agenda_item
from reports.models import QuarterlyReport, ReportLanguage, Subject, SubjectTag, WeeklySummary
from reports.periods import Period, summary_week
from reports.selectors import (
    figures,
    journal_head,
    openings_check,
    overdue_q,
    quarter_figures,
    school_appeals,
    subjects_in,
)
from schools.models import Role, School

# --- whom to write to, and in which language ----------------------------------


def language_of(user) -> str:
    """The language a person reads their report emails and documents in."""
    chosen = ReportLanguage.objects.filter(user=user).values_list("language", flat=True).first()
    return chosen or settings.LANGUAGE_CODE


@transaction.atomic
def report_language_set(*, user, language: str) -> ReportLanguage:
    if language not in dict(settings.LANGUAGES):
        raise ValidationError(_("Choose one of the offered languages."))
    choice, _created = ReportLanguage.objects.update_or_create(user=user, defaults={"language": language})
    return choice


def school_notify(*, school: School, roles: tuple[str, ...], template: str, context: dict) -> int:
    """Tell the school's people with these roles, each in their language, through `notify`.

    `template` is a notify kind (`notify/<kind>/subject.txt`, `body.txt`). With
    nobody to tell, the school's notification address gets it in the default
    language. Returns how many messages were queued.
    """
    from notify.services import channels_of, notify_send
    from notify.services import recipients as people_with

    people = list(people_with(school, *roles))
    params = {**_expand(context), "school": school}
    nobody = not any(channels_of(user) for user in people)
    rows = notify_send(users=people, kind=template, office=school, params=params, office_address=nobody)
    return len([row for row in rows if row.status != row.Status.GAVE_UP])


def _expand(context: dict) -> dict:
    """Plain task data made readable: dates parsed, the report and its period's label (in the active language)."""
    ctx = dict(context)
    for key in ("due_on", "until"):
        if ctx.get(key):
            ctx[key] = dt.date.fromisoformat(ctx[key])
    if ctx.get("when"):
        ctx["when"] = timezone.localtime(dt.datetime.fromisoformat(ctx["when"]))
    if ctx.get("report_id"):
        ctx["report"] = QuarterlyReport.objects.select_related("school").filter(pk=ctx["report_id"]).first()
        ctx["period_label"] = report_period(ctx["report"]).label if ctx["report"] else ""
    return ctx


# --- the weekly summary (R18) -------------------------------------------------


def weekly_figures(school: School, week: Period) -> dict:
    """What the director reads each week: received, urgent, opened, closed, overdue, openings, journal head."""
    appeals = school_appeals(school)
    received = figures(appeals.filter(received_at__gte=week.start_at, received_at__lt=week.end_at), today=week.end)
    activity = appeals.aggregate(
        opened=Count("pk", filter=Q(registered_at__gte=week.start_at, registered_at__lt=week.end_at)),
        closed=Count("pk", filter=Q(closed_at__gte=week.start_at, closed_at__lt=week.end_at)),
        overdue=Count("pk", filter=overdue_q(week.end) & Q(status__in=Appeal.OPEN_STATUSES)),
        open=Count("pk", filter=Q(status__in=Appeal.OPEN_STATUSES)),
    )
    check = openings_check(school, week.start_at, week.end_at)
    volume = journal_head(school, on=week.last_day)
    return {
        "received": {k: received[k] for k in ("total", "urgent", "anonymous", "category", "channel", "author_kind")},
        **activity,
        "openings": {
            "planned": [when.isoformat() for when in check.planned],
            "held": [when.isoformat() for when in check.held],
            "missed": [when.isoformat() for when in check.missed],
        },
        "journal": {
            "volume": f"{volume.year}–{volume.year + 1}" if volume else "",
            "last_number": volume.last_number if volume else 0,
            "head_hash": volume.head_hash if volume else "",
        },
    }


def weekly_summary_build(*, school: School, on: dt.date) -> WeeklySummary:
    """The summary to send on `on` (a summary weekday), made once: a second call returns the same row."""
    week = summary_week(school, on)
    summary = WeeklySummary.objects.filter(school=school, week_end=week.last_day).first()
    if summary is not None:
        return summary
    try:
        with transaction.atomic():
            return WeeklySummary.objects.create(
                school=school, week_start=week.start, week_end=week.last_day, figures=weekly_figures(school, week)
            )
    except IntegrityError:  # made by a concurrent run
        return WeeklySummary.objects.get(school=school, week_end=week.last_day)


def weekly_summary_send(*, summary: WeeklySummary) -> int:
    """Email the summary to the school's directors, each in their language; once only."""
    claimed = WeeklySummary.objects.filter(pk=summary.pk, sent_at__isnull=True).update(sent_at=timezone.now())
    if not claimed:
        return 0
    try:
        sent = school_notify(
            school=summary.school, roles=(Role.DIRECTOR,), template="weekly_summary", context=summary_context(summary)
        )
    except Exception:
        WeeklySummary.objects.filter(pk=summary.pk).update(sent_at=None)  # let the next tick retry
        raise
    WeeklySummary.objects.filter(pk=summary.pk).update(sent_to=sent)
    audit_record(
        action="ishenim.report.weekly_sent", scope=summary.school.vault_scope, obj=summary, detail={"recipients": sent}
    )
    return sent


def summary_context(summary: WeeklySummary) -> dict:
    """The summary's figures with labels, for the page and the email."""
    f = summary.figures
    labels = {
        "category": dict(Appeal.Category.choices),
        "channel": dict(Appeal.Channel.choices),
        "author_kind": dict(Appeal.AuthorKind.choices),
    }
    by = {
        key: [(labels[key][code], count) for code, count in f["received"][key].items() if count and code in labels[key]]
        for key in labels
    }
    parse = dt.datetime.fromisoformat
    return {
        "summary": summary,
        "f": f,
        "by_category": by["category"],
        "by_channel": by["channel"],
        "by_author_kind": by["author_kind"],
        "planned": [timezone.localtime(parse(x)) for x in f["openings"]["planned"]],
        "held": [timezone.localtime(parse(x)) for x in f["openings"]["held"]],
        "missed": [timezone.localtime(parse(x)) for x in f["openings"]["missed"]],
    }


# --- the quarterly analytical report (R19, R20) -------------------------------


def quarterly_report_draft(*, school: School, period: Period) -> QuarterlyReport:
    """The report for a quarter, drafted once; a second call returns the same report."""
    defaults = {
        "year": period.year,
        "quarter": period.quarter,
        "mode": period.mode,
        "period_end": period.last_day,
        "due_on": period.due_on,
    }
    try:
        with transaction.atomic():
            report, created = QuarterlyReport.objects.get_or_create(
                school=school, period_start=period.start, defaults=defaults
            )
    except IntegrityError:
        return QuarterlyReport.objects.get(school=school, period_start=period.start)
    if created:
        audit_record(action="ishenim.report.drafted", scope=school.vault_scope, obj=report)
    return report


def report_period(report: QuarterlyReport) -> Period:
    return Period(
        report.period_start, report.period_end + dt.timedelta(days=1), report.year, report.quarter, report.mode
    )


def report_figures(report: QuarterlyReport) -> dict:
    """Frozen figures of a final report; live ones while it is a draft."""
    if report.locked and report.figures:
        return report.figures
    return quarter_figures(report.school, report_period(report))


def _editable(report: QuarterlyReport) -> None:
    if report.locked:
        raise ValidationError(_("This report is final and locked; it can no longer be changed."))


@transaction.atomic
def quarterly_report_write(*, report: QuarterlyReport, analysis: str, measures: str, actor) -> QuarterlyReport:
    report = QuarterlyReport.objects.select_for_update().get(pk=report.pk)
    _editable(report)
    report.analysis, report.measures = analysis.strip(), measures.strip()
    report.save(update_fields=["analysis", "measures"])
    audit_record(action="ishenim.report.written", scope=report.school.vault_scope, actor=actor, obj=report)
    return report


@transaction.atomic
def quarterly_report_agenda(*, report: QuarterlyReport, meeting, actor) -> QuarterlyReport:
    """Put the report on a commission meeting's agenda (R19: discussed at a meeting)."""
    report = QuarterlyReport.objects.select_for_update().get(pk=report.pk)
    _editable(report)
    title = _("Analytical report for %(period)s") % {"period": report_period(report).label}
    meeting_add_agenda_item(meeting=meeting, title=title, object_ref=f"reports.quarterlyreport:{report.pk}")
    report.state = QuarterlyReport.State.ON_AGENDA
    report.meeting_ref = str(meeting)
    report.agenda_at = timezone.now()
    report.save(update_fields=["state", "meeting_ref", "agenda_at"])
    audit_record(
        action="ishenim.report.on_agenda",
        scope=report.school.vault_scope,
        actor=actor,
        obj=report,
        detail={"meeting": meeting.pk},
    )
    return report


@transaction.atomic
def quarterly_report_finalise(*, report: QuarterlyReport, discussed_on: dt.date, actor) -> QuarterlyReport:
    """Freeze the figures and lock the report, once the commission has discussed it."""
    report = QuarterlyReport.objects.select_for_update().get(pk=report.pk)
    _editable(report)
    if not report.analysis or not report.measures:
        raise ValidationError(_("Write the analysis and the proposed measures before finalising."))
    if discussed_on < report.period_end:
        raise ValidationError(_("The meeting must be after the end of the quarter."))
    if discussed_on > timezone.localdate():
        raise ValidationError(_("The meeting date cannot be in the future."))
    period = report_period(report)
    frozen = quarter_figures(report.school, period)
    frozen["subjects"] = subjects_in(report.school, period)
    report.figures = frozen
    report.discussed_on = discussed_on
    report.state = QuarterlyReport.State.FINAL
    report.finalised_at = timezone.now()
    report.finalised_by = actor
    report.save()
    audit_record(action="ishenim.report.finalised", scope=report.school.vault_scope, actor=actor, obj=report)
    return report


def report_subjects(report: QuarterlyReport) -> list[dict]:
    if report.locked and "subjects" in report.figures:
        return report.figures["subjects"]
    return subjects_in(report.school, report_period(report))


# --- subjects (R20) -----------------------------------------------------------


def subject_named(school: School, name: str) -> Subject | None:
    """The school's subject of this name, whatever the case and spacing (Cyrillic too, which SQLite's
    case-insensitive match does not fold)."""
    wanted = " ".join(name.split()).casefold()
    return next((s for s in Subject.objects.filter(school=school) if s.name.casefold() == wanted), None)


@transaction.atomic
def subject_tag(*, school: School, name: str, appeal_ids: list[int], actor) -> Subject:
    """Tag appeals of the school with a subject, created on first use."""
    name = " ".join(name.split())
    if not name:
        raise ValidationError(_("Name the subject."))
    appeals = list(school_appeals(school).filter(pk__in=appeal_ids).values_list("pk", flat=True))
    if not appeals:
        raise ValidationError(_("Choose at least one appeal."))
    subject = subject_named(school, name) or Subject.objects.create(school=school, name=name)
    SubjectTag.objects.bulk_create([SubjectTag(subject=subject, appeal_id=pk) for pk in appeals], ignore_conflicts=True)
    audit_record(
        action="ishenim.report.subject_tagged",
        scope=school.vault_scope,
        actor=actor,
        obj=subject,
        detail={"appeals": appeals},
    )
    return subject


@transaction.atomic
def subject_untag(*, subject: Subject, appeal_ids: list[int], actor) -> int:
    removed, _detail = SubjectTag.objects.filter(subject=subject, appeal_id__in=appeal_ids).delete()
    audit_record(
        action="ishenim.report.subject_untagged",
        scope=subject.school.vault_scope,
        actor=actor,
        obj=subject,
        detail={"appeals": list(appeal_ids)},
    )
    return removed
