"""R22: an urgent alert reaches a phone, climbs until a person says "I am on it", and the compliance check sees it."""

import datetime as dt

import pytest
from django.utils import timezone

from appeals.models import Appeal
from appeals.selectors import urgent_unacknowledged
from appeals.services import appeal_submit
from appeals.services.urgent import urgent_escalate_due
from audit.models import AuditRecord
from journal.models import Record
from notify.models import ChannelSettings, Kind, Outbox
from reports.compliance.checks import r22
from reports.compliance.facts import Facts

TEXT = "Өгөй атам мени ар күнү сабайт, үйгө баргым келбейт"
WORDS = ("Өгөй", "сабайт", "баргым", "келбейт")


def phone(username, chat, *, language="ky"):
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.get(username=username)
    ChannelSettings.objects.update_or_create(
        user=user, defaults={"telegram_chat_id": chat, "language": language, "email_on": False}
    )
    return user


@pytest.fixture
def staff_phones(demo):
    """The responsible person, the director and the district officer read Telegram only."""
    return {
        "responsible": phone("responsible", "100"),
        "director": phone("director", "200", language="ru"),
        "district": phone("district", "300"),
    }


def submit(demo, capture):
    with capture(execute=True):
        return appeal_submit(school=demo, text=TEXT, category="bullying", author_kind="student", urgent=True)


def numbered(text: str, appeal) -> bool:
    return f"№{appeal.journal_number}" in text or f"No. {appeal.journal_number}" in text


def timeline(appeal) -> list[str]:
    return [r.fields.get("event") for r in Record.objects.filter(appeal=appeal, kind="amendment").order_by("seq")]


def test_it_alerts_the_responsible_person_first_with_no_content(
    demo, staff_phones, telegram, django_capture_on_commit_callbacks
):
    appeal = submit(demo, django_capture_on_commit_callbacks)
    [alert] = telegram.texts("100")
    assert telegram.texts("200") == [] and telegram.texts("300") == []
    assert numbered(alert, appeal) and f"/staff/rakhmanov/appeals/{appeal.pk}/" in alert
    assert demo.name_ky in alert
    for word in WORDS:
        assert word not in alert
    for row in Outbox.objects.all():
        assert not any(word in row.body or word in row.subject for word in WORDS)
    appeal.refresh_from_db()
    assert appeal.escalation_level == 0
    assert dt.timedelta(minutes=14) < appeal.escalate_at - timezone.now() <= dt.timedelta(minutes=15)


def test_nobody_acknowledges_so_it_goes_to_the_director_then_the_district(
    demo, staff_phones, telegram, client, login, django_capture_on_commit_callbacks
):
    appeal = submit(demo, django_capture_on_commit_callbacks)
    start = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        assert urgent_escalate_due(start + dt.timedelta(minutes=14)) == 0  # not yet
    assert telegram.texts("200") == []
    with django_capture_on_commit_callbacks(execute=True):
        assert urgent_escalate_due(start + dt.timedelta(minutes=16)) == 1
        assert urgent_escalate_due(start + dt.timedelta(minutes=16)) == 0  # once per level
    [to_director] = telegram.texts("200")
    assert numbered(to_director, appeal) and not any(word in to_director for word in WORDS)
    assert "Рахманов" in to_director  # in Russian, her language: the school's Russian name
    with django_capture_on_commit_callbacks(execute=True):
        assert urgent_escalate_due(start + dt.timedelta(minutes=32)) == 1
    [to_district] = telegram.texts("300")
    assert "/district/" in to_district and f"/appeals/{appeal.pk}/" not in to_district  # a page they may open
    assert timeline(appeal) == ["escalated", "escalated"]
    login("director")
    panel = client.get(f"/staff/rakhmanov/appeals/{appeal.pk}/").content.decode()
    assert panel.count("→ ") >= 2  # the case's timeline names each level the alert went to
    actions = list(AuditRecord.objects.filter(object_id=str(appeal.pk)).values_list("action", flat=True))
    assert actions.count("ishenim.urgent.escalated") == 2 and "ishenim.urgent.alerted" in actions
    appeal.refresh_from_db()
    assert appeal.escalation_level == 2


def test_an_alert_that_reached_nobody_goes_up_at_once(demo, staff_phones, telegram, django_capture_on_commit_callbacks):
    telegram.fail_next = 1  # the responsible person's only channel fails
    appeal = submit(demo, django_capture_on_commit_callbacks)
    assert telegram.texts("100") == []
    assert len(telegram.texts("200")) == 1  # the director, without waiting 15 minutes
    appeal.refresh_from_db()
    assert appeal.escalation_level == 1 and timeline(appeal) == ["escalated"]
    record = Record.objects.get(appeal=appeal, kind="amendment")
    assert record.fields["reason"] == "reached nobody"


def test_a_school_without_any_reachable_person_tells_the_platform_administrator(
    demo, django_user_model, telegram, django_capture_on_commit_callbacks
):
    from schools.models import Membership

    Membership.objects.filter(role__in=["responsible", "director", "district_officer"]).update(active=False)
    admin = django_user_model.objects.create_superuser("root", "root@example.org", "x" * 12)
    phone("root", "999")
    appeal = submit(demo, django_capture_on_commit_callbacks)
    [alert] = telegram.texts("999")
    assert numbered(alert, appeal)
    assert Outbox.objects.get(recipient=admin).kind == Kind.URGENT_UNREACHED


def test_the_director_acknowledges_on_the_case_page_and_the_alert_stops(
    demo, staff_phones, telegram, client, login, django_capture_on_commit_callbacks
):
    appeal = submit(demo, django_capture_on_commit_callbacks)
    login("director")
    page = client.get(f"/staff/rakhmanov/appeals/{appeal.pk}/").content.decode()
    assert f"/staff/rakhmanov/cases/{appeal.pk}/acknowledge/" in page
    response = client.post(f"/staff/rakhmanov/cases/{appeal.pk}/acknowledge/")
    assert response.status_code == 302
    appeal.refresh_from_db()
    assert appeal.acknowledged_at and appeal.acknowledged_by.username == "director" and appeal.escalate_at is None
    assert timeline(appeal) == ["acknowledged"]
    assert AuditRecord.objects.filter(action="ishenim.case.acknowledged", object_id=str(appeal.pk)).exists()
    with django_capture_on_commit_callbacks(execute=True):
        assert urgent_escalate_due(timezone.now() + dt.timedelta(hours=2)) == 0
    assert telegram.texts("200") == []
    page = client.get(f"/staff/rakhmanov/appeals/{appeal.pk}/").content.decode()
    assert f"/cases/{appeal.pk}/acknowledge/" not in page  # done once
    assert client.post(f"/staff/rakhmanov/cases/{appeal.pk}/acknowledge/").status_code in (400, 404)


def test_a_person_who_may_not_read_the_appeal_cannot_acknowledge_it(
    demo, staff_phones, client, login, django_capture_on_commit_callbacks
):
    appeal = submit(demo, django_capture_on_commit_callbacks)
    for username in ("teacher", "psychologist", "director2"):  # commission member, unassigned handler, other school
        client.logout()
        login(username)
        assert client.post(f"/staff/rakhmanov/cases/{appeal.pk}/acknowledge/").status_code == 404
    appeal.refresh_from_db()
    assert appeal.acknowledged_at is None


def test_r22_counts_an_unacknowledged_urgent_appeal_from_the_first_minute(
    demo, staff_phones, django_capture_on_commit_callbacks
):
    from reports.compliance.base import BROKEN, KEPT

    appeal = submit(demo, django_capture_on_commit_callbacks)
    assert Facts([demo]).urgent_unacknowledged[demo.pk]["n"] == 1
    check = r22(demo, Facts([demo]))
    assert check.status == BROKEN and "1" in check.evidence  # at once, not after a day
    assert list(urgent_unacknowledged([demo])) == [appeal]
    Appeal.objects.filter(pk=appeal.pk).update(acknowledged_at=timezone.now())
    assert r22(demo, Facts([demo])).status == KEPT
    assert list(urgent_unacknowledged([demo])) == []


def test_the_inbox_shows_unacknowledged_urgent_appeals_first(
    demo, staff_phones, client, login, django_capture_on_commit_callbacks
):
    seen = submit(demo, django_capture_on_commit_callbacks)
    waiting = submit(demo, django_capture_on_commit_callbacks)
    Appeal.objects.filter(pk=waiting.pk).update(received_at=seen.received_at - dt.timedelta(hours=1))
    Appeal.objects.filter(pk=seen.pk).update(acknowledged_at=timezone.now())
    login("responsible")
    page = client.get("/staff/rakhmanov/appeals/").content.decode()
    assert page.index(f"/appeals/{waiting.pk}/") < page.index(f"/appeals/{seen.pk}/")


def test_a_closed_urgent_appeal_stops_climbing(demo, staff_phones, telegram, django_capture_on_commit_callbacks):
    appeal = submit(demo, django_capture_on_commit_callbacks)
    Appeal.objects.filter(pk=appeal.pk).update(status=Appeal.Status.CLOSED)
    with django_capture_on_commit_callbacks(execute=True):
        assert urgent_escalate_due(timezone.now() + dt.timedelta(hours=1)) == 0
    assert telegram.texts("200") == []
