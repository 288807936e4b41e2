import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from commission.models import Meeting
from commission.services import (
    half_years,
    meeting_add_agenda_item,
    meeting_circulate,
    meeting_confirm,
    meeting_create,
    meeting_reopen,
)
from openings.models import Entry


@pytest.fixture
def meeting(commission, user):
    present = commission.members.exclude(user__username="teacher")
    meeting = meeting_create(
        commission=commission, actor=user("responsible"), attendees=present, held_on=dt.date(2026, 10, 6), place="12"
    )
    meeting_add_agenda_item(
        meeting=meeting,
        title="Ишеним кутучасынын сентябрдагы иши",
        heard="Н. Асанова",
        spoke="Э. Сыдыков",
        resolved="Маалымат эске алынсын.",
    )
    return meeting


def test_it_numbers_protocols_per_school_year(commission, meeting, user):
    second = meeting_create(commission=commission, actor=user("deputy"), held_on=dt.date(2026, 11, 3))
    next_year = meeting_create(commission=commission, actor=user("deputy"), held_on=dt.date(2027, 9, 7))
    assert (meeting.number, second.number, next_year.number) == (1, 2, 1)


def test_it_finalises_the_protocol_when_all_present_confirmed_and_writes_it_in_the_opening_book(
    commission, meeting, user
):
    meeting_circulate(meeting=meeting, actor=user("responsible"))
    present = list(meeting.attendees.select_related("user"))
    for member in present[:-1]:
        meeting_confirm(meeting=meeting, member=member, actor=member.user)
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.CIRCULATING
    last = present[-1]
    meeting_confirm(meeting=meeting, member=last, actor=last.user)
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.FINAL
    entry = Entry.objects.get(meeting=meeting)
    assert entry.kind == Entry.Kind.PROTOCOL
    assert entry.fields["protocol_digest"] == meeting.protocol_digest
    assert len(entry.fields["present"]) == 4


def test_it_lets_members_confirm_only_for_themselves(commission, meeting, user):
    meeting_circulate(meeting=meeting, actor=user("responsible"))
    parent = commission.members.get(user__username="parent")
    teacher = commission.members.get(user__username="teacher")
    with pytest.raises(ValidationError):
        meeting_confirm(meeting=meeting, member=parent, actor=user("deputy"))
    with pytest.raises(ValidationError):  # absent from the meeting
        meeting_confirm(meeting=meeting, member=teacher, actor=user("teacher"))
    # a member without an account signs on paper, recorded by the director
    assert meeting_confirm(meeting=meeting, member=parent, actor=user("director"), on_paper=True).on_paper


def test_it_locks_the_protocol_and_reopening_withdraws_confirmations(commission, meeting, user):
    meeting_circulate(meeting=meeting, actor=user("responsible"))
    with pytest.raises(ValidationError):
        meeting_add_agenda_item(meeting=meeting, title="late")
    parent = commission.members.get(user__username="parent")
    meeting_confirm(meeting=meeting, member=parent, actor=user("parent"))
    meeting_reopen(meeting=meeting, actor=user("responsible"))
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.DRAFT and not meeting.confirmations.exists()
    meeting_add_agenda_item(meeting=meeting, title="Кварталдык отчет", object_ref="reports.quarterlyreport:12")
    assert meeting.items.last().object_ref == "reports.quarterlyreport:12"


def test_it_refuses_to_circulate_an_empty_protocol(commission, user):
    empty = meeting_create(commission=commission, actor=user("deputy"), held_on=dt.date(2026, 10, 1))
    with pytest.raises(ValidationError):
        meeting_circulate(meeting=empty, actor=user("deputy"))


def test_it_counts_meetings_per_calendar_half_year_and_warns(commission, user):
    for day in (dt.date(2026, 9, 10), dt.date(2027, 2, 1)):
        meeting_create(commission=commission, actor=user("deputy"), held_on=day)
    halves = half_years(commission, dt.date(2027, 6, 1))
    current, previous = halves[0], halves[1]
    assert (current.start, current.end, current.held) == (dt.date(2027, 1, 1), dt.date(2027, 6, 30), 1)
    assert current.state == "warn" and current.days_left == 29
    assert (previous.start, previous.held, previous.state) == (dt.date(2026, 7, 1), 1, "danger")
    meeting_create(commission=commission, actor=user("deputy"), held_on=dt.date(2027, 3, 1))
    assert half_years(commission, dt.date(2027, 6, 1))[0].state == "ok"
    early = half_years(commission, dt.date(2027, 2, 2))[0]
    assert early.state == "open"


def test_it_confirms_through_the_pages_and_serves_the_protocol(commission, meeting, client, login, user):
    director = login("director")
    assert director.post(f"/staff/rakhmanov/commission/meetings/{meeting.pk}/circulate/").status_code == 302
    for username in ("responsible", "psychologist", "deputy", "parent"):
        client.cookies.clear()
        member = login(username)
        page = member.get(f"/staff/rakhmanov/commission/meetings/{meeting.pk}/")
        assert b"/confirm/" in page.content
        assert member.post(f"/staff/rakhmanov/commission/meetings/{meeting.pk}/confirm/").status_code == 302
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.FINAL
    pdf = client.get(f"/staff/rakhmanov/commission/meetings/{meeting.pk}/protocol.pdf?lang=ru")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    docx = client.get(f"/staff/rakhmanov/commission/meetings/{meeting.pk}/protocol.docx?lang=ky")
    assert docx.content.startswith(b"PK")


def test_it_asks_the_members_present_to_confirm_the_protocol_through_notify(
    commission, meeting, user, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        meeting_circulate(meeting=meeting, actor=user("responsible"))
    told = sorted(address for mail in mailoutbox for address in mail.to)
    present = sorted(m.user.email for m in meeting.attendees.select_related("user") if m.user.username != "responsible")
    assert told == present and "teacher@school.example" not in told  # absent, and the sender, are not asked
    assert f"/commission/meetings/{meeting.pk}/" in mailoutbox[0].body
