"""Measures decided for the school become actions with an owner and a due date: added on the
quarterly report page or at a meeting, reminded in My work and by the daily duty, marked done."""

import datetime as dt

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditRecord
from ishenim.scheduler import tick
from notify.models import Outbox
from reports.actions import action_add, action_done
from reports.models import Action, QuarterlyReport
from reports.tests.conftest import at

User = get_user_model()


@pytest.fixture
def report(demo):
    return QuarterlyReport.objects.create(
        school=demo,
        year=2026,
        quarter=3,
        mode="calendar",
        period_start=dt.date(2026, 7, 1),
        period_end=dt.date(2026, 9, 30),
        due_on=dt.date(2026, 10, 5),
    )


def add(school, owner="deputy", *, due_on, decided_on=dt.date(2026, 10, 3), **extra):
    return action_add(
        school=school,
        title="Тыныгууда короодо кезметчи мугалим",
        kind="organisation",
        category="bullying",
        place="yard",
        owner=User.objects.get(username=owner),
        decided_on=decided_on,
        due_on=due_on,
        actor=User.objects.get(username="director"),
        **extra,
    )


def test_the_responsible_person_adds_an_action_on_the_report_page(client, login, report):
    deputy = User.objects.get(username="deputy")
    login("responsible")
    url = reverse("reports:actions", args=["rakhmanov"]) + f"?report={report.pk}"
    data = {
        "report": report.pk,
        "title": "Тыныгууда короодо кезметчи мугалим",
        "kind": "organisation",
        "category": "bullying",
        "place": "yard",
        "owner": deputy.pk,
        "decided_on": "2026-10-03",
        "due_on": "2026-10-10",
    }
    assert client.post(url, {**data, "due_on": "2026-10-01"}).status_code == 400  # before it was decided
    assert client.post(url, data).status_code == 302
    action = Action.objects.get()
    assert (action.report, action.owner, action.place, action.due_on) == (report, deputy, "yard", dt.date(2026, 10, 10))
    assert AuditRecord.objects.filter(action="ishenim.report.action_added", object_id=str(action.pk)).exists()
    page = client.get(reverse("reports:report", args=["rakhmanov", report.pk])).content.decode()
    assert "Тыныгууда короодо кезметчи мугалим" in page


def test_a_handler_cannot_add_an_action_and_the_owner_must_work_at_the_school(client, login, report, demo):
    login("psychologist")  # reads reports, does not manage them
    url = reverse("reports:actions", args=["rakhmanov"])
    assert client.get(url).status_code == 200
    assert client.post(url, {"title": "Кезметчи", "kind": "organisation"}).status_code == 404
    with pytest.raises(ValidationError):
        add(demo, owner="director2", due_on=dt.date(2026, 10, 10))  # another school's director
    assert not Action.objects.exists()


def test_an_action_is_added_at_a_commission_meeting(client, login, demo):
    from commission.models import Commission, Meeting

    commission = Commission.objects.filter(school=demo).first() or Commission.objects.create(school=demo)
    meeting = Meeting.objects.create(commission=commission, number=3, year=2026, held_on=dt.date(2026, 10, 3))
    login("director")
    url = reverse("reports:actions", args=["rakhmanov"]) + f"?meeting={meeting.pk}"
    form = client.get(url).content.decode()
    assert 'value="2026-10-03"' in form  # decided on the day of the meeting
    deputy = User.objects.get(username="deputy")
    data = {"meeting": meeting.pk, "title": "Ата-энелер жыйыны", "kind": "talk_parents", "owner": deputy.pk}
    assert client.post(url, {**data, "decided_on": "2026-10-03", "due_on": "2026-10-20"}).status_code == 302
    assert Action.objects.get().meeting == meeting
    page = client.get(reverse("commission:meeting", args=["rakhmanov", meeting.pk])).content.decode()
    assert "Ата-энелер жыйыны" in page


def test_my_work_reminds_the_owner_who_marks_it_done(client, login, demo):
    today = timezone.localdate()
    due = add(demo, due_on=today + dt.timedelta(days=2), decided_on=today - dt.timedelta(days=5))
    later = add(demo, due_on=today + dt.timedelta(days=30), decided_on=today)
    late = add(demo, due_on=today - dt.timedelta(days=1), decided_on=today - dt.timedelta(days=9))
    login("deputy")
    work = client.get(reverse("schools:work")).context["work"]
    assert [a.pk for a in work.actions] == [late.pk, due.pk]  # overdue first; not the one due in a month
    assert later.pk not in [a.pk for a in work.actions]
    login("socped")
    assert client.get(reverse("schools:work")).context["work"].actions == []

    login("deputy")
    url = reverse("reports:action", args=["rakhmanov", due.pk])
    assert client.post(url, {"done_on": today.isoformat(), "note": "ok"}).status_code == 400  # says nothing
    assert (
        client.post(url, {"done_on": today.isoformat(), "note": "Графикке киргизилди, ар тыныгууда."}).status_code
        == 302
    )
    due.refresh_from_db()
    assert due.done_on == today and due.done_note == "Графикке киргизилди, ар тыныгууда."
    work = client.get(reverse("schools:work")).context["work"]
    assert [a.pk for a in work.actions] == [late.pk]
    with pytest.raises(ValidationError):
        action_done(action=due, done_on=today, note="Дагы бир жолу.", actor=due.owner)

    login("teacher")  # neither the owner nor a reader of the reports
    assert client.post(reverse("reports:action", args=["rakhmanov", late.pk]), {"note": "x"}).status_code == 404


def test_the_daily_duty_reminds_the_owner_before_on_and_after_the_due_date(demo, django_capture_on_commit_callbacks):
    action = add(demo, due_on=dt.date(2026, 10, 10))  # a Saturday
    runs = {}
    with django_capture_on_commit_callbacks(execute=True):
        for day in ("2026-10-06", "2026-10-07", "2026-10-08", "2026-10-10", "2026-10-12", "2026-10-13"):
            runs[day] = "remind_action" in [d.name for d in tick(at(day, 9))]
    assert runs == {
        "2026-10-06": False,
        "2026-10-07": True,  # three days before
        "2026-10-08": False,
        "2026-10-10": True,  # on the day
        "2026-10-12": True,  # a Monday while late
        "2026-10-13": False,
    }
    messages = Outbox.objects.filter(kind="action_due", recipient=action.owner)
    assert messages.count() >= 3
    first = messages.order_by("pk").first()
    assert "Тыныгууда короодо кезметчи мугалим" in first.body and f"/actions/{action.pk}/" in first.body

    action_done(action=action, done_on=dt.date(2026, 10, 10), note="Кезметчилик башталды.", actor=action.owner)
    with django_capture_on_commit_callbacks(execute=True):
        assert "remind_action" not in [d.name for d in tick(at("2026-10-19", 9))]


def test_the_reminder_is_in_the_owners_language(demo, django_capture_on_commit_callbacks):
    from notify.models import ChannelSettings

    action = add(demo, due_on=dt.date(2026, 10, 10))
    ChannelSettings.objects.update_or_create(user=action.owner, defaults={"language": "en"})
    with django_capture_on_commit_callbacks(execute=True):
        tick(at("2026-10-12", 9))
    message = Outbox.objects.filter(kind="action_due").first()
    assert message.subject.startswith("A measure is overdue") and settings.SITE_URL.rstrip("/") in message.body
