import io

import pytest
from django.test import Client
from PIL import Image

from appeals.attachments import attachment_clean
from appeals.models import Appeal, Message
from appeals.receipts import receipt_code_new
from appeals.services import appeal_submit
from appeals.tests.helpers import jpeg_with_gps
from audit.models import AuditRecord
from schools.demo import DEMO_PASSWORD

pytestmark = pytest.mark.django_db

INBOX = "/staff/rakhmanov/appeals/"


def submit(school, text="Мектептин короосунда жарык жок, кечинде коркунучтуу.", **fields):
    code = receipt_code_new()
    fields.setdefault("category", "request")
    fields.setdefault("author_kind", "student")
    return appeal_submit(school=school, text=text, receipt_code=code, **fields), code


def user(demo, username):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(username=username)


def test_it_inbox_lists_urgent_open_appeals_first_then_the_newest(client, demo, login):
    old_urgent, _ = submit(demo, text="Мени коркутушат, үйгө баргым келбейт.")
    closed_urgent, _ = submit(demo, text="Бычак менен коркутту.")
    Appeal.objects.filter(pk=closed_urgent.pk).update(status=Appeal.Status.CLOSED)
    newest, _ = submit(demo)
    login("director")
    rows = list(client.get(INBOX + "?show=all").context["page"].object_list)
    assert [a.pk for a in rows] == [old_urgent.pk, newest.pk, closed_urgent.pk]
    assert [a.pk for a in client.get(INBOX).context["page"].object_list] == [old_urgent.pk, newest.pk]


def test_it_inbox_makes_no_query_per_row(client, demo, login, django_assert_max_num_queries):
    for n in range(30):
        appeal, _ = submit(demo, text=f"Кайрылуу номер {n}: дааратканада суу жок.")
        if n % 3 == 0:
            Message.objects.create(appeal=appeal, side="writer", body_sealed=b"x", created_at=appeal.received_at)
    login("director")
    # session, user, memberships, the pinned urgent rows, the page and its unread messages, files and
    # handlers, plus the base template's own and the handlers for the filter: the same for 5 rows or 25
    with django_assert_max_num_queries(14):
        response = client.get(INBOX + "?show=all")
    page = response.context["page"]
    assert len(page.object_list) == 25
    assert response.content.decode().count("tag warn unread") == 8  # appeals 6, 9 … 27 of the newest 25
    older = client.get(INBOX, {"show": "all", "older": page.older}).context["page"]
    assert len(older.object_list) == 5 and older.older is None and older.newer
    oldest = client.get(INBOX, {"show": "all", "at": "oldest"}).context["page"]
    assert [a.pk for a in oldest][-5:] == [a.pk for a in older] and len(oldest) == 25 and oldest.older is None
    back = client.get(INBOX, {"show": "all", "newer": older.newer}).context["page"]
    assert [a.pk for a in back] == [a.pk for a in page.object_list] and back.newer is None


def test_it_roles_without_content_access_and_other_schools_get_404(client, demo, login):
    appeal, _ = submit(demo)
    for username in ("parent", "teacher", "director2"):
        other = Client()
        login(username, client=other)
        assert other.get(INBOX).status_code == 404, username
        assert other.get(f"{INBOX}{appeal.pk}/").status_code == 404, username


def test_it_handler_sees_only_what_is_assigned_and_the_name_only_when_shown(client, demo, login):
    from appeals.services.cases import case_assign
    from vault.services import Keyring, user_key_unlock

    signed, _ = submit(demo, author={"full_name": "Асел Бекова", "address": "", "class": "8А", "phone": ""}, grade=8)
    login("psychologist")
    assert list(client.get(INBOX).context["page"].object_list) == []
    assert client.get(f"{INBOX}{signed.pk}/").status_code == 404
    director, psychologist = user(demo, "director"), user(demo, "psychologist")
    ring = Keyring(director, user_key_unlock(director, DEMO_PASSWORD))
    case_assign(appeal=signed, handlers=[psychologist], actor=director, ring=ring)
    page = client.get(f"{INBOX}{signed.pk}/").content.decode()
    assert "Мектептин короосунда жарык жок" in page and "Асел Бекова" not in page
    case_assign(appeal=signed, handlers=[psychologist], actor=director, ring=ring, share_identity=True)
    page = client.get(f"{INBOX}{signed.pk}/").content.decode()
    assert "Асел Бекова" in page


def test_it_responsible_person_sees_the_name_and_every_read_is_audited(client, demo, login):
    signed, _ = submit(demo, author={"full_name": "Асел Бекова", "address": "", "class": "8А", "phone": "+996 555 1"})
    login("responsible")
    page = client.get(f"{INBOX}{signed.pk}/").content.decode()
    assert "Асел Бекова" in page and "Мектептин короосунда жарык жок" in page
    record = AuditRecord.objects.filter(action="ishenim.appeal.viewed").get()
    assert record.actor.username == "responsible" and record.object_id == str(signed.pk)
    assert record.detail == {"identity": True, "messages": 0}


def test_it_district_officer_alone_sees_an_appeal_about_the_leadership(client, demo, login):
    appeal, _ = submit(demo, text="Директор ата-энелерден акча чогултат, ремонт үчүн деп.", to_district=True)
    login("director")
    assert client.get(f"{INBOX}{appeal.pk}/").status_code == 404
    assert list(client.get(INBOX).context["page"].object_list) == []
    officer = Client()
    login("district", client=officer)
    page = officer.get(f"{INBOX}{appeal.pk}/").content.decode()
    assert "ата-энелерден акча чогултат" in page


def test_it_staff_reply_through_the_inbox_reaches_the_writer(client, demo, login):
    appeal, code = submit(demo)
    login("responsible")
    response = client.post(f"{INBOX}{appeal.pk}/reply/", {"reply-body": ""})
    assert response.status_code == 200 and response.context["reply_form"].errors
    response = client.post(f"{INBOX}{appeal.pk}/reply/", {"reply-body": "Рахмат, жарык орнотулат."})
    assert response.status_code == 302
    writer = Client()
    writer.post("/s/rakhmanov/follow/", {"code": code})
    assert "Рахмат, жарык орнотулат." in writer.get("/s/rakhmanov/follow/").content.decode()
    writer.post("/s/rakhmanov/follow/message/", {"body": "Качан?"})
    assert "tag warn unread" in client.get(INBOX).content.decode()
    assert "Качан?" in client.get(f"{INBOX}{appeal.pk}/").content.decode()
    assert "tag warn unread" not in client.get(INBOX).content.decode()  # read now


def test_it_photo_that_comes_back_to_staff_has_no_exif(client, demo, login):
    from django.core.files.uploadedfile import SimpleUploadedFile

    photo = attachment_clean(SimpleUploadedFile("IMG.jpg", jpeg_with_gps(), content_type="image/jpeg"))
    appeal, _ = submit(demo, attachments=[photo])
    login("director")
    page = client.get(f"{INBOX}{appeal.pk}/").content.decode()
    file = appeal.attachments.get()
    url = f"{INBOX}{appeal.pk}/files/{file.pk}/"
    assert url in page
    response = client.get(url)
    assert response["Content-Type"] == "image/jpeg" and response["Cache-Control"] == "no-store"
    image = Image.open(io.BytesIO(response.content))
    assert len(image.getexif()) == 0 and image.size == (640, 480)
    assert AuditRecord.objects.filter(action="ishenim.appeal.attachment_viewed").exists()


def test_it_session_without_the_keyring_shows_a_notice_not_the_text(demo):
    appeal, _ = submit(demo)
    client = Client()
    client.force_login(user(demo, "director"))  # not through the login form: no keyring
    page = client.get(f"{INBOX}{appeal.pk}/").content.decode()
    assert "Мектептин короосунда" not in page
    client.cookies["ishenim_lang"] = "en"
    page = client.get(f"{INBOX}{appeal.pk}/").content.decode()
    assert "This session cannot open the appeal: log out and log in again with your password." in page
    assert "Мектептин короосунда" not in page
    assert not AuditRecord.objects.filter(action="ishenim.appeal.viewed").exists()


def test_it_school_edits_its_urgent_words(client, demo, login):
    login("psychologist")
    assert client.get(INBOX + "urgent-words/").status_code == 404
    login("responsible")
    client.cookies["ishenim_lang"] = "en"
    response = client.post(INBOX + "urgent-words/", {"words": "ур*\nшайтан*"})
    assert "too short" in response.content.decode()
    assert client.post(INBOX + "urgent-words/", {"words": "# local\nшайтан*"}).status_code == 302
    appeal, _ = submit(demo, text="Кечинде шайтандар келип коркутат го")
    assert appeal.urgent
    assert DEMO_PASSWORD  # the login fixture used it


def test_it_has_no_conversation_for_a_paper_appeal(client, demo, login):
    paper = appeal_submit(
        school=demo, text="Кагаз кат: коридордо жарык жок.", category="request", author_kind="parent", channel="paper"
    )
    login("responsible")
    client.cookies["ishenim_lang"] = "en"
    assert "A paper appeal" in client.get(f"{INBOX}{paper.pk}/").content.decode()
    assert client.post(f"{INBOX}{paper.pk}/reply/", {"reply-body": "Салам"}).status_code == 404
    assert not Message.objects.exists()


def test_it_shows_working_days_left_in_the_inbox(client, demo, login):
    from appeals.services import appeal_submit

    appeal_submit(school=demo, text="Тамеки тартышат дааратканада", category="smoking", author_kind="student")
    login("responsible")
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    page = client.get(f"/staff/{demo.slug}/appeals/").content.decode()
    assert "14 working days left" in page


def test_it_inbox_rows_say_what_the_shared_templates_say(client, demo, login):
    """The rows' cells are made once per page in Python; in every language they read as the case
    panel's deadline words and the template's plurals do, with the same colours."""
    import datetime as dt

    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.template import Context, Template
    from django.utils import timezone, translation

    from appeals.templatetags.case_tags import days_left_class, days_left_words
    from ishenim.workdays import add_working_days

    today = timezone.localdate()
    photo = attachment_clean(SimpleUploadedFile("IMG.jpg", jpeg_with_gps(), content_type="image/jpeg"))
    years_late, _ = submit(demo, attachments=[photo])
    late, _ = submit(demo)
    due_today, _ = submit(demo)
    soon, _ = submit(demo)
    closed, _ = submit(demo)
    Appeal.objects.filter(pk=years_late.pk).update(due_on=today - dt.timedelta(days=3 * 365))
    Appeal.objects.filter(pk=late.pk).update(due_on=today - dt.timedelta(days=1))
    Appeal.objects.filter(pk=due_today.pk).update(due_on=today)
    Appeal.objects.filter(pk=soon.pk).update(due_on=add_working_days(today, 2))
    Appeal.objects.filter(pk=closed.pk).update(status=Appeal.Status.CLOSED)
    late.handlers.add(user(demo, "psychologist"), user(demo, "socped"))
    Message.objects.create(appeal=soon, side="writer", body_sealed=b"x", created_at=soon.received_at)
    login("director")
    files = Template(
        "{% load i18n %}{% blocktranslate count n=1 %}{{ n }} file{% plural %}{{ n }} files{% endblocktranslate %}"
    )
    for language in ("ky", "ru", "en"):
        client.post("/i18n/setlang/", {"language": language, "next": "/"})
        page = client.get(INBOX, {"show": "all"}).content.decode()
        with translation.override(language):
            for appeal in (years_late, late, due_today, soon):
                appeal.refresh_from_db()
                words = days_left_words(appeal)
                due = f'<span class="{days_left_class(appeal)}">{appeal.due():%Y-%m-%d}</span>'
                cell = f'{due}<br><span class="muted">{words}</span>'
                assert cell in page, (language, appeal.due(), words)
            assert f'<span class="muted">{files.render(Context())}</span>' in page
            names = ", ".join(user(demo, name).get_full_name() for name in ("psychologist", "socped"))
            assert names in page
        row = page[page.index(f'href="{INBOX}{closed.pk}/"') :]
        row = row[: row.index("</tr>")]
        assert '<td class="due" data-label=' in row and "<div>—</div>" in row  # no deadline once closed
        unread = page[page.index(f'href="{INBOX}{soon.pk}/"') :]
        assert unread.index("tag warn unread") < unread.index("</tr>")
    assert days_left_class(years_late) == "overdue" and days_left_class(soon) == "due-soon"
    with translation.override("en"):
        assert days_left_words(due_today) == "due today" and days_left_words(soon) == "2 working days left"
        assert days_left_words(years_late).startswith("overdue by ") and days_left_words(years_late).endswith(" days")
    with translation.override("ky"):
        assert days_left_words(due_today) != "due today"  # translated
