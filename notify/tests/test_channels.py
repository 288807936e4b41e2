"""Every message through one outbox: channels over real HTTP/SMTP, retries, failures shown, languages."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone

from appeals.services import appeal_submit
from notify.models import Channel, ChannelSettings, Kind, Outbox
from notify.services import BACKOFF_MINUTES, notify_send, outbox_retry_due
from schools.models import School

TEXT = "Мугалим мени ургулайт, эч кимге айтпа деди"


@pytest.fixture
def appeal(demo):
    """An ordinary appeal (made urgent by the writer's word so the word lists in flux do not matter, then not)."""
    from appeals.models import Appeal

    made = appeal_submit(school=demo, text=TEXT, category="bullying", author_kind="student", urgent=True)
    Appeal.objects.filter(pk=made.pk).update(urgent=False, escalate_at=None)
    Outbox.objects.all().delete()
    made.refresh_from_db()
    return made


def user(django_user_model, name):
    return django_user_model.objects.get(username=name)


def linked(person, *, chat="", phone="", language="", email_on=True):
    return ChannelSettings.objects.update_or_create(
        user=person,
        defaults={
            "telegram_chat_id": chat,
            "phone": phone,
            "sms_on": bool(phone),
            "language": language,
            "email_on": email_on,
        },
    )[0]


def test_it_sends_by_every_chosen_channel_in_the_recipients_language(
    appeal, django_user_model, telegram, sms_gateway, smtp_server, django_capture_on_commit_callbacks
):
    psychologist = user(django_user_model, "psychologist")
    linked(psychologist, chat="555", phone="+996555000111", language="ru")
    with django_capture_on_commit_callbacks(execute=True):
        rows = notify_send(users=[psychologist], kind=Kind.CASE_ASSIGNED, office=appeal.school, appeal=appeal)
    assert {row.channel for row in rows} == {Channel.EMAIL, Channel.TELEGRAM, Channel.SMS}
    assert set(Outbox.objects.values_list("status", flat=True)) == {Outbox.Status.SENT}
    [tg] = telegram.texts("555")
    [sms] = sms_gateway.texts("+996555000111")
    [mail] = smtp_server
    assert f"№{appeal.journal_number}" in tg or str(appeal.journal_number) in tg
    assert "назначено" in tg.lower() or "поручено" in tg.lower() or "вам" in tg.lower(), tg  # Russian
    assert f"/staff/rakhmanov/appeals/{appeal.pk}/" in tg and f"/staff/rakhmanov/appeals/{appeal.pk}/" in sms
    assert mail["To"] == psychologist.email
    for text in (tg, sms, mail.get_body().get_content()):
        assert "ургулайт" not in text and "айтпа" not in text  # no word of the appeal


def test_it_renders_each_person_in_their_own_language(
    appeal, django_user_model, telegram, django_capture_on_commit_callbacks
):
    director, responsible = user(django_user_model, "director"), user(django_user_model, "responsible")
    linked(director, chat="1", language="ru", email_on=False)
    linked(responsible, chat="2", language="en", email_on=False)
    with django_capture_on_commit_callbacks(execute=True):
        notify_send(users=[director, responsible], kind=Kind.CASE_ASSIGNED, office=appeal.school, appeal=appeal)
    assert "was assigned to you" in telegram.texts("2")[0]
    assert "was assigned to you" not in telegram.texts("1")[0]
    assert Outbox.objects.get(recipient=director).language == "ru"


def test_it_retries_after_1_then_5_minutes_and_gives_up_at_last(
    appeal, django_user_model, telegram, django_capture_on_commit_callbacks
):
    person = user(django_user_model, "psychologist")
    linked(person, chat="7", email_on=False)
    telegram.fail_next = 2
    with django_capture_on_commit_callbacks(execute=True):
        [row] = notify_send(users=[person], kind=Kind.CASE_ASSIGNED, office=appeal.school, appeal=appeal)
    row.refresh_from_db()
    assert (row.status, row.attempts) == (Outbox.Status.FAILED, 1)
    assert "502" in row.last_error and telegram.token not in row.last_error
    first_retry = row.next_attempt_at
    assert dt.timedelta(seconds=50) < first_retry - timezone.now() <= dt.timedelta(minutes=BACKOFF_MINUTES[0])
    assert outbox_retry_due(first_retry - dt.timedelta(seconds=5)) == 0  # not yet
    assert outbox_retry_due(first_retry + dt.timedelta(seconds=1)) == 0  # tried, failed again
    row.refresh_from_db()
    assert (row.status, row.attempts) == (Outbox.Status.FAILED, 2)
    assert row.next_attempt_at - timezone.now() > dt.timedelta(minutes=BACKOFF_MINUTES[1] - 1)
    assert outbox_retry_due(row.next_attempt_at + dt.timedelta(seconds=1)) == 1
    row.refresh_from_db()
    assert row.status == Outbox.Status.SENT and len(telegram.texts("7")) == 1

    telegram.fail_next = 100
    with django_capture_on_commit_callbacks(execute=True):
        [row] = notify_send(users=[person], kind=Kind.CASE_ASSIGNED, office=appeal.school, appeal=appeal)
    for _attempt in BACKOFF_MINUTES:
        row.refresh_from_db()
        outbox_retry_due(row.next_attempt_at + dt.timedelta(seconds=1))
    row.refresh_from_db()
    assert (row.status, row.attempts, row.next_attempt_at) == (Outbox.Status.GAVE_UP, len(BACKOFF_MINUTES) + 1, None)


def test_without_telegram_configured_the_failure_is_shown_to_the_director_and_the_administrator(
    appeal, django_user_model, login, client, settings, django_capture_on_commit_callbacks
):
    settings.TELEGRAM_BOT_TOKEN = ""
    responsible = user(django_user_model, "responsible")
    linked(responsible, chat="9", email_on=False)
    with django_capture_on_commit_callbacks(execute=True):
        notify_send(users=[responsible], kind=Kind.CASE_ASSIGNED, office=appeal.school, appeal=appeal)
    row = Outbox.objects.get(recipient=responsible)
    assert row.status == Outbox.Status.FAILED and "not configured" in row.last_error
    login("director")
    page = client.get("/notify/failures/rakhmanov/").content.decode()
    assert responsible.last_name in page and "not configured" in page
    menu = client.get("/staff/rakhmanov/appeals/").content.decode()
    assert 'href="/notify/failures/rakhmanov/" class="warn"' in menu  # in the school menu, with a count
    assert client.get("/notify/failures/").status_code == 403  # the whole platform's: administrator only
    login("responsible")
    assert client.get("/notify/failures/rakhmanov/").status_code == 404
    admin = django_user_model.objects.create_superuser("root", "root@example.org", "x" * 12)
    client.force_login(admin)  # the administrator logs in with a second factor; not what this test is about
    assert "not configured" in client.get("/notify/failures/").content.decode()


def test_a_person_with_no_channel_shows_as_unreachable(appeal, django_user_model):
    person = user(django_user_model, "socped")
    person.email = ""
    person.save()
    [row] = notify_send(users=[person], kind=Kind.CASE_ASSIGNED, office=appeal.school, appeal=appeal)
    assert (row.channel, row.status) == (Channel.NONE, Outbox.Status.GAVE_UP)


def test_an_smtp_server_that_is_down_is_a_failed_attempt_not_an_error(
    appeal, django_user_model, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 9  # nothing listens there
    person = user(django_user_model, "psychologist")
    with django_capture_on_commit_callbacks(execute=True):
        notify_send(users=[person], kind=Kind.CASE_ASSIGNED, office=appeal.school, appeal=appeal)
    row = Outbox.objects.get(recipient=person)
    assert row.status == Outbox.Status.FAILED and row.last_error.startswith("mail:")


def test_the_test_command_prints_what_each_channel_answered(demo, django_user_model, telegram, sms_gateway, capsys):
    person = user(django_user_model, "director")
    linked(person, chat="42", phone="+996700000001", email_on=False)
    call_command("notify", "test", "--user", "director")
    out = capsys.readouterr().out
    assert "telegram 42: ok, message 1" in out and "sms +996700000001: ok, id sms-1" in out
    telegram.fail_next = 1
    with pytest.raises(Exception, match="1 channel"):
        call_command("notify", "test", "--user", "director", "--channel", "telegram")
    assert "FAILED" in capsys.readouterr().out


def test_weekly_and_reminder_kinds_render_in_every_language(demo):
    for language in ("ky", "ru", "uz", "en"):
        from notify.services import render

        subject, body = render(Kind.TEST, language, {"SITE_URL": "http://x"})
        assert subject and "http://x/notify/channels/" in body


def test_kinds_have_templates():
    from django.template.loader import get_template

    for kind in Kind.values:
        get_template(f"notify/{kind}/subject.txt")
        get_template(f"notify/{kind}/body.txt")


def test_school_messages_name_the_school(appeal, django_user_model, telegram, django_capture_on_commit_callbacks):
    person = user(django_user_model, "psychologist")
    linked(person, chat="3", language="ky", email_on=False)
    with django_capture_on_commit_callbacks(execute=True):
        notify_send(users=[person], kind=Kind.CASE_ASSIGNED, office=School.objects.get(slug="rakhmanov"), appeal=appeal)
    assert appeal.school.name_in("ky") in telegram.texts("3")[0]
