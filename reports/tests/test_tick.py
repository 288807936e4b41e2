import datetime as dt
import threading
import time

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from ishenim import scheduler
from ishenim.scheduler import Duty, run, tick
from reports.models import DutyRun, QuarterlyReport, ReportLanguage, WeeklySummary
from reports.tests.conftest import at, text_of
from schools.models import School

FRIDAY = at("2026-11-20", 9)  # the demo schools' summary day, after the mail hour


@pytest.fixture
def schools(demo):
    """The demo schools, as if they had used Ishenim for a year."""
    School.objects.update(created_at=at("2025-09-01"))
    return School.objects.get(slug="rakhmanov"), School.objects.get(slug="gymnasium5")


def test_it_emails_the_weekly_summary_to_the_director_in_their_language(
    schools, submit, smtp_server, django_capture_on_commit_callbacks
):
    rakhmanov, _other = schools
    submit(rakhmanov, received=at("2026-11-16"), category="smoking", channel="paper", urgent=True)
    submit(rakhmanov, received=at("2026-11-18"), category="bullying")
    submit(rakhmanov, received=at("2026-11-10"), category="wish")  # the week before
    director = rakhmanov.memberships.get(role="director").user
    ReportLanguage.objects.create(user=director, language="ru")

    with django_capture_on_commit_callbacks(execute=True):
        tick(FRIDAY)

    summary = WeeklySummary.objects.get(school=rakhmanov)
    assert (summary.week_start, summary.week_end) == (dt.date(2026, 11, 13), dt.date(2026, 11, 19))
    assert summary.sent_at is not None and summary.sent_to == 1
    mail = [m for m in smtp_server if m["To"] == director.email and "/reports/weekly/" in text_of(m)]
    assert len(mail) == 1, [m["Subject"] for m in smtp_server]
    body = text_of(mail[0])
    assert "Еженедельная сводка" in mail[0]["Subject"]
    assert "Поступило обращений: 2" in body
    assert "Срочных: 1" in body
    assert summary.figures["journal"]["head_hash"] in body
    assert "Тест" not in body  # figures only, never content


def test_it_does_the_same_duty_only_once(schools, smtp_server, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = tick(FRIDAY)
    sent = len(smtp_server)
    with django_capture_on_commit_callbacks(execute=True):
        second = tick(FRIDAY + dt.timedelta(minutes=1))

    assert {d.name for d in first} >= {"weekly_summary"}
    assert second == []
    assert sent and len(smtp_server) == sent
    assert WeeklySummary.objects.count() == 2


def test_it_waits_for_the_mail_hour_on_the_summary_day(schools):
    done = tick(at("2026-11-20", 5))
    assert "weekly_summary" not in {d.name for d in done}
    assert not WeeklySummary.objects.filter(week_end=dt.date(2026, 11, 19)).exists()


def test_it_tries_a_failed_duty_again_at_the_next_tick(schools):
    calls = []

    def work():
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("mail server down")
        return "ok"

    duty = Duty("test", "k", schools[0], work)
    assert run(duty, FRIDAY) is False
    assert not DutyRun.objects.filter(duty="test").exists()
    assert run(duty, FRIDAY) is True
    assert run(duty, FRIDAY) is False
    assert len(calls) == 2
    assert DutyRun.objects.get(duty="test").state == DutyRun.State.DONE


def test_it_takes_over_a_run_that_died_an_hour_ago(schools):
    DutyRun.objects.create(duty="test", key="k", started_at=FRIDAY - dt.timedelta(hours=2))
    fresh = DutyRun.objects.create(duty="test", key="fresh", started_at=FRIDAY - dt.timedelta(minutes=5))

    assert run(Duty("test", "k", schools[0], lambda: "again"), FRIDAY) is True
    assert run(Duty("test", "fresh", schools[0], lambda: "twice"), FRIDAY) is False
    assert DutyRun.objects.get(key="k").outcome == "again"
    assert DutyRun.objects.get(pk=fresh.pk).state == DutyRun.State.RUNNING


@pytest.mark.django_db(transaction=True)
def test_it_runs_a_duty_once_when_two_ticks_run_at_the_same_moment():
    calls = []
    barrier = threading.Barrier(2)

    def work():
        calls.append(1)
        time.sleep(0.3)
        return "done"

    def one_tick():
        try:
            barrier.wait()
            run(Duty("race", "k", None, work), FRIDAY)
        finally:
            connection.close()

    threads = [threading.Thread(target=one_tick) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert len(calls) == 1
    assert DutyRun.objects.get(duty="race").state == DutyRun.State.DONE


def test_it_drafts_the_quarterly_report_after_the_quarter_and_tells_the_responsible_person(
    schools, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        tick(at("2026-10-01", 9))

    reports = QuarterlyReport.objects.filter(period_start=dt.date(2026, 7, 1))
    assert reports.count() == 2
    report = reports.get(school=schools[0])
    assert report.due_on == dt.date(2026, 10, 5) and report.state == QuarterlyReport.State.DRAFT
    drafted = [m for m in mailoutbox if "/quarterly/" in m.body and str(report.pk) in m.body]
    assert drafted


def test_it_uses_school_year_quarters_when_the_school_chose_them(schools):
    rakhmanov = schools[0]
    rakhmanov.quarter_mode = School.QuarterMode.SCHOOL
    rakhmanov.save()

    tick(at("2026-12-01", 9))

    report = QuarterlyReport.objects.get(school=rakhmanov)
    assert (report.period_start, report.period_end, report.due_on) == (
        dt.date(2026, 9, 1),
        dt.date(2026, 11, 30),
        dt.date(2026, 12, 5),
    )


def test_it_reminds_of_overdue_cases_by_number_only(schools, submit, mailoutbox, django_capture_on_commit_callbacks):
    late = submit(schools[0], received=at("2026-10-01"), due_on=dt.date(2026, 10, 20))
    submit(schools[0], received=at("2026-10-01"), due_on=dt.date(2026, 12, 20))

    with django_capture_on_commit_callbacks(execute=True):
        tick(at("2026-11-23", 9))  # a Monday

    overdue = [m for m in mailoutbox if "deadline" in m.subject or "мөөнөт" in m.subject.lower()]
    assert overdue, [m.subject for m in mailoutbox]
    assert str(late.journal_number) in overdue[0].body
    assert "Тест" not in overdue[0].body


def test_it_reminds_the_commission_the_day_before_an_opening(schools, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        done = tick(at("2026-11-23", 13))  # rakhmanov opens on Tuesdays at 12:00

    keys = [d.key for d in done if d.name == "remind_opening"]
    assert keys == [f"{schools[0].pk}:2026-11-24T12:00:00+06:00"]
    assert any("2026-11-24 12:00" in m.body for m in mailoutbox)


def test_it_reminds_of_a_report_due_in_three_days_and_when_late(
    schools, mailoutbox, django_capture_on_commit_callbacks
):
    QuarterlyReport.objects.create(
        school=schools[0],
        year=2026,
        quarter=3,
        mode="calendar",
        period_start=dt.date(2026, 7, 1),
        period_end=dt.date(2026, 9, 30),
        due_on=dt.date(2026, 10, 5),
    )
    with django_capture_on_commit_callbacks(execute=True):
        soon = [d.name for d in tick(at("2026-10-02", 9))]
        quiet = [d.name for d in tick(at("2026-10-03", 9))]
        late = [d.name for d in tick(at("2026-10-12", 9))]  # a Monday after the due date

    assert "remind_report" in soon and "remind_report" not in quiet and "remind_report" in late


def test_the_command_runs_the_duties_and_refuses_a_bad_date(schools, capsys):
    call_command("tick", "--now", "2026-11-20T09:00")
    assert "weekly_summary" in capsys.readouterr().out
    with pytest.raises(CommandError):
        call_command("tick", "--now", "Friday")


def test_duties_ask_a_fixed_number_of_queries_whatever_the_number_of_schools(schools, django_assert_max_num_queries):
    DutyRun.objects.all().delete()
    with django_assert_max_num_queries(4):
        every = list(School.objects.all())
        candidates = [d for make in scheduler.ALL for d in make(every, FRIDAY)]
    assert candidates


@pytest.mark.django_db(transaction=True)
def test_with_the_database_queue_the_tick_only_queues_and_the_worker_sends(demo, settings, mailoutbox):
    from django_tasks_db.models import DBTaskResult

    School.objects.update(created_at=at("2025-09-01"))
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}  # django-tasks reloads it

    tick(FRIDAY)
    assert DBTaskResult.objects.filter(task_path="reports.tasks.weekly_summary_send_task").count() == 2
    assert mailoutbox == []  # nothing sent by the tick itself

    call_command("db_worker", "--batch", "--no-startup-delay")

    assert WeeklySummary.objects.filter(sent_at__isnull=False).count() == 2
    assert len([m for m in mailoutbox if "/reports/weekly/" in m.body]) == 2


def test_without_a_director_address_the_summary_goes_to_the_school_address(
    schools, mailoutbox, django_capture_on_commit_callbacks
):
    from reports.services import weekly_summary_build, weekly_summary_send

    rakhmanov = schools[0]
    director = rakhmanov.memberships.get(role="director").user
    director.email = ""
    director.save()
    summary = weekly_summary_build(school=rakhmanov, on=FRIDAY.date())

    with django_capture_on_commit_callbacks(execute=True):  # messages leave after the commit
        assert weekly_summary_send(summary=summary) == 1
        assert weekly_summary_send(summary=summary) == 0  # once only
    assert [m.to for m in mailoutbox] == [[rakhmanov.email]]
    assert "Ишеним кутучасынын апталык жыйынтыгы" in mailoutbox[0].subject  # the default language, Kyrgyz
