"""The scheduler: the periodic duties `ishenim tick` runs each minute — urgent escalations and the
outbox's retries every minute; summaries, report drafts, reminders and retention once per period.

Each duty names the period it is for (a key such as "12:2026-11-20"). A
`DutyRun` row with that key is inserted before the work; the unique
constraint makes every other tick — the next minute's, or one running at the
same moment on another server — skip it. Work that fails deletes its row, so
the next tick tries again; a run that died half-way is taken over after an hour.
Emails go through django-tasks, so a slow mail server never holds the tick.
"""

import datetime as dt
import functools
import logging
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone

from appeals.models import Appeal
from appeals.retention import purge_run
from commission.models import Meeting
from reports.actions import action_remind, action_remind_today
from reports.models import Action, DutyRun, QuarterlyReport
from reports.periods import REMIND_DAYS, half_year_of, last_complete_quarter, last_summary_day, reminder_day
from reports.selectors import due_expr
from reports.services import quarterly_report_draft, weekly_summary_build
from reports.tasks import enqueue, reminder_send_task, weekly_summary_send_task
from schools.models import Role, School

logger = logging.getLogger(__name__)

STALE_AFTER = dt.timedelta(hours=1)
MEETINGS_PER_HALF_YEAR = 2
SHORTFALL_WARN_DAYS = 30


def mail_hour() -> int:
    """Emails go out from this local hour on, not in the night."""
    return settings.ISHENIM.get("MAIL_HOUR", 8)


@dataclass
class Duty:
    name: str
    key: str
    school: School | None
    work: Callable[[], str]


def _claim(duty: Duty, now: dt.datetime) -> DutyRun | None:
    try:
        with transaction.atomic():
            return DutyRun.objects.create(duty=duty.name, key=duty.key, school=duty.school, started_at=now)
    except IntegrityError:
        taken = DutyRun.objects.filter(
            duty=duty.name, key=duty.key, state=DutyRun.State.RUNNING, started_at__lt=now - STALE_AFTER
        ).update(started_at=now)
        return DutyRun.objects.filter(duty=duty.name, key=duty.key).first() if taken else None


def run(duty: Duty, now: dt.datetime) -> bool:
    """Do one duty unless it was done (or is being done) for its period."""
    claimed = _claim(duty, now)
    if claimed is None:
        return False
    try:
        with transaction.atomic():
            outcome = duty.work()
    except Exception:
        logger.exception("duty %s %s failed; the next tick tries again", duty.name, duty.key)
        claimed.delete()
        return False
    DutyRun.objects.filter(pk=claimed.pk).update(
        state=DutyRun.State.DONE, finished_at=timezone.now(), outcome=str(outcome)[:200]
    )
    return True


# --- the duties ---------------------------------------------------------------


def weekly_summaries(schools: list[School], now: dt.datetime) -> list[Duty]:
    local = timezone.localtime(now)
    duties = []
    for school in schools:
        day = last_summary_day(school, local.date())
        if day == local.date() and local.hour < mail_hour():
            continue

        def work(school=school, day=day) -> str:
            summary = weekly_summary_build(school=school, on=day)
            enqueue(weekly_summary_send_task, summary.pk)
            return f"summary {summary.pk}"

        duties.append(Duty("weekly_summary", f"{school.pk}:{day}", school, work))
    return duties


def quarterly_drafts(schools: list[School], now: dt.datetime) -> list[Duty]:
    today = timezone.localdate(now)
    duties = []
    for school in schools:
        period = last_complete_quarter(school, today)
        if school.created_at >= period.end_at:
            continue  # the school did not use Ishenim in that quarter

        def work(school=school, period=period) -> str:
            report = quarterly_report_draft(school=school, period=period)
            enqueue(
                reminder_send_task,
                school.pk,
                [Role.RESPONSIBLE, Role.DIRECTOR],
                "report_drafted",
                {"report_id": report.pk, "due_on": period.due_on.isoformat()},
            )
            return f"report {report.pk}"

        duties.append(Duty("quarterly_draft", f"{school.pk}:{period.start}", school, work))
    return duties


def opening_reminders(schools: list[School], now: dt.datetime) -> list[Duty]:
    """A day before each planned opening, remind the commission."""
    if timezone.localtime(now).hour < mail_hour():
        return []
    duties = []
    for school in schools:
        for when in school.planned_openings(now, now + dt.timedelta(hours=24)):
            context = {"when": when.isoformat()}
            duties.append(
                _reminder(
                    "remind_opening",
                    f"{school.pk}:{when.isoformat()}",
                    school,
                    (Role.COMMISSION, Role.RESPONSIBLE),
                    "opening_soon",
                    context,
                )
            )
    return duties


def meeting_reminders(schools: list[School], now: dt.datetime) -> list[Duty]:
    """In the last month of a half-year with fewer than two meetings (R14), a weekly reminder."""
    today = timezone.localdate(now)
    half = half_year_of(today)
    left = (half.end - today).days
    if left > SHORTFALL_WARN_DAYS or timezone.localtime(now).hour < mail_hour():
        return []
    held = dict(
        Meeting.objects.filter(commission__school__in=schools, held_on__gte=half.start, held_on__lt=half.end)
        .values_list("commission__school_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    week = today.isocalendar()
    duties = []
    for school in schools:
        count = held.get(school.pk, 0)
        if count >= MEETINGS_PER_HALF_YEAR:
            continue
        context = {"held": count, "needed": MEETINGS_PER_HALF_YEAR, "until": half.last_day.isoformat()}
        duties.append(
            _reminder(
                "remind_meetings",
                f"{school.pk}:{week.year}-W{week.week}",
                school,
                (Role.DIRECTOR, Role.RESPONSIBLE),
                "meetings_short",
                context,
            )
        )
    return duties


def report_reminders(schools: list[School], now: dt.datetime) -> list[Duty]:
    """Three days before a report is due, on the day, and each Monday while it is late (R19)."""
    today = timezone.localdate(now)
    if timezone.localtime(now).hour < mail_hour():
        return []
    reports = QuarterlyReport.objects.filter(school__in=schools, due_on__lte=today + dt.timedelta(REMIND_DAYS))
    duties = []
    for report in reports.exclude(state=QuarterlyReport.State.FINAL).select_related("school"):
        if not reminder_day(today, report.due_on):
            continue
        context = {"report_id": report.pk, "due_on": report.due_on.isoformat(), "late": today > report.due_on}
        duties.append(
            _reminder(
                "remind_report",
                f"{report.pk}:{today}",
                report.school,
                (Role.RESPONSIBLE, Role.DIRECTOR),
                "report_due",
                context,
            )
        )
    return duties


def overdue_reminders(schools: list[School], now: dt.datetime) -> list[Duty]:
    """Each working morning, the open cases past their deadline, by journal number (no content)."""
    today = timezone.localdate(now)
    if timezone.localtime(now).hour < mail_hour() or today.weekday() >= 5:
        return []
    late: dict[int | None, list[int | None]] = {}
    for school_id, number in (
        Appeal.objects.filter(school__in=schools, district__isnull=True, status__in=Appeal.OPEN_STATUSES)
        .annotate(due_date=due_expr())
        .filter(due_date__lt=today)
        .order_by("school_id", "journal_number")
        .values_list("school_id", "journal_number")
    ):
        late.setdefault(school_id, []).append(number)
    duties = []
    for school in schools:
        if school.pk not in late:
            continue
        context = {"numbers": late[school.pk]}
        duties.append(
            _reminder(
                "remind_overdue",
                f"{school.pk}:{today}",
                school,
                (Role.RESPONSIBLE, Role.DIRECTOR),
                "overdue_cases",
                context,
            )
        )
    return duties


def action_reminders(schools: list[School], now: dt.datetime) -> list[Duty]:
    """The owner of a measure decided for the school is told before it is due, on the day, and while late."""
    today = timezone.localdate(now)
    if timezone.localtime(now).hour < mail_hour():
        return []
    open_actions = Action.objects.filter(
        school__in=schools, done_on__isnull=True, due_on__lte=today + dt.timedelta(REMIND_DAYS)
    ).select_related("school", "owner")
    return [
        Duty("remind_action", f"{action.pk}:{today}", action.school, functools.partial(action_remind, action, today))
        for action in open_actions
        if action_remind_today(action, today)
    ]


def retention_purge(schools: list[School], now: dt.datetime) -> list[Duty]:
    """Once a day: erase the content and identity of appeals past retention (all schools at once)."""

    def work() -> str:
        result = purge_run(now)
        return f"{result.appeals} appeals, {result.blobs} blobs, {result.keys} keys"

    return [Duty("retention_purge", f"{timezone.localdate(now)}", None, work)]


def analysis_facts(schools: list[School], now: dt.datetime) -> list[Duty]:
    """Each night: every district's quarter facts for its analysis page (`reports.analysis`)."""
    from reports.analysis import district_facts_refresh
    from schools.models import District

    local = timezone.localtime(now)
    if not 1 <= local.hour < 5:
        return []

    def work(district_id: int) -> str:
        return f"{district_facts_refresh(District.objects.get(pk=district_id), local.date())} school quarters"

    districts = sorted({school.district_id for school in schools if school.district_id})
    return [Duty("analysis_facts", f"{pk}:{local.date()}", None, functools.partial(work, pk)) for pk in districts]


def _reminder(name: str, key: str, school: School, roles: tuple[str, ...], template: str, context: dict) -> Duty:
    """A duty that queues one reminder to the school's people in these roles."""

    def work() -> str:
        enqueue(reminder_send_task, school.pk, list(roles), template, context)
        return template

    return Duty(name, key, school, work)


ALL = [
    weekly_summaries,
    quarterly_drafts,
    opening_reminders,
    meeting_reminders,
    report_reminders,
    overdue_reminders,
    action_reminders,
    retention_purge,
    analysis_facts,
]


def every_minute(now: dt.datetime) -> None:
    """Urgent alerts waiting too long go one level up; failed messages are retried (one indexed query each)."""
    from appeals.services.urgent import urgent_escalate_due
    from notify.services import outbox_retry_due

    for step in (urgent_escalate_due, outbox_retry_due):
        try:
            step(now)
        except Exception:
            logger.exception("%s failed; the next tick tries again", step.__name__)


def tick(now: dt.datetime | None = None) -> list[Duty]:
    """Run every duty that is due and not yet done; return those this call did."""
    now = now or timezone.now()
    every_minute(now)
    schools = list(School.objects.all())
    candidates = [duty for make in ALL for duty in make(schools, now)]
    done = set(
        DutyRun.objects.filter(
            Q(state=DutyRun.State.DONE) | Q(started_at__gte=now - STALE_AFTER),
            key__in=[d.key for d in candidates],
        ).values_list("duty", "key")
    )
    return [duty for duty in candidates if (duty.name, duty.key) not in done and run(duty, now)]
