"""Deadlines in Kyrgyz working days: days left, overdue, extension with a reason, urgent and late on top."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from appeals.models import Appeal
from appeals.services import appeal_submit
from appeals.services.cases import case_extend
from audit.models import AuditRecord
from journal.models import Record
from schools.models import School

FRIDAY = dt.date(2026, 8, 28)  # Monday 31 August is Independence Day in Kyrgyzstan


@pytest.fixture
def appeal(demo):
    return appeal_submit(school=demo, text="Мугалим сабакка келбей жатат.", category="discipline", author_kind="parent")


def test_it_counts_days_left_in_working_days_skipping_weekends_and_holidays(appeal):
    appeal.due_on = dt.date(2026, 9, 1)  # Tuesday
    assert appeal.days_left(today=FRIDAY) == 1  # Saturday, Sunday and the holiday do not count
    assert appeal.days_left(today=dt.date(2026, 9, 1)) == 0
    assert not appeal.is_overdue(today=dt.date(2026, 9, 1))
    assert appeal.days_left(today=dt.date(2026, 9, 2)) == -1 and appeal.is_overdue(today=dt.date(2026, 9, 2))


def test_it_counts_a_case_late_over_a_weekend_as_overdue(appeal):
    appeal.due_on = dt.date(2026, 11, 20)  # a Friday
    assert appeal.days_left(today=dt.date(2026, 11, 21)) == -1
    assert appeal.is_overdue(today=dt.date(2026, 11, 22))


def test_it_sets_the_deadline_from_the_setting(demo, settings):
    settings.ISHENIM = {**settings.ISHENIM, "CONSIDER_WITHIN_WORKING_DAYS": 10}
    appeal = appeal_submit(
        school=demo, text="Сунуш: китепкана кечке чейин иштесин.", category="suggestion", author_kind="student"
    )
    from django.utils import timezone

    from ishenim.workdays import add_working_days

    assert appeal.due_on == add_working_days(timezone.localdate(), 10)
    assert appeal.days_left() == 10


def test_it_has_no_days_left_once_closed(appeal):
    appeal.status = Appeal.Status.CLOSED
    assert appeal.days_left() is None and not appeal.is_overdue()


def test_it_extends_the_deadline_with_a_reason_as_a_journal_amendment(appeal, django_user_model):
    director = django_user_model.objects.get(username="director")
    new_due = appeal.due_on + dt.timedelta(days=10)
    case_extend(appeal=appeal, due_on=new_due, reason="Күбөлөрдү угуу керек.", actor=director)
    appeal.refresh_from_db()
    assert appeal.due() == new_due and appeal.extended_due_on == new_due
    amendment = Record.objects.get(appeal=appeal, kind="amendment")
    stored = amendment.fields.pop("stored")  # what the appeal row holds now, vouched for by the chain
    assert amendment.fields == {"event": "extended", "status": "registered", "due": new_due.isoformat()}
    assert stored["status"] == "registered" and stored["category"] == appeal.category
    assert amendment.sealed and b"\xd0\x9a\xd2\xaf\xd0\xb1" not in bytes(amendment.sealed)
    assert AuditRecord.objects.filter(action="ishenim.case.extended", object_id=str(appeal.pk)).exists()


@pytest.mark.parametrize(
    ("shift", "reason", "message"),
    [
        (0, "Күбөлөрдү угуу керек.", "must be after"),
        (31, "Күбөлөрдү угуу керек.", "at most 30 days"),
        (5, "", "reason"),
    ],
)
def test_it_refuses_a_bad_extension(appeal, django_user_model, shift, reason, message):
    director = django_user_model.objects.get(username="director")
    with translation.override("en"), pytest.raises(ValidationError, match=message):
        case_extend(appeal=appeal, due_on=appeal.due_on + dt.timedelta(days=shift), reason=reason, actor=director)
    appeal.refresh_from_db()
    assert appeal.extended_due_on is None and not Record.objects.filter(appeal=appeal, kind="amendment").exists()


def test_it_shows_the_extension_form_error_translated_and_keeps_the_reason(client, login, appeal):
    login("director")
    url = reverse("cases:action", args=["rakhmanov", appeal.pk, "extend"])
    response = client.post(url, {"due_on": "2000-01-01", "reason": "Күбөлөрдү угуу керек."})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Күбөлөрдү угуу керек." in html and 'role="alert"' in html


def test_it_lists_district_appeals_urgent_then_most_overdue_first(client, login, demo):
    other = School.objects.get(slug="gymnasium5")
    late = appeal_submit(
        school=demo, text="Директор акча чогултат.", category="corruption", author_kind="parent", to_district=True
    )
    Appeal.objects.filter(pk=late.pk).update(due_on=dt.date(2026, 1, 5))
    calm = appeal_submit(
        school=other, text="Директор орой сүйлөйт.", category="other", author_kind="student", to_district=True
    )
    urgent = appeal_submit(
        school=other,
        text="Директор балага кол көтөрдү.",
        category="bullying",
        author_kind="student",
        to_district=True,
        urgent=True,
    )
    login("district")
    response = client.get(reverse("district:inbox", args=["osh"]))
    html = response.content.decode()
    order = [html.index(f"/appeals/{a.pk}/") for a in (urgent, late, calm)]
    assert order == sorted(order)
    assert 'class="overdue' in html


def test_it_flags_a_paper_appeal_registered_later_than_a_working_day_after_the_opening(demo):
    from django.utils import timezone

    opened = timezone.make_aware(dt.datetime(2026, 8, 28, 12, 0))  # a Friday; Monday 31 August is a holiday
    on_time = appeal_submit(
        school=demo,
        channel="paper",
        text="Кат кутудан алынды.",
        category="wish",
        author_kind="student",
        received_at=opened,
    )
    Appeal.objects.filter(pk=on_time.pk).update(registered_at=timezone.make_aware(dt.datetime(2026, 9, 1, 10, 0)))
    on_time.refresh_from_db()
    assert on_time.register_due() == dt.date(2026, 9, 1) and not on_time.registered_late()
    Appeal.objects.filter(pk=on_time.pk).update(registered_at=timezone.make_aware(dt.datetime(2026, 9, 2, 10, 0)))
    on_time.refresh_from_db()
    assert on_time.registered_late()


def test_it_counts_long_spans_as_the_calendar_does():
    """Working days are counted by weeks and holidays, not day by day (a case years late is asked for
    on every inbox page): the same as walking the calendar, both ways, over years and short spans."""
    import random

    from ishenim.workdays import is_working_day, working_days_between

    def walked(start, end):
        step = 1 if end >= start else -1
        days = range(1, (end - start).days + 1) if step == 1 else range(0, (end - start).days, -1)
        return step * sum(1 for n in days if is_working_day(start + dt.timedelta(days=n)))

    rng = random.Random(17)
    for _ in range(500):
        start = dt.date(2021, 1, 1) + dt.timedelta(days=rng.randrange(2500))
        end = start + dt.timedelta(days=rng.choice([rng.randrange(-10, 10), rng.randrange(-1500, 1500)]))
        assert working_days_between(start, end) == walked(start, end), (start, end)
