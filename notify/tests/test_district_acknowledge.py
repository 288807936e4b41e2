"""R22 at the top of the chain: the alert reaches the district officer's phone, who says "I am on it" without
reading the appeal; the writer then reads "seen by staff"."""

import datetime as dt
import re

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone

from appeals.models import Appeal
from appeals.receipts import receipt_code_new
from appeals.services import appeal_submit
from appeals.services.urgent import urgent_escalate_due
from appeals.triage import concept_label
from audit.models import AuditRecord
from journal.models import Record
from notify.models import ChannelSettings, Kind, Outbox

TEXT = "Өгөй атам мени ар күнү сабайт, үйгө баргым келбейт"
WORDS = ("Өгөй", "сабайт", "баргым", "келбейт")
DISTRICT_WHATSAPP = "+996 700 300 300"
DIRECTOR_PHONE = "+996 555 000 200"


@pytest.fixture
def phones(demo):
    """The responsible person and the director read Telegram; the district officer Telegram and WhatsApp."""
    users = get_user_model().objects
    ChannelSettings.objects.create(user=users.get(username="responsible"), telegram_chat_id="100", email_on=False)
    ChannelSettings.objects.create(
        user=users.get(username="director"), telegram_chat_id="200", phone=DIRECTOR_PHONE, email_on=False
    )
    ChannelSettings.objects.create(
        user=users.get(username="district"),
        telegram_chat_id="300",
        whatsapp_phone=DISTRICT_WHATSAPP,
        email_on=False,
        language="en",
    )


@pytest.fixture
def urgent(demo, phones, telegram, whatsapp, django_capture_on_commit_callbacks):
    code = receipt_code_new()
    with django_capture_on_commit_callbacks(execute=True):
        appeal = appeal_submit(
            school=demo, text=TEXT, category="bullying", author_kind="student", urgent=True, receipt_code=code
        )
    appeal.receipt = code
    return appeal


def climb(capture, minutes: int) -> int:
    with capture(execute=True):
        return urgent_escalate_due(timezone.now() + dt.timedelta(minutes=minutes))


def test_the_district_officer_acknowledges_from_the_district_page_and_the_writer_sees_it(
    urgent, client, login, telegram, whatsapp, django_capture_on_commit_callbacks
):
    appeal = urgent
    assert appeal.urgent_concepts  # the kinds of danger, stored as codes when the text came in
    assert climb(django_capture_on_commit_callbacks, 16) == 1  # to the director
    login("district")
    page = client.get("/district/osh/urgent/").content.decode()
    assert f"/urgent/{appeal.pk}/acknowledge/" not in page  # not the district's yet
    assert client.post(f"/district/osh/urgent/{appeal.pk}/acknowledge/").status_code == 404

    assert climb(django_capture_on_commit_callbacks, 32) == 1  # nobody at the school: to the district
    [by_telegram] = telegram.texts("300")
    [by_whatsapp] = whatsapp.texts(DISTRICT_WHATSAPP)
    for alert in (by_telegram, by_whatsapp):
        assert f"No. {appeal.journal_number}" in alert and not any(word in alert for word in WORDS)
    link = re.search(r"https?://\S+", by_whatsapp).group(0)
    path = "/" + link.split("/", 3)[3]
    assert path == "/district/osh/urgent/"

    page = client.get(path).content.decode()
    assert appeal.school.name_in("ky") in page and f"№ {appeal.journal_number}" in page
    for code in appeal.urgent_concepts.split(","):
        assert str(concept_label(code)) in page
    assert f'href="tel:{DIRECTOR_PHONE.replace(" ", "")}"' in page  # whom to call, from the staff list
    assert not any(word in page for word in WORDS)  # never the content
    work = client.get("/staff/work/").content.decode()
    assert f"/district/osh/urgent/#urgent-{appeal.pk}" in work  # on My work too

    response = client.post(f"/district/osh/urgent/{appeal.pk}/acknowledge/")
    assert response.status_code == 302 and response["Location"] == "/district/osh/urgent/"
    appeal.refresh_from_db()
    assert appeal.acknowledged_by.username == "district" and appeal.escalate_at is None
    events = [r.fields.get("event") for r in Record.objects.filter(appeal=appeal, kind="amendment").order_by("seq")]
    assert events == ["escalated", "escalated", "acknowledged"]
    record = AuditRecord.objects.get(action="ishenim.case.acknowledged", object_id=str(appeal.pk))
    assert record.actor.username == "district"
    assert f"/urgent/{appeal.pk}/acknowledge/" not in client.get(path).content.decode()
    assert client.post(f"/district/osh/urgent/{appeal.pk}/acknowledge/").status_code == 404  # once

    assert climb(django_capture_on_commit_callbacks, 120) == 0  # it stops climbing
    assert not Outbox.objects.filter(kind=Kind.URGENT_UNREACHED).exists()

    writer = Client()
    writer.cookies["ishenim_lang"] = "en"
    writer.post("/s/rakhmanov/follow/", {"code": appeal.receipt})
    follow = writer.get("/s/rakhmanov/follow/").content.decode()
    assert 'id="seen"' in follow and "Seen by staff" in follow


def test_only_the_districts_officers_may_open_the_page_or_acknowledge(
    urgent, client, login, django_capture_on_commit_callbacks
):
    appeal = urgent
    climb(django_capture_on_commit_callbacks, 16)
    climb(django_capture_on_commit_callbacks, 32)
    for username in ("director", "responsible", "psychologist", "director2"):
        client.logout()
        login(username)
        assert client.get("/district/osh/urgent/").status_code == 404
        assert client.post(f"/district/osh/urgent/{appeal.pk}/acknowledge/").status_code == 404
    appeal.refresh_from_db()
    assert appeal.acknowledged_at is None


def test_an_appeal_the_school_took_up_is_not_on_the_district_page(
    urgent, client, login, django_capture_on_commit_callbacks
):
    appeal = urgent
    climb(django_capture_on_commit_callbacks, 16)
    climb(django_capture_on_commit_callbacks, 32)
    Appeal.objects.filter(pk=appeal.pk).update(acknowledged_at=timezone.now())
    login("district")
    assert f"/urgent/{appeal.pk}/acknowledge/" not in client.get("/district/osh/urgent/").content.decode()
    assert client.post(f"/district/osh/urgent/{appeal.pk}/acknowledge/").status_code == 404
